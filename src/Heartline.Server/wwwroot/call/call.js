// The guest call page: join by name (the guest kept in localStorage is reused while its token is valid), who is
// online, video and voice calls with ring tones, the incoming-call screen, mute, camera, hang-up, the call time, and
// the reconnecting and ended states. It drives /sdk/voip.js through the WebView API (connectAsGuest, VoipUtils),
// loaded as a classic script before this module, as an Android WebView would. `?relay=1` sends media through TURN
// only. Tests read document.body.dataset.callState / callReason / tone, #my-id and globalThis.__voip (the connection).
import { $, duration, h, replace, setHidden, setText } from '/app/dom.js'
import { languageSwitch } from '/app/i18n.js'
import { applyTexts, errorText, onLanguage, reasonText, t } from './i18n.js'
import { CallTones } from './tones.js'

const { HeartlineVoip, VoipUtils, connectAsGuest } = globalThis
const STORAGE_KEY = 'heartline.call.guest'
const ENDED_SHOW_MS = 5000
const NOTICE_SHOW_MS = 6000
const LIVE = new Set(['calling', 'ringing', 'incoming', 'connecting', 'active', 'reconnecting'])
const IN_CALL = new Set(['calling', 'ringing', 'connecting', 'active', 'reconnecting'])
/** Errors a call's end reason already explains (or that need no words). */
const QUIET = new Set(['voip_busy', 'voip_unreachable', 'voip_in_call', 'voip_no_call', 'closed', 'ice_servers_unavailable', 'timeout'])

const params = new URLSearchParams(location.search)
const connectOptions = {
  storageKey: STORAGE_KEY,
  iceTransportPolicy: params.get('relay') === '1' ? 'relay' : 'all',
  tenant: params.get('tenant') || undefined,
}

const tones = new CallTones()
const ui = { joined: false, call: null, online: [], notice: null, noticeTimer: undefined, endedTimer: undefined, clock: undefined, blocked: false }
Object.defineProperty(globalThis, '__voip', { get: () => VoipUtils.connection, configurable: true })

const remoteVideo = $('remote-video')
const localVideo = $('local-video')

applyTexts()
languageSwitch($('lang'))
onLanguage(() => {
  renderOnline()
  render()
})

VoipUtils.on('state', () => render())
VoipUtils.on('disconnected', () => render())
VoipUtils.on('guest', (guest) => {
  setText($('my-id'), guest.id)
  setText($('my-name'), guest.name)
  $('me-line').hidden = false
  if (guest.readmitted) notice('call.readmitted')
})
VoipUtils.on('online', (list) => {
  ui.online = list
  renderOnline()
})
VoipUtils.on('call', (call) => onCall(call))
VoipUtils.on('error', (err) => {
  if (QUIET.has(err.code)) return
  if (!ui.joined) {
    setText($('join-error'), errorText(err.code))
    return
  }
  notice(`call.error.${err.code}`, errorText(err.code))
})

// Browsers start audio after a gesture: a page restored with a kept guest has had none yet.
const unlock = () => {
  tones.unlock()
  if (ui.blocked) playRemote()
}
document.addEventListener('pointerdown', unlock, { capture: true })
document.addEventListener('keydown', unlock, { capture: true })
$('sound').addEventListener('click', unlock)

$('join-form').addEventListener('submit', (e) => {
  e.preventDefault()
  const name = $('join-name').value.trim()
  if (!name || name.length > 40) {
    setText($('join-error'), errorText('bad_request'))
    return
  }
  join(name, $('join-invitation').value.trim() || undefined)
})
$('leave').addEventListener('click', () => {
  VoipUtils.disconnect({ forget: true })
  ui.joined = false
  ui.call = null
  ui.online = []
  renderOnline()
  showJoin()
})
$('reconnect').addEventListener('click', () => VoipUtils.connection?.connect().catch(() => {}))
$('accept').addEventListener('click', () => VoipUtils.accept().catch(() => {}))
$('reject').addEventListener('click', () => VoipUtils.reject().catch(() => {}))
$('hangup').addEventListener('click', () => VoipUtils.hangUp().catch(() => {}))
$('mute').addEventListener('click', () => VoipUtils.setMuted(!ui.call?.muted))
$('camera').addEventListener('click', () => VoipUtils.setCameraOn(!ui.call?.cameraOn))
$('dismiss').addEventListener('click', () => {
  ui.call = null
  render()
})
remoteVideo.addEventListener('pause', () => render())

