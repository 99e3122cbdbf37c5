import { applyLanguage, currentLanguage, el, formatDuration, toggleLanguage } from './i18n.js';

const dictionary = {
  ko: {
    title: '웨비나 시청 통계', token: '관리자·호스트 토큰', webinar: '웨비나', load: '불러오기', list: '목록 새로고침', csv: '참석자 CSV',
    newTitle: '새 웨비나 제목', minutes: '길이 (분)', create: '지금 시작하는 웨비나 만들기', concurrency: '분당 동시 시청자',
    viewers: '시청자', viewer: '시청자', watchedCol: '시청', visibleCol: '화면 표시', sessionsCol: '세션', firstJoin: '최초 입장',
    lastLeave: '마지막 퇴장', completedCol: '완료', language: 'English', uniqueViewers: '순 시청자', sessions: '세션 (재입장 포함)',
    averageWatched: '평균 시청', averageVisible: '평균 화면 표시', completionRate: '완료율 (본편 {0}% 이상)', peak: '최대 동시 시청',
    current: '현재 시청 중', window: '본편 {0} – {1}, 수집 종료 {2}', loaded: '{0}에 계산됨', watching: '시청 중', yes: '예', no: '아니요',
    guest: '게스트', created: '웨비나를 만들었습니다', error: '오류: {0}', noWebinars: '웨비나 없음', minute: '분', people: '명',
    schedule: '일정', startTime: '시작', scheduledEnd: '예정 종료', actualEnd: '실제 종료 (지난 시각만)', save: '일정 저장', endNow: '지금 종료', endConfirm: '한 번 더 누르면 종료',
    saved: '일정을 저장했습니다', ended: '웨비나를 종료했습니다',
  },
  en: {
    title: 'Webinar watch statistics', token: 'Admin or host token', webinar: 'Webinar', load: 'Load', list: 'Refresh list', csv: 'Attendee CSV',
    newTitle: 'New webinar title', minutes: 'Length (minutes)', create: 'Create a webinar starting now', concurrency: 'Concurrent viewers per minute',
    viewers: 'Viewers', viewer: 'Viewer', watchedCol: 'Watched', visibleCol: 'Visible', sessionsCol: 'Sessions', firstJoin: 'First join',
    lastLeave: 'Last leave', completedCol: 'Completed', language: '한국어', uniqueViewers: 'Unique viewers', sessions: 'Sessions (rejoins included)',
    averageWatched: 'Average watched', averageVisible: 'Average visible', completionRate: 'Completion (≥ {0}% of content)', peak: 'Peak concurrent',
    current: 'Watching now', window: 'Content {0} – {1}, collection ends {2}', loaded: 'Computed at {0}', watching: 'watching', yes: 'yes', no: 'no',
    guest: 'guest', created: 'Webinar created', error: 'Error: {0}', noWebinars: 'no webinars', minute: 'min', people: '',
    schedule: 'Schedule', startTime: 'Start', scheduledEnd: 'Scheduled end', actualEnd: 'Actual end (past times only)', save: 'Save schedule', endNow: 'End now', endConfirm: 'Press again to end',
    saved: 'Schedule saved', ended: 'Webinar ended',
  },
};

let language = currentLanguage();
let t = applyLanguage(dictionary, language);
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'heartline.admin_token';
// A token may come in the fragment (#token=…, never sent to the server); it is moved to sessionStorage at once.
const fragmentToken = new URLSearchParams(location.hash.slice(1)).get('token');
if (fragmentToken) {
  sessionStorage.setItem(TOKEN_KEY, fragmentToken);
  history.replaceState(null, '', location.pathname + location.search);
}
$('token').value = sessionStorage.getItem(TOKEN_KEY) ?? '';
$('language').textContent = t('language');
let lastStats = null;
let refreshTimer = null;

const time = (iso) => (iso ? new Date(iso).toLocaleString(language === 'ko' ? 'ko-KR' : 'en-GB') : '–');
const status = (text, isError = false) => { $('status').textContent = text; $('status').className = isError ? 'status error' : 'status'; };

