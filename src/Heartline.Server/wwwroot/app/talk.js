// The talking pages (dispatcher console and driver app): sign-in, the PTT button, state at a glance, cues, relay
// audio, recent transmissions and members online. Both pages share the element ids used here.
import { PttClient } from '/sdk/ptt.js'
import { AudioPlayback, MicCapture, audioStats } from './audio.js'
import { CuePlayer } from './cues.js'
import { $, clock, duration, h, replace, setHidden, setText } from './dom.js'
import { applyI18n, lang, languageSwitch, onLangChange, reasonLabel, t } from './i18n.js'
import { handleGiveUp, signOut, startSession } from './session.js'

const BUSY_SHOW_MS = 4000
const RECENT_MAX = 15

/**
 * Starts a talking page.
 * @param {{ app: 'console' | 'driver', role: string, appType: string, onReady?: (ctx: object) => void }} options
 */
export async function startTalkApp({ app, role, appType, onReady }) {
  applyI18n()
  languageSwitch($('lang'))
  $('signout').addEventListener('click', () => signOut(app))
  const { getToken, client } = await startSession({ app, roles: [role], container: $('signin'), appType })
  $('signout').hidden = false
  $('conn').hidden = false
  const cues = new CuePlayer()
  const ptt = new PttClient(client, { language: lang(), getToken })
  /** A GET of the HTTP API with this page's token. */
  const apiGet = async (path) => fetch(path, { headers: { authorization: `Bearer ${await getToken()}` } })
  onLangChange((value) => {
    ptt.setLanguage(value)
    render()
  })
  // latched: transmitting after a screen reader's activation (no pointer), until the next one.
  const ui = { pressed: false, latched: false, busy: null, talkStartedAt: 0, micError: null, listenError: false, missed: 0, emergencyNotice: null }
  const recent = new Map()
  let playback = null
  let capture = null
  const audio = () => {
    playback ??= new AudioPlayback(cues.context)
    capture ??= new MicCapture(cues.context, { onLost: (err) => (ui.pressed || ptt.isTalking) && micFailed(err) })
    return { playback, capture }
  }
  globalThis.heartline = { client, ptt, cues, audioStats, get capture() { return capture } }

  ptt.on('cue', (cue) => cues.play(cue))
  ptt.on('audio', (frame) => audio().playback.push(frame))
  ptt.on('change', () => render())
  // Connected but not subscribed to the office (the SDK retries): said so, since nothing said there is heard.
  ptt.on('error', () => {
    if (client.state === 'connected' && !ptt.listening) ui.listenError = true
    render()
  })
  ptt.on('ready', () => {
    ui.listenError = false
    render()
  })
  ptt.on('talking', (talking) => {
    if (talking) ui.talkStartedAt = Date.now()
    else {
      ui.pressed = ui.latched = false
      capture?.stop()
    }
    render()
  })
  ptt.on('busy', ({ speaker }) => {
    ui.busy = { speaker, until: Date.now() + BUSY_SHOW_MS }
    setTimeout(render, BUSY_SHOW_MS + 50)
    render()
  })
  ptt.on('session_started', (s) => {
    recent.set(s.session_id, { ...recent.get(s.session_id), session_id: s.session_id, speaker: s.speaker, started_at: s.started_at })
    renderRecent()
  })
  ptt.on('session_ended', (s) => {
    const row = recent.get(s.session_id)
    if (row) Object.assign(row, { ended_at: s.ended_at ?? Date.now(), reason: s.reason })
    renderRecent()
  })
  client.on('state', () => render())

  // Emergencies (protocol 10.2): raised with two presses (no dialog), shown to every member until a call manager
  // acknowledges them; call managers see an acknowledge button.
  const emergencies = new Map()
  ptt.on('emergency', (e) => {
    emergencies.set(e.emergency_id, e)
    renderEmergencies()
  })
  ptt.on('emergency_acknowledged', (e) => {
    emergencies.delete(e.emergency_id)
    ui.emergencyNotice = t('emergency.acked').replace('{name}', e.by?.name ?? '')
    renderEmergencies()
    render()
  })
  function renderEmergencies() {
    replace($('emergencies'), [...emergencies.values()].map((e) => h('li', { 'data-emergency': e.emergency_id },
      h('span', {}, t('emergency.alert').replace('{name}', e.user?.name ?? '?')),
      role === 'call_manager'
        ? h('button', { type: 'button', class: 'ack', onclick: () => ptt.acknowledgeEmergency(e.emergency_id).catch(() => {}) }, t('emergency.ack'))
        : null)))
  }
  async function loadEmergencies() {
    try {
      const response = await apiGet('/api/ptt/emergencies')
      if (!response.ok) return
      for (const e of await response.json()) {
        emergencies.set(e.emergency_id, { emergency_id: e.emergency_id, user: { user_id: e.user_id, name: e.name }, at: e.raised_at })
      }
      renderEmergencies()
    } catch {
      // Live emergencies still arrive on the office's channel.
    }
  }
  let emergencyArmedUntil = 0
  $('emergency').addEventListener('click', async () => {
    const button = $('emergency')
    if (Date.now() > emergencyArmedUntil) {
      emergencyArmedUntil = Date.now() + 3000
      button.textContent = t('emergency.confirm')
      button.dataset.armed = 'true'
      setTimeout(() => {
        if (Date.now() < emergencyArmedUntil) return
        button.textContent = t('emergency.button')
        delete button.dataset.armed
      }, 3100)
      return
    }
    emergencyArmedUntil = 0
    button.textContent = t('emergency.button')
    delete button.dataset.armed
    try {
      await ptt.raiseEmergency()
      ui.emergencyNotice = t('emergency.sent')
    } catch (err) {
      ui.emergencyNotice = err.code === 'rate_limited' ? t('emergency.too_soon') : `${t('emergency.button')}: ${err.message}`
    }
    render()
  })
  // A close after which the client does not reconnect (an expired or refused token, a protocol error): never shown
  // as reconnecting. The token's fault signs out to the form with the reason; otherwise the page offers to reconnect.
  client.on('disconnected', ({ code, willReconnect }) => {
    if (willReconnect) return
    ui.pressed = ui.latched = false
    capture?.stop()
    handleGiveUp(app, client, code)
    render()
  })
  $('reconnect').addEventListener('click', () => client.connect().catch(() => {}))

  // Any first gesture unlocks audio: a page restored with a kept token has had none yet. Until then the browser
  // keeps the AudioContext suspended and nothing is heard: a prominent button says so and turns the sound on.
  const unlock = () => cues.unlock()
  document.addEventListener('pointerdown', unlock, { capture: true })
  document.addEventListener('keydown', unlock, { capture: true })
  cues.context.addEventListener('statechange', () => render())
  $('sound').addEventListener('click', unlock)

  wireButton($('ptt'), { press, release, toggle, latched: () => ui.latched })
  document.addEventListener('visibilitychange', () => {
    // A hidden page loses the microphone on phones: stop transmitting (the seed's permanent focus loss).
    if (document.visibilityState === 'hidden' && (ui.pressed || ptt.isTalking)) {
      ui.pressed = ui.latched = false
      capture?.stop()
      ptt.onFocusLost()
    }
  })

  /** Numbers the presses: the continuation of a press that a later press replaced does nothing. */
  let pressSeq = 0

  async function press() {
    if (ui.pressed) return
    const seq = ++pressSeq
    ui.pressed = true
    ui.busy = null
    ui.micError = null
    ui.missed = 0
    ui.emergencyNotice = null
    cues.unlock()
    render()
    let result
    try {
      result = await ptt.start()
    } catch {
      if (seq === pressSeq) ui.pressed = ui.latched = false
      render()
      return
    }
    if (seq !== pressSeq) return
    if (!result.granted) {
      ui.pressed = ui.latched = false
      render()
      return
    }
    if (!ui.pressed || !ptt.isTalking) return
    try {
      const capturing = await audio().capture.start((packet) => ptt.sendAudio(packet))
      if (seq !== pressSeq || !capturing) return
      if (!ui.pressed) await capture.stop()
    } catch (err) {
      if (seq === pressSeq) micFailed(err)
      return
    }
    render()
  }

  /**
   * No microphone (refused, missing, ended, muted): the floor is released at once, so nobody waits on a silent
   * speaker and this page never says "you are talking" without one, and the error is announced.
   */
  function micFailed(err) {
    ui.micError = err
    ui.pressed = ui.latched = false
    audioStats.errors.push(`mic: ${err.name}: ${err.message}`)
    capture?.stop()
    ptt.stop().catch(() => {})
    render()
  }

  /** A screen reader's activation: starts a latched transmission, or ends the current one. */
  function toggle() {
    if (ui.pressed || ptt.isTalking) return release()
    press()
    ui.latched = ui.pressed
    render()
  }

  async function release() {
    if (!ui.pressed) return
    ui.pressed = ui.latched = false
    render()
    await capture?.stop()
    await ptt.stop()
    render()
  }

  function state() {
    if (client.state === 'closed') return 'closed'
    if (client.state !== 'connected') return 'reconnecting'
    if (!ptt.listening && !ptt.isTalking && !ui.pressed) return 'not_listening'
    if (ptt.isTalking) return 'talking'
    if (ui.pressed) return 'pressing'
    if (ui.busy && ui.busy.until > Date.now()) return 'busy'
    // Not our own session in the moment between a release and its session_ended: that is no one to listen to.
    if (ptt.currentSpeaker && !ptt.session?.mine) return 'listening'
    return 'idle'
  }

  function render() {
    const s = state()
    const status = $('status')
    status.className = `status state-${s}`
    status.dataset.state = s
    document.body.dataset.state = s
    const muted = cues.context.state !== 'running'
    document.body.dataset.muted = String(muted)
    setHidden($('sound'), !muted)
    const label = t(s === 'listening' && muted ? 'state.listening_muted' : `state.${s}`)
    setText($('state-label'), label)
    const speaker = s === 'busy' ? ui.busy.speaker : ptt.currentSpeaker
    let [who, what] = ['', '']
    if (s === 'talking') what = t('speaker.you')
    else if ((s === 'listening' || s === 'busy') && speaker) [who, what] = [speaker.name, t(s === 'busy' ? 'busy.retry' : 'speaker.talking')]
    const name = $('speaker-name')
    setText(name, who)
    setText($('speaker-suffix'), what)
    setHidden(name.parentElement, !who && !what)
    // The one live region of the state: written when what it says changes, so a screen reader hears each state
    // change once (the status box itself, with its running timer, is not live).
    setText($('announce'), who || what ? `${label}, ${who}${what}` : label)
    const button = $('ptt')
    button.dataset.state = s
    button.setAttribute('aria-pressed', String(ui.pressed || s === 'talking'))
    const transmitting = s === 'talking' || s === 'pressing'
    setText($('ptt-label'), t(transmitting && ui.latched ? 'ptt.latched' : transmitting ? 'ptt.release' : 'ptt.hold'))
    const preempt = role === 'call_manager' && s === 'listening' && ptt.currentSpeaker?.app_type === 'pickup_driver'
    setText($('notice'), s === 'closed' ? t('closed.notice') : s === 'not_listening' && ui.listenError ? t('listen.failed')
      : preempt ? t('ptt.preempt') : ui.emergencyNotice ? ui.emergencyNotice
      : ui.missed ? t('recent.missed_notice').replace('{n}', String(ui.missed)) : '')
    setText($('mic-error'), ui.micError ? t(micErrorKey(ui.micError)) : '')
    setHidden($('reconnect'), s !== 'closed')
    const conn = $('conn')
    conn.dataset.state = client.state
    setText(conn, t(`conn.${client.state === 'idle' ? 'connecting' : client.state}`))
    renderTimer()
  }

  function renderTimer() {
    const s = document.body.dataset.state
    const session = ptt.session
    let ms = null
    if (s === 'talking') ms = Date.now() - ui.talkStartedAt
    else if (s === 'listening' && session) ms = Date.now() + ptt.clockOffsetMs - session.started_at
    // Not a live region (role=timer is aria-live off): read on demand, never announced every second.
    setText($('timer'), ms === null ? '' : duration(ms))
    setHidden($('timer'), ms === null)
  }
  setInterval(renderTimer, 250)

  function renderRecent() {
    const rows = [...recent.values()].sort((a, b) => b.started_at - a.started_at).slice(0, RECENT_MAX)
    const list = $('recent')
    if (!rows.length) return replace(list, h('li', { class: 'empty', 'data-i18n': 'recent.empty' }, t('recent.empty')))
    replace(list, rows.map((r) => h('li', { class: `${r.ended_at ? 'ended' : 'live'}${r.missed ? ' missed' : ''}`, 'data-session': r.session_id },
      h('span', { class: 'time' }, clock(r.started_at)),
      h('span', { class: 'who' }, r.speaker?.name ?? r.speaker?.user_id ?? '?'),
      h('span', { class: 'len' }, r.ended_at ? duration(r.ended_at - r.started_at) : t('state.talking')),
      h('span', { class: 'why' }, r.missed ? t('recent.missed') : reasonLabel(r.reason)),
      r.ended_at ? h('button', { type: 'button', class: 'replay', 'data-state': r.replay ?? 'idle', onclick: () => replay(r) },
        t(r.replay === 'none' ? 'recent.no_recording' : r.replay === 'playing' ? 'recent.playing' : 'recent.replay')) : null)))
  }

  /** Plays a kept transmission (GET /api/ptt/transmissions/{id}/audio, Ogg Opus) through an audio element. */
  let replaying = null
  async function replay(row) {
    replaying?.pause()
    try {
      const response = await apiGet(`/api/ptt/transmissions/${encodeURIComponent(row.session_id)}/audio`)
      if (!response.ok) {
        row.replay = 'none'
        return renderRecent()
      }
      const url = URL.createObjectURL(await response.blob())
      const player = new Audio(url)
      replaying = player
      row.replay = 'playing'
      renderRecent()
      player.addEventListener('ended', () => {
        row.replay = 'played'
        URL.revokeObjectURL(url)
        renderRecent()
      })
      await player.play()
      globalThis.heartlineReplays = (globalThis.heartlineReplays ?? 0) + 1
    } catch (err) {
      row.replay = 'idle'
      audioStats.errors.push(`replay: ${err.message}`)
      renderRecent()
    }
  }

  /**
   * Back after the connection dropped (a tunnel): the transmissions that started meanwhile are marked missed, with a
   * notice and their replay buttons.
   */
  let offlineSince = null
  client.on('disconnected', ({ willReconnect }) => {
    if (willReconnect) offlineSince ??= Date.now()
  })
  async function loadMissed() {
    if (offlineSince === null) return
    const since = offlineSince - 1000
    offlineSince = null
    try {
      const response = await apiGet(`/api/ptt/transmissions?since=${since}&limit=20`)
      if (!response.ok) return
      const missed = await response.json()
      for (const m of missed) {
        const row = recent.get(m.session_id) ?? { session_id: m.session_id, started_at: m.started_at, speaker: m.speaker }
        recent.set(m.session_id, Object.assign(row, { missed: true, ended_at: row.ended_at ?? m.started_at + m.duration_ms }))
      }
      ui.missed = missed.length
      render()
      renderRecent()
    } catch {
      // The recent list still shows them from the events.
    }
  }

  async function loadRecent() {
    const from = Date.now() - 12 * 3600_000
    const [started, ended] = await Promise.all([
      events(apiGet, { type: 'SESSION_STARTED', from }), events(apiGet, { type: 'SESSION_ENDED', from }),
    ])
    for (const e of started.slice(-RECENT_MAX * 2)) {
      const meta = parseMeta(e.metadata)
      if (!recent.has(e.session_id)) recent.set(e.session_id, { session_id: e.session_id, started_at: e.time, speaker: { user_id: e.user_id, name: meta.speaker_name ?? e.user_id } })
    }
    for (const e of ended) {
      const row = recent.get(e.session_id)
      if (row && !row.ended_at) Object.assign(row, { ended_at: e.time, reason: parseMeta(e.metadata).reason })
    }
    renderRecent()
  }

  const members = createMembers(client, $('members'))
  client.on('connected', (result) => {
    $('me').textContent = result.user.name
    $('office').textContent = result.user.office
    members.refresh()
    loadMissed()
    loadEmergencies()
  })

  $('app').hidden = false
  render()
  renderRecent()
  try {
    await client.connect()
  } catch (err) {
    // Usually signed out by the 'disconnected' handler already (signOut acts once).
    if (err.code === 'unauthorized' || err.code === 'token_expired') signOut(app, err.code === 'token_expired' ? 'expired' : 'rejected')
    throw err
  }
  members.start().catch(() => {})
  loadRecent().catch(() => {})
  onReady?.({ client, ptt, cues })
}

