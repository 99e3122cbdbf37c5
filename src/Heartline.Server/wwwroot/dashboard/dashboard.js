// The live PTT dashboard (seed 7.1): active sessions with their participants, today's usage, a per-office table,
// sessions and grant latency by hour, and recent events. Live over the WebSocket: one PttClient per watched office
// (admins may watch any office; others their own), presence per office, statistics from the HTTP API.
import uPlot from '/lib/uPlot.esm.js'
import { PttClient } from '/sdk/ptt.js'
import { $, clock, duration, h, replace, setText } from '/app/dom.js'
import { applyI18n, languageSwitch, onLangChange, reasonLabel, t } from '/app/i18n.js'
import { handleGiveUp, signOut, startSession } from '/app/session.js'

const EVENTS_MAX = 30
const WATCH_KEY = 'heartline.dashboard.offices'

applyI18n()
languageSwitch($('lang'))
$('signout').addEventListener('click', () => signOut('dashboard'))

const { getToken, client } = await startSession({ app: 'dashboard', roles: ['admin', 'viewer'], container: $('signin'), appType: 'dashboard' })
$('signout').hidden = false
$('conn').hidden = false
/** @type {Map<string, { ptt: PttClient, stats: any, online: number, refreshTimer?: any }>} */
const offices = new Map()
const recentEvents = []
/** Sessions whose End button was pressed once, until when a second press ends them (ms). */
const armed = new Map()
/** The KPI targets an office misses now (seed 9.1), by office and KPI; a recovery removes its entry. */
const alerts = new Map()
/** Emergencies not acknowledged yet, by id. */
const emergencies = new Map()
/** Kept reports (daily, weekly, monthly) of the office chosen in the reports panel, newest first. */
let reportList = []
let chart = null
let chartData = [[...Array(24).keys()], Array(24).fill(null), Array(24).fill(null)]
new ResizeObserver(() => chart?.setSize({ width: Math.max(280, $('chart').clientWidth), height: 250 })).observe($('chart'))

client.on('state', () => renderAll())
// An expired or refused token ends the connection for good: back to the sign-in form, saying why.
client.on('disconnected', ({ code, willReconnect }) => {
  if (!willReconnect) handleGiveUp('dashboard', client, code)
})
renderConnection()
$('app').hidden = false
let me
try {
  me = (await client.connect()).user
} catch (err) {
  if (err.code === 'unauthorized' || err.code === 'token_expired') signOut('dashboard', err.code === 'token_expired' ? 'expired' : 'rejected')
  throw err
}
$('me').textContent = `${me.name} · ${t(`role.${me.role}`)}`
const isAdmin = me.role === 'admin'
$('watch').hidden = !isAdmin
// Operator actions (docs/protocol.md 10.4), for administrators: end a stuck session (two presses, no dialog), run the
// stale cleaner. The server records who did it.
$('stale-clean').hidden = !isAdmin
$('stale-clean').addEventListener('click', async () => {
  try {
    const { count } = await post('/api/ptt/stale-cleaner/run')
    setText($('ops-status'), t('dash.stale_clean.done').replace('{n}', String(count)))
  } catch {
    setText($('ops-status'), t('dash.ops.failed'))
  }
})
for (const office of initialOffices()) watch(office)
$('watch').addEventListener('submit', (e) => {
  e.preventDefault()
  const input = e.target.elements.office
  watch(input.value.trim())
  input.value = ''
  saveWatched()
})
onLangChange(() => {
  renderAll()
  renderReports()
  renderChart(true)
})
setInterval(renderSessions, 1000)
setInterval(() => offices.forEach((_, office) => loadAlerts(office)), 10_000)
// The listeners a press joins are not announced one by one (one publication per press, not per listener): the state is
// read again at session_started, and every 3 s while a session is on, so a state read just before the listeners joined
// is corrected within seconds.
setInterval(() => offices.forEach(({ ptt }) => { if (live(ptt)) ptt.refreshState().catch(() => {}) }), 3000)
setInterval(() => offices.forEach((_, office) => refreshStats(office)), 30_000)
setInterval(loadChart, 60_000)
// Offices that start talking are picked up by themselves (admins see every office; others their own).
discoverOffices()
setInterval(discoverOffices, 15_000)
loadChart()
renderAll()
globalThis.heartlineDashboard = { client, offices }

