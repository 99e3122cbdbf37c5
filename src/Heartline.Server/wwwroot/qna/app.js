// The Q&A app (/qna/, seed 003): sign in, locate (geolocation, or a neighbourhood picked when it is refused), ask,
// nearby questions with distances, a question's room (answers, typing, read state, accept), notifications with the
// urgent cue, settings with Web Push. Drives /sdk/qna.js. Every text from users or the server becomes a text node.
// Tests read document.body.dataset.view / cue, #where[data-state], li[data-question-id], li[data-answer-id][data-state],
// #typing, #points, #notif-count and globalThis.__qna.
import { $, h, replace, setHidden, setText } from '/app/dom.js'
import { languageSwitch } from '/app/i18n.js'
import { followConnection, startSession } from '/app/session.js'
import { QnaClient } from '/sdk/qna.js'
import { applyTexts, errorText, lang, onLanguage, t } from './i18n.js'

const CUE_SHOW_MS = 8000
const state = {
  here: null, // {lat, lng, source: 'gps' | 'region', region}
  regions: [],
  nearby: [],
  room: null,
  question: null,
  answers: [],
  reads: new Map(),
  typing: [],
  notifications: [],
  unreadNotifications: 0,
  cueTimer: undefined,
}

applyTexts()
languageSwitch($('lang'))
onLanguage(() => renderAll())

const { getToken, client } = await startSession({ app: 'qna', roles: ['qna_user'], container: $('signin'), appType: 'qna' })
const qna = new QnaClient(client)
globalThis.__qna = qna

followConnection(client, 'qna', $('conn'), t)
qna.on('notification', (n) => onNotification(n))
qna.on('read', () => refreshCounts())
qna.on('restored', () => {
  refreshCounts()
  if (state.here) loadNearby()
})

await client.connect()
await qna.start()
$('app').hidden = false
refreshCounts()
refreshPoints()
locate()
wireForms()
window.addEventListener('hashchange', route)
document.addEventListener('visibilitychange', markRoomRead)
route()

// ---- location ----------------------------------------------------------------------------------------------------

function locate() {
  if (!navigator.geolocation) return pickRegion()
  navigator.geolocation.getCurrentPosition(
    (pos) => setHere(pos.coords.latitude, pos.coords.longitude, 'gps'),
    () => pickRegion(),
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 })
  navigator.geolocation.watchPosition((pos) => state.here?.source === 'gps' && setHere(pos.coords.latitude, pos.coords.longitude, 'gps'),
    () => {}, { enableHighAccuracy: false, maximumAge: 60000 })
}

async function pickRegion() {
  const where = $('where')
  where.dataset.state = 'denied'
  where.dataset.i18n = 'qna.where.denied'
  setText(where, t('qna.where.denied'))
  $('region-field').hidden = false
  if (!state.regions.length) {
    const response = await fetch('/api/qna/regions', { headers: { authorization: `Bearer ${await getToken()}` } })
    state.regions = response.ok ? await response.json() : []
  }
  const select = $('region')
  replace(select, h('option', { value: '' }, '—'), state.regions.map((r) => h('option', { value: r.code }, lang() === 'en' ? r.name_en : r.name_ko)))
  select.onchange = () => {
    const region = state.regions.find((r) => r.code === select.value)
    if (region) setHere(region.lat, region.lng, 'region')
  }
}

async function setHere(lat, lng, source) {
  state.here = { lat, lng, source }
  try {
    const reply = await qna.updateLocation(lat, lng)
    if (reply?.region) state.here.region = reply.region
    const where = $('where')
    where.dataset.state = source
    delete where.dataset.i18n
    renderWhere()
    loadNearby()
  } catch (err) {
    showError($('ask-result'), err)
    if (err.code === 'qna_outside_jeju') pickRegion()
  }
}

function renderWhere() {
  if (!state.here) return
  const region = state.here.region
  const name = region ? (lang() === 'en' ? region.name_en : region.name_ko) : ''
  setText($('where'), `${state.here.source === 'gps' ? t('qna.where.gps') : t('qna.where.pick')}${name ? ` · ${name}` : ''}`)
}