/**
 * Hold-to-talk on a button: mouse, touch and pen through pointer events, and the Space bar anywhere on the page.
 * Screen readers (TalkBack's double-tap, NVDA, JAWS) activate with a click that no pointer made (`detail` 0) and
 * cannot hold: such a click toggles a latched transmission instead.
 */
function wireButton(button, { press, release, toggle, latched }) {
  let keyAt = -Infinity
  button.addEventListener('click', (e) => {
    // Pointer clicks follow pointerdown/up, handled below; a key on the focused button is handled as a hold.
    if (e.detail !== 0 || performance.now() - keyAt < 1000) return
    toggle()
  })
  button.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return
    e.preventDefault()
    button.setPointerCapture?.(e.pointerId)
    press()
  })
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) button.addEventListener(type, () => release())
  button.addEventListener('contextmenu', (e) => e.preventDefault())
  button.addEventListener('keydown', (e) => e.key === 'Enter' && e.preventDefault())
  const typing = (target) => target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable]')
  document.addEventListener('keydown', (e) => {
    if (e.code === 'Space' || e.key === 'Enter') keyAt = performance.now()
    if (e.code !== 'Space' || typing(e.target)) return
    e.preventDefault()
    if (!e.repeat) press()
  })
  document.addEventListener('keyup', (e) => {
    if (e.code === 'Space' || e.key === 'Enter') keyAt = performance.now()
    if (e.code !== 'Space' || typing(e.target)) return
    e.preventDefault()
    release()
  })
  // A key or pointer released outside the window never reports its release (nothing is held while latched).
  window.addEventListener('blur', () => !latched() && release())
}