function initialOffices() {
  const fromUrl = new URLSearchParams(location.search).get('offices')?.split(',') ?? []
  let saved = []
  try {
    saved = JSON.parse(localStorage.getItem(WATCH_KEY) ?? '[]')
  } catch {
    saved = []
  }
  const list = [me.office, ...(isAdmin ? [...fromUrl, ...saved] : [])]
  return [...new Set(list.filter((o) => /^[A-Za-z0-9.@-]{1,64}_[A-Za-z0-9.@-]{1,64}$/.test(o)))]
}

function saveWatched() {
  localStorage.setItem(WATCH_KEY, JSON.stringify([...offices.keys()].filter((o) => o !== me.office)))
}

function watch(office) {
  if (offices.has(office) || !/^[A-Za-z0-9.@-]{1,64}_[A-Za-z0-9.@-]{1,64}$/.test(office)) return
  const ptt = new PttClient(client, { office, getToken })
  const entry = { ptt, stats: null, online: 0 }
  offices.set(office, entry)
  ptt.on('change', () => renderAll())
  ptt.on('session_started', (s) => {
    // The publication names the speaker only: the state lists the members who joined automatically.
    if (!s.joined) ptt.refreshState().catch(() => {})
    refreshStatsSoon(office)
    addEvent(office, 'session_started', s.speaker?.name, s.started_at)
    bumpChart(s.started_at)
  })
  ptt.on('session_ended', (s) => {
    if (s.synthetic) return
    addEvent(office, 'session_ended', s.speaker?.name, s.ended_at, s.reason, s.session_id)
    refreshStatsSoon(office)
  })
  ptt.on('participant_joined', (p) => addEvent(office, 'participant_joined', p.user.name))
  ptt.on('participant_left', (p) => addEvent(office, 'participant_left', p.user?.name ?? p.user_id, undefined, p.reason))
  ptt.on('floor_revoked', (p) => addEvent(office, 'floor_revoked', p.user_id, undefined, p.reason))
  ptt.on('speaker_changed', (p) => addEvent(office, 'speaker_changed', p.speaker?.name))
  ptt.on('kpi_alert', (a) => showAlert(a))
  ptt.on('emergency', (e) => {
    emergencies.set(e.emergency_id, { ...e, ptt })
    addEvent(office, 'EMERGENCY_RAISED', e.user?.name, e.at)
    renderEmergencies()
  })
  ptt.on('emergency_acknowledged', (e) => {
    emergencies.delete(e.emergency_id)
    addEvent(office, 'EMERGENCY_ACKNOWLEDGED', e.by?.name, e.at)
    renderEmergencies()
  })
  ptt.on('error', (err) => console.warn(office, err))
  client.subscribe(`presence:${office}`, () => refreshPresence(office)).catch(() => {})
  refreshPresence(office)
  refreshStats(office)
  loadEvents(office).catch(() => {})
  loadAlerts(office)
  loadEmergencies(office, ptt)
  const select = $('report-office')
  select.append(h('option', { value: office }, office))
  if (select.options.length === 1) loadReports(office)
  if (select.options.length === 1) select.addEventListener('change', () => loadReports(select.value))
}

/** The office's kept reports (GET /api/ptt/reports), newest first. */
async function loadReports(office) {
  try {
    reportList = await api(`/api/ptt/reports?office=${encodeURIComponent(office)}&limit=60`)
  } catch {
    reportList = []
  }
  renderReports()
}

function renderReports() {
  const rows = reportList.map((r) => h('tr', { 'data-report': r.report_id },
    h('td', {}, t(`dash.report.${r.period}`)),
    h('td', {}, r.period === 'day' ? r.start : `${r.start} – ${r.end}`),
    h('td', { class: 'num' }, String(r.figures.sessions)),
    h('td', { class: 'num' }, String(r.figures.total_talk_minutes)),
    h('td', { class: 'num' }, `${(r.figures.error_rate * 100).toFixed(2)}%`),
    h('td', { class: 'num' }, `${r.active_drivers} / ${r.registered_drivers}`),
    h('td', {}, h('button', { type: 'button', 'data-action': 'csv', onclick: () => downloadCsv(r) }, t('dash.report.csv')))))
  replace($('reports').querySelector('tbody'), rows)
  $('reports-empty').hidden = rows.length > 0
}