async function api(path, options = {}) {
  const token = $('token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  const response = await fetch(path, { ...options, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(options.headers ?? {}) } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(`${response.status} ${body.code ?? ''} ${body.detail ?? ''}`.trim());
  }
  return response;
}

async function loadList(selectId) {
  const { items } = await (await api('/api/webinars')).json();
  const select = $('webinar');
  select.replaceChildren();
  for (const w of items) {
    const option = el('option', `${w.title} · ${time(w.webinar_start_time)} · ${w.status}`);
    option.value = w.id;
    select.append(option);
  }
  if (items.length === 0) select.append(el('option', t('noWebinars')));
  const wanted = selectId ?? new URLSearchParams(location.search).get('webinar');
  if (wanted && items.some((w) => w.id === wanted)) select.value = wanted;
}

/** An ISO time as a datetime-local value (the browser's time zone, to the minute). */
const toLocalInput = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** The schedule editor shows the webinar's times; hosts and admins change them or end the webinar now. */
async function loadSchedule(id) {
  const webinar = await (await api(`/api/webinars/${encodeURIComponent(id)}`)).json();
  $('start-time').value = toLocalInput(webinar.webinar_start_time);
  $('scheduled-end').value = toLocalInput(webinar.webinar_scheduled_end_time);
  $('actual-end').value = toLocalInput(webinar.webinar_actual_end_time);
  $('schedule').dataset.status = webinar.status;
  $('schedule').hidden = false;
}

async function loadStats() {
  const id = $('webinar').value;
  if (!id) return;
  await loadSchedule(id);
  const stats = await (await api(`/api/webinars/${encodeURIComponent(id)}/stats?viewer_limit=200`)).json();
  lastStats = stats;
  render(stats);
  status(t('loaded', time(stats.computed_at)));
}

function tile(value, label) {
  const box = el('div', undefined, 'tile');
  box.append(el('div', value, 'value'), el('div', label, 'label'));
  return box;
}

function render(stats) {
  $('summary').hidden = $('chart-section').hidden = $('viewers-section').hidden = false;
  $('webinar-title').textContent = stats.title;
  $('window').textContent = t('window', time(stats.content_from), time(stats.content_to), time(stats.collect_to));
  $('tiles').replaceChildren(
    tile(stats.unique_viewers, t('uniqueViewers')),
    tile(stats.sessions, t('sessions')),
    tile(formatDuration(stats.average_watched_seconds), t('averageWatched')),
    tile(formatDuration(stats.average_visible_seconds), t('averageVisible')),
    tile(`${(stats.completion_rate * 100).toFixed(1)}%`, t('completionRate', stats.completion_percent)),
    tile(stats.peak_concurrent_viewers, t('peak')),
    tile(stats.current_concurrent_viewers, t('current')),
  );
  drawChart($('chart'), stats.concurrency);
  const rows = stats.viewers.map((v) => {
    const row = document.createElement('tr');
    row.append(
      el('td', v.guest ? `${t('guest')} ${v.viewer.slice(2, 10)}` : v.user_id),
      el('td', formatDuration(v.watched_seconds), 'num'),
      el('td', formatDuration(v.visible_seconds), 'num'),
      el('td', v.sessions, 'num'),
      el('td', time(v.first_join_at)),
      el('td', v.last_leave_at ? time(v.last_leave_at) : t('watching')),
      el('td', v.completed ? t('yes') : t('no')),
    );
    return row;
  });
  $('viewers').replaceChildren(...rows);
}