/** The office's members online: the `presence` command, refreshed on every `presence:{office}` publication. */
function createMembers(client, list) {
  let timer
  const refresh = () => {
    clearTimeout(timer)
    timer = setTimeout(async () => {
      try {
        render((await client.presence()).users)
      } catch {
        // reconnecting: the next connect refreshes
      }
    }, 150)
  }
  const render = (users) => {
    if (!users.length) return replace(list, h('li', { class: 'empty', 'data-i18n': 'members.empty' }, t('members.empty')))
    users.sort((a, b) => a.name.localeCompare(b.name))
    replace(list, users.flatMap((u) => (u.connections.length ? u.connections : [{ app_type: u.role }]).map((c) =>
      h('li', { 'data-user': u.user_id },
        h('span', { class: `badge app-${c.app_type}` }, appLabel(c.app_type)),
        h('span', { class: 'who' }, u.name),
        h('span', { class: 'device' }, c.device ?? '')))))
  }
  return {
    refresh,
    start: async () => {
      const office = (await client.connect()).user.office
      await client.subscribe(`presence:${office}`, refresh)
      refresh()
    },
  }
}

/** The text of a microphone failure: ended and muted tracks, otherwise not available (refused or missing). */
function micErrorKey(err) {
  if (err.name === 'MicEndedError') return 'mic.ended'
  if (err.name === 'MicMutedError') return 'mic.muted'
  if (err.name === 'EncoderMissingError') return 'mic.unsupported'
  return 'mic.denied'
}

function appLabel(appType) {
  const label = t(`role.${appType}`)
  return label === `role.${appType}` ? appType : label
}

/** GET /api/ptt/events of the caller's office, following pages (at most 5). */
async function events(apiGet, { type, from }) {
  const items = []
  let after
  for (let page = 0; page < 5; page++) {
    const query = new URLSearchParams({ type, from: String(from), limit: '1000' })
    if (after) query.set('after', String(after))
    const response = await apiGet(`/api/ptt/events?${query}`)
    if (!response.ok) break
    const body = await response.json()
    items.push(...body.items)
    if (!body.next_after) break
    after = body.next_after
  }
  return items
}

function parseMeta(metadata) {
  try {
    return metadata ? JSON.parse(metadata) : {}
  } catch {
    return {}
  }
}