/** The CSV needs the bearer token: fetched, then handed to the browser as a download. */
async function downloadCsv(report) {
  try {
    const response = await fetch(`/api/ptt/reports/${encodeURIComponent(report.report_id)}/csv`, { headers: { authorization: `Bearer ${await getToken()}` } })
    if (!response.ok) throw new Error(String(response.status))
    const url = URL.createObjectURL(await response.blob())
    const link = h('a', { href: url, download: `ptt-${report.office}-${report.period}-${report.start}.csv`, hidden: true })
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  } catch {
    setText($('ops-status'), t('dash.ops.failed'))
  }
}

async function discoverOffices() {
  try {
    const list = await api('/api/ptt/offices')
    for (const state of list) watch(state.office)
  } catch {
    // The watched offices keep working; the next round tries again.
  }
}

async function api(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${await getToken()}` } })
  if (!response.ok) throw new Error(`${path}: ${response.status}`)
  return response.json()
}

async function post(path) {
  const response = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${await getToken()}` } })
  if (!response.ok) throw new Error(`${path}: ${response.status}`)
  return response.json()
}

async function endSession(sessionId) {
  if ((armed.get(sessionId) ?? 0) < Date.now()) {
    armed.set(sessionId, Date.now() + 4000)
    renderSessions()
    return
  }
  armed.delete(sessionId)
  try {
    const { done } = await post(`/api/ptt/sessions/${encodeURIComponent(sessionId)}/end`)
    setText($('ops-status'), t(done ? 'dash.end_session.done' : 'dash.end_session.none'))
  } catch {
    setText($('ops-status'), t('dash.ops.failed'))
  }
  renderSessions()
}

async function refreshStats(office) {
  const entry = offices.get(office)
  if (!entry) return
  try {
    entry.stats = await api(`/api/ptt/stats?office=${encodeURIComponent(office)}`)
    renderAll()
  } catch {
    // shown as '-' until the next refresh
  }
}

/** Sessions reach the statistics through a background writer: ask again a moment after an end. */
function refreshStatsSoon(office) {
  const entry = offices.get(office)
  clearTimeout(entry.refreshTimer)
  entry.refreshTimer = setTimeout(() => {
    refreshStats(office)
    loadChart()
  }, 1500)
}

async function refreshPresence(office) {
  try {
    const result = await client.presence(office)
    offices.get(office).online = result.users.length
    renderAll()
  } catch {
    // reconnecting
  }
}

async function loadEvents(office) {
  const from = Date.now() - 3600_000
  const page = await api(`/api/ptt/events?office=${encodeURIComponent(office)}&from=${from}&limit=1000`)
  for (const e of page.items.slice(-EVENTS_MAX)) {
    const meta = parseMeta(e.metadata)
    recentEvents.push({ office, type: e.type, who: meta.speaker_name ?? meta.name ?? e.user_id ?? '', time: e.time, detail: meta.reason ?? '',
      sessionId: e.type === 'SESSION_ENDED' ? e.session_id : undefined })
  }
  recentEvents.sort((a, b) => b.time - a.time)
  recentEvents.splice(EVENTS_MAX)
  renderEvents()
}

function addEvent(office, type, who, time = Date.now(), detail = '', sessionId = undefined) {
  recentEvents.unshift({ office, type, who: who ?? '', time, detail, sessionId })
  recentEvents.splice(EVENTS_MAX)
  renderEvents()
}

function renderConnection() {
  const conn = $('conn')
  conn.dataset.state = client.state
  setText(conn, t(`conn.${client.state === 'idle' ? 'connecting' : client.state}`))
}

/** Live state is shown only while connected: a session kept from before a disconnect may have ended meanwhile. */
function live(ptt) {
  return client.state === 'connected' ? ptt.session : null
}

function renderAll() {
  renderConnection()
  renderAlerts()
  renderCards()
  renderSessions()
  renderTable()
  renderEvents()
}