// ---- nearby and asking -------------------------------------------------------------------------------------------

async function loadNearby() {
  if (!state.here) return
  try {
    const reply = await qna.nearby({ lat: state.here.lat, lng: state.here.lng, limit: 20 })
    state.nearby = reply.questions
    renderNearby()
  } catch (err) {
    showError($('ask-result'), err)
  }
}

function renderNearby() {
  const list = $('nearby')
  if (!state.nearby.length) return replace(list, h('li', { class: 'empty' }, t('qna.nearby.empty')))
  replace(list, state.nearby.map((q) => h('li', { 'data-question-id': q.id, 'data-urgency': q.urgency },
    h('a', { href: `#q/${q.id}` },
      q.urgency === 'urgent' ? h('span', { class: 'urgent-badge' }, t('qna.urgent')) : null,
      h('p', { class: 'body' }, q.body),
      h('div', { class: 'meta' },
        q.hashtags.map((tag) => h('span', { class: 'tag' }, `#${tag}`)),
        h('span', { class: 'distance' }, distanceText(q.distance_m)),
        h('span', {}, regionName(q.region)),
        h('span', {}, t('qna.answers.count', { n: q.answer_count })),
        h('span', {}, t(`qna.status.${q.status}`)),
        h('span', {}, ago(q.created_at)))))))
}

function wireForms() {
  $('ask').addEventListener('submit', async (e) => {
    e.preventDefault()
    const result = $('ask-result')
    if (!state.here) return setText(result, t('qna.where.denied'))
    const hashtags = $('ask-tags').value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean)
    try {
      const { question } = await qna.ask({
        body: $('ask-body').value, hashtags, lat: state.here.lat, lng: state.here.lng, urgency: $('ask-urgent').checked ? 'urgent' : 'normal',
      })
      $('ask-body').value = ''
      $('ask-tags').value = ''
      $('ask-urgent').checked = false
      setText(result, t('qna.ask.sent'))
      location.hash = `#q/${question.id}`
    } catch (err) {
      showError(result, err)
    }
  })
  $('answer').addEventListener('submit', async (e) => {
    e.preventDefault()
    if (!state.room) return
    const body = $('answer-body')
    try {
      await state.room.answer(body.value)
      body.value = ''
    } catch (err) {
      announce(errorText(err.code))
    }
  })
  $('answer-body').addEventListener('input', () => state.room?.input())
  $('bell').addEventListener('click', () => (location.hash = '#notifications'))
  $('settings-open').addEventListener('click', () => (location.hash = '#settings'))
  $('read-all').addEventListener('click', async () => {
    await qna.markNotificationsRead()
    await loadNotifications()
  })
  $('settings').addEventListener('submit', saveSettings)
  $('cue').addEventListener('click', () => {
    const id = $('cue').dataset.questionId
    if (id) location.hash = `#q/${id}`
  })
}

// ---- routing -----------------------------------------------------------------------------------------------------