const kept = HeartlineVoip.storedGuest(STORAGE_KEY)
if (kept) join(kept.name)
else showJoin()
render()
renderOnline()

function showJoin() {
  $('join').hidden = false
  $('app').hidden = true
  $('leave').hidden = true
  $('conn').hidden = true
  $('me-line').hidden = true
  const submit = $('join-form').querySelector('button[type=submit]')
  submit.disabled = false
  submit.dataset.i18n = 'call.join.submit'
  submit.textContent = t('call.join.submit')
  $('join-name').focus()
}

function join(name, invitation) {
  tones.unlock()
  setText($('join-error'), '')
  const submit = $('join-form').querySelector('button[type=submit]')
  submit.disabled = true
  submit.dataset.i18n = 'call.join.joining'
  submit.textContent = t('call.join.joining')
  const connection = connectAsGuest('', name, { ...connectOptions, invitation })
  connection.connect().then(() => {
    if (VoipUtils.connection !== connection) return
    ui.joined = true
    $('join').hidden = true
    $('app').hidden = false
    $('leave').hidden = false
    $('conn').hidden = false
    render()
  }, (err) => {
    if (VoipUtils.connection !== connection) return
    HeartlineVoip.forgetGuest(STORAGE_KEY)
    showJoin()
    $('join-name').value = name
    setText($('join-error'), errorText(err.code))
  })
}

function onCall(call) {
  const previous = ui.call?.state
  ui.call = call
  clearTimeout(ui.endedTimer)
  attach(localVideo, call.state === 'ended' ? null : call.localStream)
  attach(remoteVideo, call.state === 'ended' ? null : call.remoteStream)
  if (call.state === 'incoming') tones.loop('ring')
  else if (call.state === 'ringing') tones.loop('ringback')
  else if (call.state === 'ended' && previous && previous !== 'ended') tones.ended()
  else tones.loop(null)
  if (call.state === 'ended') {
    ui.endedTimer = setTimeout(() => {
      if (ui.call === call) {
        ui.call = null
        render()
      }
    }, ENDED_SHOW_MS)
  }
  if (call.state !== previous) setText($('announce'), `${t(`call.state.${call.state}`)} ${call.peer.name}`)
  render()
  if (call.state === 'incoming' && previous !== 'incoming') $('accept').focus()
}

function attach(video, stream) {
  if (video.srcObject === (stream ?? null)) return
  video.srcObject = stream ?? null
  if (stream && video === remoteVideo) playRemote()
}

function playRemote() {
  remoteVideo.play().then(() => {
    ui.blocked = false
    render()
  }, (err) => {
    // Autoplay refused (no gesture yet): the sound button asks for one.
    ui.blocked = err?.name === 'NotAllowedError'
    render()
  })
}

function notice(key, text = t(key)) {
  ui.notice = { key, text }
  clearTimeout(ui.noticeTimer)
  ui.noticeTimer = setTimeout(() => {
    ui.notice = null
    render()
  }, NOTICE_SHOW_MS)
  render()
}