function renderCards() {
  let active = 0
  let participants = 0
  let minutes = 0
  let sessions = 0
  const connected = client.state === 'connected'
  for (const { ptt, stats } of offices.values()) {
    const s = live(ptt)
    if (s) {
      active++
      participants += s.participants.length
    }
    minutes += stats?.total_talk_minutes ?? 0
    sessions += stats?.sessions ?? 0
  }
  $('card-active').textContent = connected ? String(active) : '-'
  $('card-participants').textContent = connected ? String(participants) : '-'
  $('card-usage').textContent = `${minutes.toFixed(1)}${t('dash.minutes')}`
  const averageSeconds = sessions ? (minutes * 60) / sessions : null
  $('card-average').textContent = averageSeconds === null ? '-'
    : averageSeconds < 90 ? `${Math.round(averageSeconds)}${t('dash.seconds')}` : `${(averageSeconds / 60).toFixed(1)}${t('dash.minutes')}`
}

function renderSessions() {
  const list = $('sessions')
  if (client.state !== 'connected') return replace(list, h('p', { class: 'empty-note', 'data-i18n': 'dash.offline' }, t('dash.offline')))
  const active = [...offices.entries()].filter(([, e]) => live(e.ptt))
  if (!active.length) return replace(list, h('p', { class: 'empty-note', 'data-i18n': 'dash.no_sessions' }, t('dash.no_sessions')))
  replace(list, active.map(([office, { ptt }]) => {
    const s = ptt.session
    return h('article', { class: 'session', 'data-office': office, 'data-session': s.session_id },
      h('div', { class: 'head' },
        h('span', { class: 'office' }, office),
        h('span', { class: 'speaker' }, s.speaker?.name ?? ''),
        h('span', { class: 'since' }, duration(Date.now() + ptt.clockOffsetMs - s.started_at)),
        isAdmin ? endButton(s.session_id) : null),
      h('ul', { class: 'participants' }, s.participants.map((p) => h('li', { 'data-user': p.user_id },
        h('span', { class: `badge app-${p.app_type}` }, appLabel(p.app_type)),
        h('span', { class: 'who' }, p.name ?? p.user_id),
        h('span', { class: 'device' }, p.device ?? '')))))
  }))
}

function showAlert(a) {
  const key = `${a.office}/${a.kpi}`
  if (a.state === 'breached') alerts.set(key, a)
  else alerts.delete(key)
  addEvent(a.office, a.state === 'breached' ? 'KPI_BREACHED' : 'KPI_RECOVERED', t(`kpi.${a.kpi}`), a.at)
  renderAlerts()
}

/** Open emergencies of the watched offices (live, and those raised before the dashboard opened). */
async function loadEmergencies(office, ptt) {
  try {
    for (const e of await api(`/api/ptt/emergencies?office=${encodeURIComponent(office)}`)) {
      emergencies.set(e.emergency_id, { emergency_id: e.emergency_id, office, user: { user_id: e.user_id, name: e.name }, at: e.raised_at, ptt })
    }
    renderEmergencies()
  } catch {
    // Live emergencies still arrive on the office's channel.
  }
}

function renderEmergencies() {
  replace($('emergencies'), [...emergencies.values()].map((e) => h('li', { 'data-emergency': e.emergency_id, 'data-office': e.office },
    h('span', {}, `${e.office} · ${t('emergency.alert').replace('{name}', e.user?.name ?? '?')} · ${clock(e.at)}`),
    isAdmin ? h('button', { type: 'button', class: 'ack', onclick: () => e.ptt.acknowledgeEmergency(e.emergency_id).catch(() => {}) }, t('emergency.ack')) : null)))
}

/**
 * The KPIs in breach now (GET /api/ptt/kpi), shown like the live alerts, not as new events: when the dashboard opens,
 * and every 10 s as a backstop for a live alert it missed (published while it was reconnecting, say).
 */
async function loadAlerts(office) {
  try {
    const breached = await api(`/api/ptt/kpi?office=${encodeURIComponent(office)}`)
    for (const key of [...alerts.keys()]) if (key.startsWith(`${office}/`) && !breached.some((a) => `${a.office}/${a.kpi}` === key)) alerts.delete(key)
    for (const a of breached) alerts.set(`${a.office}/${a.kpi}`, a)
    renderAlerts()
  } catch {
    // Live alerts still arrive on the office's channel.
  }
}

