import { WebinarWatch } from '/sdk/webinar.js';
import { applyLanguage, currentLanguage, el, formatDuration, toggleLanguage } from './i18n.js';

const dictionary = {
  ko: {
    title: '웨비나 시청 데모', webinarId: '웨비나 ID', token: '액세스 토큰 (선택: 로그인 사용자)', guestPlaceholder: '비우면 게스트',
    exitOnHidden: '숨기면 세션 종료', yes: '예', no: '아니요', start: '입장', stop: '퇴장', session: '세션', state: '상태',
    watched: '누적 시청 (보이는 동안)', interval: '하트비트 주기 (초)', sessionKey: '세션 키', log: '기록', language: 'English',
    watching: '시청 중', left: '퇴장함', ended: '수집 종료', tracked: '입장: {0}', ping: '하트비트: 누적 {0}초',
    exit: '퇴장 전송 ({0}, {1})', closed: '웨비나 수집 기간이 끝났습니다', error: '오류: {0}',
    waitingState: '대기 중 (화면 숨김)', waiting: '화면이 보이면 시청 기록을 시작합니다',
  },
  en: {
    title: 'Webinar viewer demo', webinarId: 'Webinar ID', token: 'Access token (optional: signed-in user)', guestPlaceholder: 'empty = guest',
    exitOnHidden: 'End session when hidden', yes: 'Yes', no: 'No', start: 'Enter', stop: 'Leave', session: 'Session', state: 'State',
    watched: 'Watched while visible', interval: 'Heartbeat interval (s)', sessionKey: 'Session key', log: 'Log', language: '한국어',
    watching: 'Watching', left: 'Left', ended: 'Collection over', tracked: 'Entered: {0}', ping: 'Heartbeat: {0} s accumulated',
    exit: 'Exit sent ({0}, {1})', closed: 'The webinar is no longer collecting', error: 'Error: {0}',
    waitingState: 'Waiting (page hidden)', waiting: 'Tracking starts when the page is shown',
  },
};

let language = currentLanguage();
let t = applyLanguage(dictionary, language);
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('webinar-id').value = params.get('webinar') ?? '';
$('language').textContent = t('language');
let watch = null;

function log(text, isError = false) {
  const item = el('li', `${new Date().toLocaleTimeString()} ${text}`, isError ? 'error' : undefined);
  $('log').prepend(item);
}

function onEvent({ type, detail }) {
  switch (type) {
    case 'tracked':
      $('state').textContent = t('watching');
      $('session-key').textContent = detail.session_key;
      $('interval').textContent = String(detail.heartbeat_interval_seconds);
      log(t('tracked', detail.status));
      break;
    case 'ping':
      if (detail.session) {
        $('watched').textContent = formatDuration(detail.session.watched_seconds_raw);
        log(t('ping', Math.round(detail.session.watched_seconds_raw)));
      }
      break;
    case 'exit':
      $('state').textContent = t('left');
      log(t('exit', detail.reason, detail.queued));
      break;
    case 'waiting':
      // Not an error: a page opened in the background is not watching yet (exitOnHidden), tracking starts when shown.
      $('state').textContent = t('waitingState');
      log(t('waiting'));
      break;
    case 'closed':
      $('state').textContent = t('ended');
      log(t('closed'));
      break;
    default:
      log(t('error', detail?.detail ?? detail?.code ?? JSON.stringify(detail)), true);
  }
}

$('setup').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  watch = new WebinarWatch({
    webinarId: $('webinar-id').value.trim(),
    getAccessToken: token ? () => token : null,
    exitOnHidden: $('exit-on-hidden').value === 'true',
    onEvent,
  });
  $('start').disabled = true;
  try {
    await watch.start();
    $('stop').disabled = false;
  } catch (error) {
    log(t('error', error.message), true);
    $('start').disabled = false;
  }
});

$('stop').addEventListener('click', async () => {
  await watch?.stop();
  $('stop').disabled = true;
  $('start').disabled = false;
});

$('language').addEventListener('click', () => {
  language = toggleLanguage(language);
  t = applyLanguage(dictionary, language);
  $('language').textContent = t('language');
});