function render() {
  const call = ui.call
  const state = call?.state ?? 'idle'
  const connection = VoipUtils.connection
  const connState = connection?.state ?? 'idle'
  document.body.dataset.callState = state
  // A tab in the background still says that someone is calling.
  document.title = state === 'incoming' ? `${t('call.state.incoming')} · ${call.peer.name}` : `${t('call.title')} · Heartline`
  if (call?.state === 'ended') document.body.dataset.callReason = call.reason
  else if (call) delete document.body.dataset.callReason

  const conn = $('conn')
  conn.dataset.state = connState
  setText(conn, connState === 'idle' ? '' : t(`conn.${connState}`))

  $('call-status').dataset.state = state
  setText($('call-label'), t(`call.state.${state}`))
  setText($('peer-name'), call?.peer.name ?? '')
  setHidden($('call-media'), !call)
  setText($('call-media'), call ? t(`call.media.${call.media}`) : '')
  let detail = ''
  if (state === 'ended') detail = reasonText(call.reason, call.endedByMe)
  else if (state === 'reconnecting' && call.away !== 'media') detail = t(call.away === 'self' ? 'call.away.self' : 'call.away.peer')
  setText($('call-reason'), detail)
  renderTimer(call)

  const video = call?.media === 'video'
  // Until the call is answered there is no remote picture: the caller's initial stands in (and the own camera).
  const pictureless = !video || state === 'incoming' || state === 'calling' || state === 'ringing'
  setHidden($('videos'), !LIVE.has(state))
  $('videos').classList.toggle('audio-only', pictureless)
  setHidden($('remote-avatar'), !pictureless)
  setText($('remote-avatar'), call ? Array.from(call.peer.name.trim())[0] ?? '?' : '')
  setHidden(localVideo, !video || !call?.localStream)

  setHidden($('accept'), state !== 'incoming')
  setHidden($('reject'), state !== 'incoming')
  setHidden($('hangup'), !IN_CALL.has(state))
  setHidden($('mute'), !IN_CALL.has(state))
  setHidden($('camera'), !IN_CALL.has(state) || !video)
  setHidden($('dismiss'), state !== 'ended')
  const mute = $('mute')
  mute.setAttribute('aria-pressed', String(!!call?.muted))
  setText(mute, t(call?.muted ? 'call.unmute' : 'call.mute'))
  const camera = $('camera')
  camera.setAttribute('aria-pressed', String(call ? !call.cameraOn : false))
  setText(camera, t(call && !call.cameraOn ? 'call.camera.on' : 'call.camera.off'))

  setHidden($('sound'), !(ui.blocked || (tones.suspended && LIVE.has(state))))
  setHidden($('reconnect'), !(ui.joined && connState === 'closed'))
  let text = ui.notice?.text ?? ''
  if (!text && ui.joined && connState === 'closed') text = t('call.closed')
  setText($('notice'), text)

  const canCall = connState === 'connected' && !LIVE.has(state)
  for (const button of document.querySelectorAll('#online button[data-media]')) button.disabled = !canCall
}

function renderTimer(call) {
  const timer = $('call-timer')
  const running = call && call.connectedAt && (call.state === 'active' || call.state === 'reconnecting')
  const shown = running || (call?.state === 'ended' && call.duration_ms > 0)
  setHidden(timer, !shown)
  clearInterval(ui.clock)
  if (!shown) return
  if (!running) {
    setText(timer, duration(call.duration_ms))
    return
  }
  const tick = () => setText(timer, duration(Date.now() - call.connectedAt))
  tick()
  ui.clock = setInterval(tick, 1000)
}

function renderOnline() {
  const list = $('online')
  if (ui.online.length === 0) {
    replace(list, h('li', { class: 'empty' }, t('call.online.empty')))
    return
  }
  replace(list, ui.online.map((person) => h('li', { 'data-id': person.id },
    h('span', { class: 'who' }, person.name),
    h('code', { class: 'id', title: person.id }, person.id.slice(0, 8)),
    h('span', { class: 'actions' },
      callButton(person, 'video'),
      callButton(person, 'audio')))))
  render()
}

function callButton(person, media) {
  return h('button', {
    type: 'button', class: `call-${media}`, 'data-media': media, 'aria-label': `${person.name}${t(`call.${media}.label`)}`,
    onclick: () => {
      tones.unlock()
      VoipUtils.startCall(person.id, media).catch(() => {})
    },
  }, t(`call.${media}`))
}