/** A bar chart of the per-minute series, drawn by hand on a canvas (no library, no CDN). */
function drawChart(canvas, series) {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = canvas.clientWidth || 1000, height = canvas.clientHeight || 260;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  const values = series.viewers;
  const left = 44, right = 12, top = 12, bottom = 30;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = Math.max(1, ...values);
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  g.font = '12px system-ui, sans-serif';
  g.fillStyle = '#566070';
  g.strokeStyle = '#e6e9ee';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let y = 0; y <= yMax; y += step) {
    const py = top + plotH - (y / yMax) * plotH;
    g.beginPath(); g.moveTo(left, py); g.lineTo(left + plotW, py); g.stroke();
    g.fillText(String(y), left - 6, py);
  }
  const barW = plotW / Math.max(1, values.length);
  g.fillStyle = '#2d5bd7';
  values.forEach((v, i) => {
    const h = (v / yMax) * plotH;
    g.fillRect(left + i * barW + Math.min(1, barW * 0.1), top + plotH - h, Math.max(1, barW - Math.min(2, barW * 0.2)), h);
  });
  g.fillStyle = '#566070';
  g.textAlign = 'center';
  g.textBaseline = 'top';
  const from = new Date(series.from);
  const labelEvery = Math.max(1, Math.ceil(values.length / 10));
  for (let i = 0; i < values.length; i += labelEvery) {
    const at = new Date(from.getTime() + i * series.interval_seconds * 1000);
    g.fillText(at.toLocaleTimeString(language === 'ko' ? 'ko-KR' : 'en-GB', { hour: '2-digit', minute: '2-digit' }), left + (i + 0.5) * barW, top + plotH + 8);
  }
}

function niceStep(max) {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, rough)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? power * 10;
}

async function run(action) {
  try { await action(); } catch (error) { status(t('error', error.message), true); }
}

$('load').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    if (!$('webinar').value) await loadList();
    await loadStats();
    clearInterval(refreshTimer);
    refreshTimer = setInterval(() => run(loadStats), 30_000);
  });
});
$('list').addEventListener('click', () => run(() => loadList()));
$('schedule').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const id = $('webinar').value;
    const body = {
      webinar_start_time: new Date($('start-time').value).toISOString(),
      webinar_scheduled_end_time: new Date($('scheduled-end').value).toISOString(),
    };
    if ($('actual-end').value) body.webinar_actual_end_time = new Date($('actual-end').value).toISOString();
    await api(`/api/webinars/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify(body) });
    await loadStats();
    status(t('saved'));
  });
});
// Ending cannot be undone by a press: the first press arms the button for 5 s, the second ends (no dialog).
let endArmedUntil = 0;
$('end-now').addEventListener('click', () => run(async () => {
  if (Date.now() > endArmedUntil) {
    endArmedUntil = Date.now() + 5000;
    $('end-now').textContent = t('endConfirm');
    $('end-now').classList.add('armed');
    setTimeout(() => { $('end-now').textContent = t('endNow'); $('end-now').classList.remove('armed'); }, 5000);
    return;
  }
  endArmedUntil = 0;
  $('end-now').textContent = t('endNow');
  $('end-now').classList.remove('armed');
  const id = $('webinar').value;
  await api(`/api/webinars/${encodeURIComponent(id)}/end`, { method: 'POST', body: '{}' });
  await loadStats();
  status(t('ended'));
}));
$('csv').addEventListener('click', () => run(async () => {
  const id = $('webinar').value;
  const blob = await (await api(`/api/webinars/${encodeURIComponent(id)}/attendees.csv`)).blob();
  const link = el('a');
  link.href = URL.createObjectURL(blob);
  link.download = `webinar-${id}-attendees.csv`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}));
$('create').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const start = new Date();
    const minutes = Number($('new-minutes').value) || 60;
    const created = await (await api('/api/webinars', {
      method: 'POST',
      body: JSON.stringify({
        title: $('new-title').value.trim() || 'Demo',
        webinar_start_time: start.toISOString(),
        webinar_scheduled_end_time: new Date(start.getTime() + minutes * 60_000).toISOString(),
      }),
    })).json();
    await loadList(created.id);
    status(`${t('created')}: ${created.id}`);
  });
});
$('language').addEventListener('click', () => {
  language = toggleLanguage(language);
  t = applyLanguage(dictionary, language);
  $('language').textContent = t('language');
  if (lastStats) render(lastStats);
});
if ($('token').value) {
  run(async () => {
    await loadList();
    if (new URLSearchParams(location.search).get('webinar')) await loadStats();
  });
}