function renderAlerts() {
  const value = (a, v) => (a.kpi === 'error_rate' ? `${(v * 100).toFixed(2)}%` : `${fmt(v)}ms`)
  replace($('alerts'), [...alerts.values()].map((a) => h('li', { 'data-office': a.office, 'data-kpi': a.kpi },
    `⚠ ${a.office} · ${t(`kpi.${a.kpi}`)} ${value(a, a.value)} (${t('kpi.target')} ${value(a, a.target)}, ${t('kpi.window').replace('{n}', String(a.window_minutes))})`)))
}

function endButton(sessionId) {
  const confirming = (armed.get(sessionId) ?? 0) >= Date.now()
  return h('button', { type: 'button', class: 'end-session', 'data-armed': String(confirming), onclick: () => endSession(sessionId) },
    t(confirming ? 'dash.end_session.confirm' : 'dash.end_session'))
}

function renderTable() {
  const body = $('offices').tBodies[0]
  const ms = (avg, p95) => (avg == null ? '-' : `${fmt(avg)} / ${fmt(p95)}`)
  const connected = client.state === 'connected'
  replace(body, [...offices.entries()].map(([office, { ptt, stats, online }]) => {
    const s = live(ptt)
    return h('tr', { 'data-office': office },
      h('td', {}, office),
      h('td', { class: s ? 'talking' : 'idle' }, s ? `${t('dash.talking')}: ${s.speaker?.name ?? ''}` : connected ? t('dash.idle') : '-'),
      h('td', {}, connected ? String(online) : '-'),
      h('td', {}, stats ? String(stats.sessions) : '-'),
      h('td', {}, stats ? stats.total_talk_minutes.toFixed(1) : '-'),
      h('td', {}, stats ? stats.average_talk_seconds.toFixed(1) : '-'),
      h('td', {}, stats ? String(stats.peak_participants) : '-'),
      h('td', {}, stats ? `${(stats.busy_rate * 100).toFixed(1)}%` : '-'),
      h('td', {}, stats ? ms(stats.press_to_grant_avg_ms, stats.press_to_grant_p95_ms) : '-'),
      h('td', {}, stats ? ms(stats.notify_avg_ms, stats.notify_p95_ms) : '-'))
  }))
}

function renderEvents() {
  const list = $('events')
  if (!recentEvents.length) return replace(list, h('li', { class: 'empty' }, '-'))
  replace(list, recentEvents.map((e) => h('li', { 'data-type': e.type },
    h('span', { class: 'time' }, clock(e.time)),
    h('span', { class: 'office' }, e.office),
    h('span', { class: 'what' }, t(`event.${e.type}`)),
    h('span', { class: 'who' }, e.detail ? `${e.who} (${reasonLabel(e.detail)})` : e.who),
    e.sessionId ? h('button', { type: 'button', class: 'details', onclick: () => showSession(e.sessionId) }, t('dash.details')) : null)))
}

/** One ended transmission in detail (GET /api/ptt/sessions/{id}): who heard it, joined and left when, their reported delays. */
async function showSession(sessionId) {
  const panel = $('drilldown')
  let s
  try {
    s = await api(`/api/ptt/sessions/${encodeURIComponent(sessionId)}`)
  } catch {
    panel.hidden = false
    return replace(panel, h('p', { class: 'error' }, t('dash.ops.failed')))
  }
  const ms = (v) => (v == null ? '-' : `${fmt(v)}ms`)
  panel.hidden = false
  replace(panel,
    h('div', { class: 'panel-head' },
      h('h2', {}, `${s.office} · ${s.speaker.name}`),
      h('button', { type: 'button', class: 'close', onclick: () => { panel.hidden = true } }, t('dash.close'))),
    h('p', { class: 'summary' }, `${clock(s.started_at)} · ${s.duration_ms == null ? '-' : duration(s.duration_ms)} · ${s.end_reason ? reasonLabel(s.end_reason) : '-'}`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'listeners' },
      h('thead', {}, h('tr', {}, ['dash.listener', 'dash.device', 'dash.joined', 'dash.left', 'dash.notify', 'dash.frames'].map((k) => h('th', {}, t(k))))),
      h('tbody', {}, s.listeners.map((l) => h('tr', { 'data-user': l.user_id },
        h('td', {}, l.name), h('td', {}, l.device ?? ''), h('td', {}, clock(l.joined_at)),
        h('td', {}, l.left_at == null ? '-' : `${clock(l.left_at)}${l.left_reason ? ` (${reasonLabel(l.left_reason)})` : ''}`),
        h('td', {}, ms(l.notify_ms)),
        // Audio frames the listener was sent, of those the speaker's node relayed (did driver X hear it?).
        h('td', { class: 'frames' }, l.frames_heard == null ? '-' : `${l.frames_heard} / ${s.frames_relayed ?? '-'}`)))))))
}