function route() {
  const hash = location.hash.replace(/^#/, '')
  const view = hash.startsWith('q/') ? 'room' : hash === 'notifications' ? 'notifications' : hash === 'settings' ? 'settings' : 'list'
  document.body.dataset.view = view
  setHidden($('list-view'), view !== 'list')
  setHidden($('room-view'), view !== 'room')
  setHidden($('notifications-view'), view !== 'notifications')
  setHidden($('settings-view'), view !== 'settings')
  if (view !== 'room' && state.room) leaveRoom()
  if (view === 'room') openRoom(decodeURIComponent(hash.slice(2)))
  else if (view === 'notifications') loadNotifications()
  else if (view === 'settings') loadSettings()
  else loadNearby()
}

// ---- a question's room -------------------------------------------------------------------------------------------

async function openRoom(questionId) {
  if (state.room?.questionId === questionId) return
  if (state.room) leaveRoom()
  try {
    const room = await qna.openRoom(questionId)
    state.room = room
    state.question = room.state.question
    state.answers = room.state.answers
    state.reads = new Map(room.state.reads.map((r) => [r.user_id, r]))
    state.typing = []
    room.on('answer', ({ answer }) => {
      if (!state.answers.some((a) => a.id === answer.id)) state.answers.push(answer)
      state.question.answer_count = Math.max(state.question.answer_count, answer.seq)
      if (state.question.status === 'open') state.question.status = 'answered'
      renderRoom()
      markRoomRead()
    })
    room.on('accepted', () => {
      state.question = { ...state.question, ...room.question }
      renderRoom()
      refreshPoints()
    })
    room.on('receipt', (r) => {
      state.reads.set(r.user_id, { user_id: r.user_id, delivered_seq: r.delivered_seq, read_seq: r.read_seq })
      renderRoom()
    })
    room.on('closed', () => {
      state.question.status = 'closed'
      renderRoom()
    })
    room.on('typing', ({ users }) => {
      state.typing = users
      renderTyping()
    })
    room.on('viewers', renderViewers)
    renderViewers({ users: [...room.viewers.values()] })
    renderRoom()
    markRoomRead()
  } catch (err) {
    replace($('question'), h('p', { class: 'error' }, errorText(err.code)))
  }
}

function leaveRoom() {
  state.room?.close()
  state.room = null
  state.question = null
  state.answers = []
  state.typing = []
}

/** Reports this device read every answer there is, while the room is on screen. */
function markRoomRead() {
  const room = state.room
  if (!room || document.visibilityState !== 'visible' || !state.question) return
  const mine = state.reads.get(qna.userId)
  const last = state.question.answer_count
  if (last > 0 && (!mine || mine.read_seq < last)) {
    room.receipt({ readSeq: last }).then((r) => {
      state.reads.set(qna.userId, { user_id: qna.userId, delivered_seq: r.delivered_seq, read_seq: r.read_seq })
      refreshCounts()
    }).catch(() => {})
  }
}

function renderRoom() {
  const q = state.question
  if (!q) return
  const mine = q.asker_id === qna.userId
  replace($('question'),
    q.urgency === 'urgent' ? h('span', { class: 'urgent-badge' }, t('qna.urgent')) : null,
    h('p', { class: 'body', id: 'question-body' }, q.body),
    h('div', { class: 'meta' },
      q.hashtags.map((tag) => h('span', { class: 'tag' }, `#${tag}`)),
      h('span', {}, q.asker_name),
      h('span', {}, regionName(q.region)),
      h('span', { id: 'question-status', 'data-status': q.status }, t(`qna.status.${q.status}`)),
      h('span', {}, ago(q.created_at))))
  const asker = state.reads.get(q.asker_id)
  const list = $('answers')
  if (!state.answers.length) replace(list, h('li', { class: 'empty' }, t('qna.answers.empty')))
  else {
    replace(list, state.answers.map((a) => {
      const accepted = q.accepted_answer_id === a.id
      // An answer's state as its author sees it: sent, then delivered to and read by the asker.
      const answerState = asker && asker.read_seq >= a.seq ? 'read' : asker && asker.delivered_seq >= a.seq ? 'delivered' : 'sent'
      const canAccept = mine && a.author_id !== qna.userId && !q.accepted_answer_id && q.status !== 'closed'
      return h('li', { 'data-answer-id': a.id, 'data-state': answerState, 'data-accepted': String(accepted) },
        h('div', { class: 'meta' }, h('strong', {}, a.author_name), h('span', {}, ago(a.created_at)),
          a.author_id === qna.userId ? h('span', { class: 'state', 'data-state': answerState }, t(`qna.${answerState}`)) : null,
          accepted ? h('span', { class: 'accepted' }, `✔ ${t('qna.accepted')}`) : null),
        h('p', { class: 'body' }, a.body),
        canAccept ? h('button', { type: 'button', class: 'accept', onclick: () => accept(a.id) }, t('qna.accept')) : null)
    }))
  }
  setHidden($('answer'), q.status === 'closed')
  renderTyping()
}

/** Who else has the question open right now (this user's own devices are not counted). */
function renderViewers({ users }) {
  const others = users.filter((u) => u.userId !== qna.userId)
  const el = $('viewers')
  el.dataset.count = String(others.length)
  setText(el, others.length === 0 ? '' : others.length === 1 ? t('qna.viewers.one', { name: others[0].name }) : t('qna.viewers.many', { n: others.length }))
}

function renderTyping() {
  const users = state.typing
  setText($('typing'), users.length === 0 ? '' : users.length === 1 ? t('qna.typing.one', { name: users[0] }) : t('qna.typing.many', { n: users.length }))
}

async function accept(answerId) {
  try {
    await qna.accept(answerId)
  } catch (err) {
    announce(errorText(err.code))
  }
}

// ---- notifications -----------------------------------------------------------------------------------------------

function onNotification(n) {
  state.unreadNotifications++
  renderCount()
  cue(n)
  if (n.kind === 'accepted') refreshPoints()
  if (n.kind === 'question' && document.body.dataset.view === 'list') loadNearby()
  if (document.body.dataset.view === 'notifications') loadNotifications()
}

/** The page's own cue: a banner, a sound and a vibration, strong for urgent questions (priority high). */
function cue(n) {
  const node = $('cue')
  node.dataset.priority = n.priority
  node.dataset.questionId = n.question.id
  node.dataset.kind = n.kind
  if (n.tier) node.dataset.tier = String(n.tier)
  else delete node.dataset.tier
  setText(node, `${notificationTitle(n)} — ${n.answer?.body ?? n.question.body}`)
  node.hidden = false
  document.body.dataset.cue = n.priority
  clearTimeout(state.cueTimer)
  state.cueTimer = setTimeout(() => {
    node.hidden = true
    delete document.body.dataset.cue
  }, CUE_SHOW_MS)
  const strong = n.vibration === 'strong'
  navigator.vibrate?.(strong ? [200, 100, 200, 100, 400] : n.vibration === 'light' ? [80] : 0)
  if (n.sound !== 'none') beep(strong ? [880, 0, 880, 0, 1175] : [660])
  announce(notificationTitle(n))
}

function notificationTitle(n) {
  if (n.kind === 'answer') return t('qna.notify.answer')
  if (n.kind === 'accepted') return t('qna.notify.accepted', { n: n.points ?? 0 })
  return n.priority === 'high' ? t('qna.notify.question.urgent') : t('qna.notify.question')
}

let audio
function beep(tones) {
  try {
    audio ??= new AudioContext()
    let at = audio.currentTime
    for (const freq of tones) {
      if (freq) {
        const osc = audio.createOscillator()
        const gain = audio.createGain()
        osc.frequency.value = freq
        gain.gain.setValueAtTime(0.2, at)
        gain.gain.exponentialRampToValueAtTime(0.001, at + 0.18)
        osc.connect(gain).connect(audio.destination)
        osc.start(at)
        osc.stop(at + 0.2)
      }
      at += 0.22
    }
  } catch {
    // no audio: the banner and vibration remain
  }
}

async function loadNotifications() {
  const reply = await qna.notifications({ limit: 50 })
  state.notifications = reply.items
  state.unreadNotifications = reply.unread
  renderCount()
  const list = $('notifications')
  if (!reply.items.length) return replace(list, h('li', { class: 'empty' }, t('qna.notifications.empty')))
  replace(list, reply.items.map(({ notification: n, read_at: readAt }) => h('li', {
    'data-notification-id': n.id, 'data-read': String(readAt !== null && readAt !== undefined), 'data-priority': n.priority, 'data-kind': n.kind,
  },
  h('a', {
    href: `#q/${n.question.id}`,
    onclick: () => qna.markNotificationsRead([n.id]).then(() => refreshCounts()).catch(() => {}),
  }, h('strong', {}, notificationTitle(n)), h('p', { class: 'body' }, n.answer?.body ?? n.question.body),
  h('div', { class: 'meta' }, n.distance_m !== undefined ? h('span', {}, distanceText(n.distance_m)) : null, h('span', {}, ago(n.created_at)))))))
}

async function refreshCounts() {
  try {
    const unread = await qna.unread()
    state.unreadNotifications = unread.notifications
    renderCount()
  } catch {
    // disconnected: the next 'restored' refreshes
  }
}

function renderCount() {
  const count = $('notif-count')
  setText(count, String(state.unreadNotifications))
  setHidden(count, state.unreadNotifications === 0)
}

async function refreshPoints() {
  try {
    setText($('points'), String((await qna.points()).points))
  } catch {
    // disconnected
  }
}

// ---- settings and Web Push ---------------------------------------------------------------------------------------

async function loadSettings() {
  const s = await qna.settings()
  $('set-notify').checked = s.notify
  $('set-radius').value = String(s.radius_m / 1000)
  $('set-quiet-start').value = s.quiet_start ?? ''
  $('set-quiet-end').value = s.quiet_end ?? ''
  $('set-expertise').value = s.expertise.map((tag) => `#${tag}`).join(' ')
  $('set-push').checked = s.push && (await currentPushSubscription()) !== null
}

async function saveSettings(e) {
  e.preventDefault()
  const result = $('settings-result')
  try {
    const push = $('set-push').checked
    if (push) await subscribePush()
    else await unsubscribePush()
    await qna.settings({
      notify: $('set-notify').checked,
      radius_m: Math.round(Number($('set-radius').value || 100) * 1000),
      quiet_start: $('set-quiet-start').value,
      quiet_end: $('set-quiet-end').value,
      expertise: $('set-expertise').value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean),
      push,
    })
    setText(result, t('qna.settings.saved'))
  } catch (err) {
    setText(result, err.code ? errorText(err.code) : t(err.message))
  }
}