/** Sessions per hour of today and the average press→grant latency, from SESSION_STARTED events. */
async function loadChart() {
  const midnight = new Date()
  midnight.setHours(0, 0, 0, 0)
  const counts = Array(24).fill(0)
  const sums = Array(24).fill(0)
  const samples = Array(24).fill(0)
  for (const office of offices.keys()) {
    let after
    for (let page = 0; page < 10; page++) {
      const query = new URLSearchParams({ office, type: 'SESSION_STARTED', from: String(midnight.getTime()), limit: '1000' })
      if (after) query.set('after', String(after))
      let body
      try {
        body = await api(`/api/ptt/events?${query}`)
      } catch {
        break
      }
      for (const e of body.items) {
        const hour = new Date(e.time).getHours()
        counts[hour]++
        const us = Number(parseMeta(e.metadata).press_to_grant_us)
        if (Number.isFinite(us)) {
          sums[hour] += us / 1000
          samples[hour]++
        }
      }
      if (!body.next_after) break
      after = body.next_after
    }
  }
  // An hour without sessions has no bar (a zero-height bar would draw a line along the axis).
  chartData = [chartData[0], counts.map((c) => c || null), sums.map((s, i) => (samples[i] ? Math.round((s / samples[i]) * 1000) / 1000 : null))]
  renderChart()
}

function bumpChart(startedAt) {
  const hour = new Date(startedAt).getHours()
  chartData[1][hour] = (chartData[1][hour] ?? 0) + 1
  renderChart()
}

function renderChart(rebuild = false) {
  const host = $('chart')
  const width = Math.max(280, host.clientWidth)
  if (chart && rebuild) {
    chart.destroy()
    chart = null
  }
  if (!chart) {
    chart = new uPlot({
      width, height: 250,
      scales: { x: { time: false, range: [-0.5, 23.5] }, n: { range: (u, min, max) => [0, Math.max(4, max + 1)] }, ms: {} },
      series: [
        { label: 'h' },
        { label: t('dash.chart.sessions'), scale: 'n', stroke: '#60a5fa', fill: 'rgba(96,165,250,0.35)', paths: uPlot.paths.bars({ size: [0.7] }), points: { show: false } },
        { label: t('dash.chart.latency'), scale: 'ms', stroke: '#f59e0b', width: 2, spanGaps: true, points: { show: true, size: 6 } },
      ],
      axes: [
        { stroke: '#a9b0b8', grid: { stroke: '#2a2f35' }, ticks: { stroke: '#343a41' }, splits: () => [0, 3, 6, 9, 12, 15, 18, 21],
          values: (u, vals) => vals.map((v) => `${v}${t('dash.hour')}`) },
        { scale: 'n', stroke: '#93c5fd', grid: { stroke: '#2a2f35' }, ticks: { stroke: '#343a41' }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        { scale: 'ms', side: 1, stroke: '#fbbf24', grid: { show: false }, ticks: { stroke: '#343a41' } },
      ],
      legend: { live: false },
    }, chartData, host)
  } else {
    chart.setData(chartData)
  }
}

function appLabel(appType) {
  const label = t(`role.${appType}`)
  return label === `role.${appType}` ? appType : label
}

function fmt(value) {
  return value == null ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(0)
}

function parseMeta(metadata) {
  try {
    return metadata ? JSON.parse(metadata) : {}
  } catch {
    return {}
  }
}