async function currentPushSubscription() {
  if (!('serviceWorker' in navigator) || !('PushManager' in globalThis)) return null
  const registration = await navigator.serviceWorker.getRegistration('/qna/')
  return (await registration?.pushManager.getSubscription()) ?? null
}

async function subscribePush() {
  if (!('serviceWorker' in navigator) || !('PushManager' in globalThis)) throw new Error('qna.push.unsupported')
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('qna.push.denied')
  const registration = await navigator.serviceWorker.register('/qna/sw.js', { scope: '/qna/' })
  await navigator.serviceWorker.ready
  const response = await fetch('/api/qna/push/key', { headers: { authorization: `Bearer ${await getToken()}` } })
  const { public_key: key } = await response.json()
  const subscription = await registration.pushManager.getSubscription()
    ?? await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(key) })
  await qna.subscribePush(subscription)
}

async function unsubscribePush() {
  const subscription = await currentPushSubscription()
  if (!subscription) return
  await qna.unsubscribePush(subscription.endpoint)
  await subscription.unsubscribe()
}

function base64UrlBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=')
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
}

// ---- text helpers ------------------------------------------------------------------------------------------------

function distanceText(m) {
  if (m === undefined || m === null) return ''
  return m < 1000 ? t('qna.distance.m', { n: m }) : t('qna.distance.km', { n: (m / 1000).toFixed(1) })
}

function regionName(region) {
  return region ? (lang() === 'en' ? region.name_en : region.name_ko) : ''
}

function ago(ms) {
  const minutes = Math.floor((Date.now() - ms) / 60000)
  if (minutes < 1) return t('qna.ago.now')
  if (minutes < 60) return t('qna.ago.min', { n: minutes })
  return t('qna.ago.hour', { n: Math.floor(minutes / 60) })
}

function showError(node, err) {
  setText(node, err?.code ? errorText(err.code) : String(err?.message ?? err))
}

function announce(text) {
  setText($('announce'), text)
}

function renderAll() {
  renderWhere()
  renderNearby()
  renderRoom()
  renderCount()
  if (document.body.dataset.view === 'notifications') loadNotifications()
}
