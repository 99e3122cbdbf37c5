// Push-to-talk on top of HeartlineClient (docs/protocol.md section 10). Dependency-free ES module:
//   import { PttClient } from '/sdk/ptt.js'
import { Emitter, HeartlineDisconnectedError, HeartlineError, HeartlineTimeoutError, backoffDelay } from './heartline.js'
import { buildCue } from './ptt-cues.js'
import { decodeAudioFrame, encodeAudioFrame, requestMediaToken } from './ptt-media.js'

export { CUE_TYPES, HAPTIC_PATTERNS, PHRASES, SOUND_CUES, buildCue } from './ptt-cues.js'
export { AUDIO_HEADER_BYTES, AUDIO_KIND_OPUS, decodeAudioFrame, encodeAudioFrame, requestMediaToken } from './ptt-media.js'

const MEMBER_ROLES = new Set(['call_manager', 'pickup_driver'])
/** Codes after which a failed subscribe or state query is worth retrying on the same connection (protocol section 6). */
const RETRYABLE = new Set(['rate_limited', 'unavailable', 'internal'])

/**
 * @typedef {{ user_id: string, name: string, app_type: string, device?: string }} PttUser
 * @typedef {{
 *   session_id: string, epoch: number, channel: string, speaker: PttUser, started_at: number,
 *   media?: { provider: 'relay' | 'agora', token_delay_ms: [number, number] }, mine: boolean,
 *   participants: Map<string, PttUser>,
 * }} PttSession
 * @typedef {{
 *   office?: string, language?: 'ko' | 'en', token?: string, getToken?: () => Promise<string>, httpUrl?: string,
 *   fetch?: typeof fetch, random?: () => number, holdFeedbackMs?: number,
 *   joinMedia?: (media: object) => Promise<void>, leaveMedia?: (media: object) => Promise<void>,
 *   retry?: { initialMs?: number, maxMs?: number },
 * }} PttOptions
 */

/**
 * Push-to-talk for one office. Listens by itself: subscribes to `ptt:{office}` after every (re)connect, recovers
 * what it missed, and joins sessions without app code. `start()` presses, `stop()` releases, `sendAudio()` relays.
 *
 * Events ({@link PttClient#on}): 'session_started', 'session_ended', 'speaker_changed', 'participant_joined',
 * 'participant_left', 'floor_revoked', 'kpi_alert', 'emergency', 'emergency_acknowledged' (the `data` of the protocol's pushes, plus `mine`/`joined`/`recovered` flags),
 * 'busy' ({speaker, session_id}), 'talking' (boolean), 'audio' ({epoch, sequence, payload}), 'cue' (a typed
 * cue, see ptt-cues.js), 'media_token' (Agora mode), 'reported' (the ptt.report sent), 'ready' ({office, resubscribed}:
 * listening after a (re)connect), 'change' (after any state change, {@link PttClient#listening} included), 'error'
 * (Error).
 *
 * A first subscribe (or its state query) refused with a passing error (`unavailable`, `rate_limited`, `internal`, a
 * timeout) is retried with backoff on the same connection; until it succeeds `listening` is false.
 */
export class PttClient {
  #client
  #options
  #emitter = new Emitter()
  #me = null
  #office = null
  #subscription = null
  /** @type {PttSession | null} */
  #session = null
  #talk = null
  #pressing = null
  #stopRequested = false
  #maxEpoch = 0
  /** The highest floor epoch known to have ended: a later start or state of it is old news. */
  #endedEpoch = 0
  #recovering = false
  #connected = false
  #listening = false
  /** Counts connects: a retry scheduled for an earlier connection does nothing. */
  #connection = 0
  #listenTimer = undefined
  /** Agora mode: the media joinMedia joined, left once (leaveMedia) when its session ends or on dispose. */
  #joinedMedia = null
  #language
  #clock = { offsetMs: 0, rttMs: Infinity }
  #endCued = new Set()
  #unsubscribers = []

  /** @param {import('./heartline.js').HeartlineClient} client @param {PttOptions} [options] */
  constructor(client, options = {}) {
    this.#client = client
    this.#options = { random: Math.random, holdFeedbackMs: 2000, ...options }
    this.#options.retry = { initialMs: 500, maxMs: 20000, ...options.retry }
    this.#language = options.language === 'en' ? 'en' : 'ko'
    this.#unsubscribers.push(
      client.on('connected', (result) => this.#onConnected(result)),
      client.on('disconnected', () => this.#onDisconnected()),
      client.on('push', (frame) => frame.push === 'ptt.state' && this.#applyState(frame, 'push')),
      client.on('binary', (data) => this.#onBinary(data)),
    )
    // Attached to a client that is already connected: connect() resolves with its connect result at once.
    if (client.state === 'connected') client.connect().then((result) => this.#onConnected(result), () => {})
  }

  /** @param {string} event @param {(value: any) => void} handler @returns {() => void} */
  on(event, handler) {
    return this.#emitter.on(event, handler)
  }

  /** The office key this client listens to (known after the first connect). */
  get office() {
    return this.#office
  }

  /** The signed-in user, from the connect result. */
  get user() {
    return this.#me
  }

  /** Who has the floor, or null. @returns {PttUser | null} */
  get currentSpeaker() {
    return this.#session?.speaker ?? null
  }

  /** The active session (a copy), or null. */
  get session() {
    const s = this.#session
    return s && { ...s, participants: [...s.participants.values()] }
  }

  /** True while this client holds the floor. */
  get isTalking() {
    return this.#talk !== null
  }

  /**
   * True while this client hears its office: connected, subscribed to `ptt:{office}` and its state loaded. False
   * while disconnected, and while a failed subscribe is retried: nothing said in the office would reach this client.
   */
  get listening() {
    return this.#listening
  }

  /** True while a session of someone else is active and this member listens to it. */
  get isListening() {
    return this.#connected && this.#session !== null && !this.#session.mine && this.#isMember()
  }

  /** The estimated server clock minus the local clock, in ms (from `server_time` of connect and ping replies). */
  get clockOffsetMs() {
    return this.#clock.offsetMs
  }

  get language() {
    return this.#language
  }

  /** @param {'ko' | 'en'} language of the spoken announcements */
  setLanguage(language) {
    this.#language = language === 'en' ? 'en' : 'ko'
  }

  /**
   * Presses: resolves with `{granted: true, session_id, epoch, …}` or, when someone else holds the floor,
   * `{granted: false, busy: true, speaker}`. Other refusals reject with a HeartlineError.
   */
  start() {
    if (this.#talk) return Promise.resolve({ granted: true, ...this.#talk.grant })
    // Also while a press is pending: a stop() in between was followed by this press, so the button is held again.
    this.#stopRequested = false
    this.#pressing ??= this.#press().finally(() => (this.#pressing = null))
    return this.#pressing
  }

  /** Releases the floor (a stop during a pending press releases as soon as the grant arrives). */
  async stop() {
    if (this.#pressing && !this.#talk) {
      this.#stopRequested = true
      return { released: false, pending: true }
    }
    const talk = this.#talk
    if (!talk) return { released: false }
    this.#endTalk('talk_ended', 'released')
    try {
      return await this.#client.request('ptt.release', { epoch: talk.epoch })
    } catch (err) {
      if (err instanceof HeartlineDisconnectedError) return { released: false }
      throw err
    }
  }

  /**
   * Sends one Opus packet as a relay frame while holding the floor (it also keeps the lease). False when not
   * talking, paused by a transient focus loss, or not connected.
   * @param {ArrayBuffer | ArrayBufferView} opusPacket
   */
  sendAudio(opusPacket) {
    const talk = this.#talk
    if (!talk || talk.paused) return false
    const sent = this.#client.sendBinary(encodeAudioFrame(talk.epoch, talk.sequence, opusPacket))
    if (sent) {
      talk.sequence = (talk.sequence + 1) >>> 0
      talk.lastSentAt = Date.now()
    }
    return sent
  }

  /**
   * Audio focus was lost (seed 5.4). Permanent loss stops transmitting; a transient loss pauses the audio (the
   * floor is kept by keep-alives) until onFocusGained().
   * @param {{ transient?: boolean }} [options]
   */
  async onFocusLost({ transient = false } = {}) {
    if (transient) {
      if (this.#talk) this.#talk.paused = true
      return { released: false, paused: this.#talk !== null }
    }
    if (this.#pressing && !this.#talk) this.#stopRequested = true
    const talk = this.#talk
    if (!talk) return { released: false }
    this.#endTalk('focus_lost', 'focus_lost')
    try {
      return await this.#client.request('ptt.release', { epoch: talk.epoch })
    } catch {
      return { released: false }
    }
  }

  /** Focus is back after a transient loss: audio flows again. */
  onFocusGained() {
    if (this.#talk) this.#talk.paused = false
  }

  /**
   * The seed's explicit heartbeat (`ptt.heartbeat`, 12.1 sendHeartbeat). Not needed with this SDK (every frame and the
   * client's pings keep memberships alive); for apps that prove liveness on their own schedule. Resolves with
   * `{server_time}`.
   */
  heartbeat() {
    return this.#client.request('ptt.heartbeat', {})
  }

  /**
   * Raises an emergency in this office (`ptt.emergency`, protocol 10.2): the transmission on air gives way, every
   * member is alerted. Resolves with `{emergency_id, ended_session_id}`; rejects `rate_limited` within the cooldown.
   */
  raiseEmergency() {
    return this.#client.request('ptt.emergency', {})
  }

  /** A call manager acknowledges an emergency (`ptt.emergency_ack`); resolves with `{acknowledged}` (false: someone did already). */
  acknowledgeEmergency(emergencyId) {
    return this.#client.request('ptt.emergency_ack', { emergency_id: emergencyId })
  }

  /** Reloads the office's live state (`ptt.state`) and applies it; resolves with the state. */
  async refreshState() {
    const state = await this.#client.request('ptt.state', { office: this.#office })
    this.#applyState(state, 'query')
    return state
  }

  /** Stops listening to the client (does not close it). */
  dispose() {
    for (const off of this.#unsubscribers.splice(0)) off()
    clearTimeout(this.#listenTimer)
    this.#clearTalkTimers()
    this.#subscription?.unsubscribe().catch(() => {})
    const joined = this.#joinedMedia
    this.#joinedMedia = null
    if (joined) this.#leaveMedia(joined)
  }

  async #press() {
    try {
      const grant = await this.#client.request('ptt.press', {})
      this.#beginTalk(grant)
      if (this.#stopRequested) await this.stop()
      return { granted: true, ...grant }
    } catch (err) {
      if (err instanceof HeartlineError && err.code === 'floor_busy') {
        const speaker = err.details?.speaker ?? null
        const busy = { speaker, session_id: err.details?.session_id }
        this.#cue('busy', { name: speaker?.name, speaker, session_id: busy.session_id }, true)
        this.#emitter.emit('busy', busy)
        return { granted: false, busy: true, ...busy }
      }
      this.#cue('talk_failed', { reason: err?.code ?? 'disconnected' }, true)
      throw err
    }
  }

  #beginTalk(grant) {
    const now = Date.now()
    this.#talk = { epoch: grant.epoch, sessionId: grant.session_id, grant, sequence: 0, lastSentAt: now, paused: false }
    let provisional = false
    if (this.#session?.session_id === grant.session_id) this.#session.mine = true
    else if (!this.#session || this.#session.epoch < grant.epoch) {
      // The grant reply precedes the session_started publication: the session is known from the reply until the
      // publication completes it (media) without being announced twice.
      this.#maxEpoch = Math.max(this.#maxEpoch, grant.epoch)
      this.#session = { session_id: grant.session_id, epoch: grant.epoch, channel: grant.channel, speaker: this.#meAsSpeaker(),
        started_at: grant.started_at, mine: true, provisional: true, participants: new Map() }
      provisional = true
    }
    const leaseMs = grant.lease_ms ?? 5000
    const every = Math.max(100, Math.floor(leaseMs / 4))
    // Keep-alive only when no audio went out for a quarter of the lease: audio frames keep the lease themselves.
    this.#talk.keepalive = setInterval(() => this.#keepalive(every), every)
    const hold = this.#options.holdFeedbackMs
    if (hold > 0) {
      const talk = this.#talk
      talk.holdFirst = setTimeout(() => this.#talk === talk && this.#cue('hold', { session_id: talk.sessionId }, true), 200)
      talk.holdTimer = setInterval(() => this.#cue('hold', { session_id: talk.sessionId }, true), hold)
    }
    this.#cue('talk_granted', { session_id: grant.session_id }, true)
    this.#emitter.emit('talking', true)
    if (provisional) this.#emit('session_started', { type: 'session_started', ...pick(this.#session), mine: true })
    else this.#emitter.emit('change')
    if (this.#session?.media?.provider === 'agora') this.#fetchMediaToken(this.#session, { delay: false }).catch(() => {})
  }

  #keepalive(every) {
    const talk = this.#talk
    if (!talk || Date.now() - talk.lastSentAt < every) return
    talk.lastSentAt = Date.now()
    this.#client.request('ptt.keepalive', { epoch: talk.epoch }).catch((err) => {
      if (err instanceof HeartlineError && err.code === 'not_floor_holder' && this.#talk === talk) this.#endTalk('floor_revoked', 'not_floor_holder')
    })
  }

  /** The local end of a transmission: stop sending, cue once per session. */
  #endTalk(cueType, reason) {
    const talk = this.#talk
    if (!talk) return
    this.#clearTalkTimers()
    this.#talk = null
    if (!this.#endCued.has(talk.sessionId)) {
      this.#endCued.add(talk.sessionId)
      if (this.#endCued.size > 32) this.#endCued.delete(this.#endCued.values().next().value)
      this.#cue(cueType, { session_id: talk.sessionId, reason }, true)
    }
    this.#emitter.emit('talking', false)
    this.#emitter.emit('change')
  }

  #clearTalkTimers() {
    const talk = this.#talk
    if (!talk) return
    clearInterval(talk.keepalive)
    clearTimeout(talk.holdFirst)
    clearInterval(talk.holdTimer)
  }

  async #onConnected(result) {
    this.#connected = true
    const connection = ++this.#connection
    this.#me = result.user
    this.#office ??= this.#options.office ?? result.user.office
    this.#sampleClock(result.server_time, Date.now(), Date.now())
    this.#syncClock().catch(() => {})
    if (this.#subscription) return // the core client resubscribes with `since` by itself
    await this.#listen(connection, 0)
  }

  /** Subscribes to `ptt:{office}` and loads its state; a passing failure is tried again with backoff. */
  async #listen(connection, attempt) {
    const channel = `ptt:${this.#office}`
    let subscribing = false
    try {
      if (!this.#subscription) {
        subscribing = true
        const sub = await this.#client.subscribe(channel, (pub) => this.#onPublication(pub.data))
        this.#subscription = sub
        sub.on('subscribed', ({ resubscribed }) => resubscribed && this.#recovered())
        sub.on('lost', () => this.refreshState().catch((err) => this.#emitter.emit('error', err)))
        sub.on('error', (err) => {
          // Refused for good (e.g. forbidden): no replay is coming, so cues must not wait for one, and the next
          // connect subscribes afresh.
          if (this.#subscription === sub) this.#subscription = null
          this.#recovering = false
          this.#listening = false
          this.#emitter.emit('error', err)
          this.#emitter.emit('change')
        })
        subscribing = false
      }
      // Without a position nothing was replayed: the state query closes the gap between connect and subscribe.
      await this.refreshState()
      if (connection !== this.#connection || !this.#connected) return
      this.#listening = true
      this.#emitter.emit('ready', { office: this.#office, resubscribed: false })
      this.#emitter.emit('change')
    } catch (err) {
      this.#emitter.emit('error', err)
      if (connection !== this.#connection || !this.#connected) return // the next connect listens afresh
      const passing = err instanceof HeartlineTimeoutError || (err instanceof HeartlineError && (RETRYABLE.has(err.code)
        || err.code === 'already_subscribed'))
      if (!passing) return
      if (subscribing && (err instanceof HeartlineTimeoutError || err.code === 'already_subscribed')) {
        // The server may have subscribed after all: start over from a clean slate.
        await this.#client.request('unsubscribe', { channel }).catch(() => {})
      }
      const delay = Math.max(err.retryAfterMs ?? 0, backoffDelay(attempt, this.#options.retry, this.#options.random))
      clearTimeout(this.#listenTimer)
      this.#listenTimer = setTimeout(() => {
        if (connection === this.#connection && this.#connected) this.#listen(connection, attempt + 1)
      }, delay)
    }
  }

  #onDisconnected() {
    this.#connected = false
    this.#listening = false
    this.#connection++
    clearTimeout(this.#listenTimer)
    this.#recovering = this.#subscription !== null
    // The server ends a speaker's session when its connection ends.
    if (this.#talk) this.#endTalk('floor_revoked', 'disconnected')
    this.#emitter.emit('change')
  }

  /** The resubscribe's replay is over: announce a session that is still active and was only learnt quietly. */
  #recovered() {
    this.#recovering = false
    this.#listening = this.#connected
    const s = this.#session
    if (s?.cuePending) {
      s.cuePending = false
      this.#cue('session_joined', { name: s.speaker.name, speaker: s.speaker, session_id: s.session_id })
    }
    this.#emitter.emit('change')
    this.#emitter.emit('ready', { office: this.#office, resubscribed: true })
  }

  async #syncClock() {
    for (let i = 0; i < 3 && this.#client.state === 'connected'; i++) {
      const sent = Date.now()
      const { server_time: serverTime } = await this.#client.ping()
      this.#sampleClock(serverTime, sent, Date.now())
    }
  }

  /** Keeps the sample with the smallest round trip: its midpoint estimate has the smallest error bound. */
  #sampleClock(serverTime, sent, received) {
    if (typeof serverTime !== 'number') return
    const rtt = received - sent
    if (rtt > this.#clock.rttMs) return
    this.#clock = { offsetMs: serverTime - (sent + received) / 2, rttMs: rtt }
  }

  #onPublication(data) {
    if (!data || typeof data.type !== 'string') return
    switch (data.type) {
      case 'session_started': return this.#onSessionStarted(data)
      case 'session_ended': return this.#onSessionEnded(data)
      case 'floor_revoked': return this.#onFloorRevoked(data)
      case 'speaker_changed': return this.#emit('speaker_changed', data)
      case 'kpi_alert': return this.#emit('kpi_alert', data)
      case 'emergency':
        this.#emit('emergency', data)
        return this.#cue('emergency', { name: data.user?.name, user: data.user, emergency_id: data.emergency_id })
      case 'emergency_acknowledged': return this.#emit('emergency_acknowledged', data)
      case 'participant_joined': return this.#onParticipantJoined(data)
      case 'participant_left': return this.#onParticipantLeft(data)
    }
  }

  #onSessionStarted(data) {
    const known = this.#session
    if (known?.session_id === data.session_id) {
      if (known.provisional) {
        Object.assign(known, pick(data), { provisional: false })
        // The speaker needs a publisher token at once: no thundering herd of one.
        if (known.mine && this.#talk?.sessionId === known.session_id && data.media?.provider === 'agora') {
          this.#fetchMediaToken(known, { delay: false }).catch(() => {})
        }
        this.#emitter.emit('change')
      }
      return
    }
    if (data.epoch < this.#maxEpoch || data.epoch <= this.#endedEpoch) return
    this.#maxEpoch = data.epoch
    const mine = this.#talk?.epoch === data.epoch || (this.#pressing !== null && data.speaker?.user_id === this.#me?.user_id)
    this.#session = { ...pick(data), mine, participants: new Map() }
    this.#emit('session_started', { ...data, mine, recovered: this.#recovering })
    if (mine || !this.#isMember()) return
    if (this.#recovering) {
      this.#session.cuePending = true
      // Replayed: joined like any other. If its end follows in the same replay, the jitter's re-check skips it.
      if (data.media?.provider === 'agora') this.#fetchMediaToken(this.#session, { delay: true }).catch(() => {})
      return
    }
    this.#cue('session_started', { name: data.speaker.name, speaker: data.speaker, session_id: data.session_id })
    const notifyMs = Date.now() + this.#clock.offsetMs - data.started_at
    if (data.media?.provider === 'agora') this.#fetchMediaToken(this.#session, { delay: true, notifyMs }).catch(() => {})
    else this.#report({ session_id: data.session_id, notify_ms: notifyMs })
  }

  #onSessionEnded(data) {
    if (typeof data.epoch === 'number') this.#endedEpoch = Math.max(this.#endedEpoch, data.epoch)
    const session = this.#session
    if (!session || session.session_id !== data.session_id) return this.#emit('session_ended', { ...data, mine: false })
    this.#session = null
    this.#leaveMediaOf(data.session_id)
    if (this.#talk?.sessionId === data.session_id) this.#endTalk('talk_ended', data.reason)
    this.#emit('session_ended', { ...data, mine: session.mine, speaker: session.speaker, recovered: this.#recovering })
    if (session.mine) {
      if (!this.#endCued.has(data.session_id)) this.#cue('talk_ended', { session_id: data.session_id, reason: data.reason })
    } else if (this.#isMember() && !session.cuePending) {
      this.#cue('session_ended', { session_id: data.session_id, reason: data.reason, speaker: session.speaker })
    }
  }

  #onFloorRevoked(data) {
    if (data.user_id === this.#me?.user_id && this.#talk?.sessionId === data.session_id) this.#endTalk('floor_revoked', data.reason)
    this.#emit('floor_revoked', { ...data, mine: data.user_id === this.#me?.user_id })
  }

  #onParticipantJoined(data) {
    const session = this.#session
    if (session?.session_id === data.session_id) session.participants.set(data.user.user_id, data.user)
    this.#emit('participant_joined', data)
    if (session?.session_id === data.session_id && data.user.user_id !== this.#me?.user_id && this.#isMember()) {
      this.#cue('participant_joined', { name: data.user.name, user: data.user, session_id: data.session_id })
    }
  }

  #onParticipantLeft(data) {
    const session = this.#session
    const user = session?.participants.get(data.user_id) ?? { user_id: data.user_id }
    if (session?.session_id === data.session_id) session.participants.delete(data.user_id)
    this.#emit('participant_left', { ...data, user })
    if (session?.session_id === data.session_id && data.user_id !== this.#me?.user_id && this.#isMember()) {
      this.#cue('participant_left', { user, session_id: data.session_id, reason: data.reason })
    }
  }

  /** A `ptt.state` push (a member joining mid-session) or reply: the office's state as of now. */
  #applyState(state, source) {
    if (!state || (this.#office && state.office !== this.#office)) return
    const participants = new Map((state.participants ?? []).map((p) => [p.user_id, p]))
    if (state.active && this.#session?.session_id === state.session_id) {
      this.#session.participants = participants
      this.#emitter.emit('change')
      return
    }
    // Computed before publications already handled (a reply is queued behind them): old news. An idle state
    // carries the last epoch issued.
    if (typeof state.epoch === 'number' && (state.epoch < this.#maxEpoch || (state.active && state.epoch <= this.#endedEpoch))) return
    const previous = this.#session
    if (previous) {
      // Its end was missed (e.g. in the gap before the subscription): close it without a cue.
      this.#endedEpoch = Math.max(this.#endedEpoch, previous.epoch)
      this.#session = null
      this.#leaveMediaOf(previous.session_id)
      if (this.#talk?.sessionId === previous.session_id) this.#endTalk('talk_ended', 'unknown')
      this.#emit('session_ended', { type: 'session_ended', session_id: previous.session_id, epoch: previous.epoch,
        reason: 'unknown', mine: previous.mine, speaker: previous.speaker, synthetic: true })
    }
    if (!state.active) return
    this.#maxEpoch = state.epoch
    const mine = this.#talk?.epoch === state.epoch
    this.#session = { ...pick(state), mine, participants }
    this.#emit('session_started', { type: 'session_started', ...pick(state), mine, joined: true, source })
    if (mine || !this.#isMember()) return
    if (this.#recovering) this.#session.cuePending = true
    else this.#cue('session_joined', { name: state.speaker?.name, speaker: state.speaker, session_id: state.session_id })
    // Joined mid-session, after a lost recovery or a missed start: the media channel too, after the same jitter.
    if (state.media?.provider === 'agora') this.#fetchMediaToken(this.#session, { delay: true }).catch(() => {})
  }

  /**
   * Agora mode (seed 6.1): listeners wait a random delay within `media.token_delay_ms` so a whole office does not
   * ask at once, then join only if the session is still active. The pushed session state is authoritative (its end
   * arrives on the same ordered stream), so the re-check costs no request.
   */
  async #fetchMediaToken(session, { delay, notifyMs }) {
    if (delay) {
      const [min, max] = session.media?.token_delay_ms ?? [100, 500]
      await sleep(min + this.#options.random() * Math.max(0, max - min))
      if (this.#session?.session_id !== session.session_id) return
    }
    const started = Date.now()
    let media
    try {
      media = await requestMediaToken(this.#options, this.#office)
    } catch (err) {
      this.#emitter.emit('error', err)
      return
    }
    const tokenMs = Date.now() - started
    let joinMs
    if (this.#options.joinMedia && this.#session?.session_id === session.session_id) {
      const joinStarted = Date.now()
      const joining = { ...media, session_id: session.session_id }
      try {
        await this.#options.joinMedia(joining)
        joinMs = Date.now() - joinStarted
        const previous = this.#joinedMedia
        // Ended while joining: its end found nothing to leave, so it is left here.
        if (this.#session?.session_id !== session.session_id) this.#leaveMedia(joining)
        else {
          this.#joinedMedia = joining
          if (previous) this.#leaveMedia(previous)
        }
      } catch (err) {
        this.#emitter.emit('error', err)
      }
    }
    this.#emitter.emit('media_token', { ...media, session_id: session.session_id, token_ms: tokenMs, join_ms: joinMs })
    this.#report({ session_id: session.session_id, notify_ms: notifyMs, token_ms: tokenMs, join_ms: joinMs })
  }

  /** A session ended: the media joined for it is left, once. */
  #leaveMediaOf(sessionId) {
    if (this.#joinedMedia?.session_id !== sessionId) return
    const joined = this.#joinedMedia
    this.#joinedMedia = null
    this.#leaveMedia(joined)
  }

  #leaveMedia(media) {
    if (!this.#options.leaveMedia) return
    Promise.resolve().then(() => this.#options.leaveMedia(media)).catch((err) => this.#emitter.emit('error', err))
  }

  /** Sends the measured latencies of a session (ptt.report); values outside 0 … 600,000 ms are left out. */
  #report(report) {
    const args = { session_id: report.session_id }
    for (const key of ['notify_ms', 'token_ms', 'join_ms']) {
      const value = report[key]
      if (typeof value === 'number' && Number.isFinite(value)) args[key] = Math.min(600_000, Math.max(0, Math.round(value * 1000) / 1000))
    }
    this.#client.request('ptt.report', args).then(
      () => this.#emitter.emit('reported', args),
      (err) => this.#emitter.emit('error', err),
    )
  }

  #onBinary(data) {
    const frame = decodeAudioFrame(data)
    if (frame) this.#emitter.emit('audio', frame)
  }

  #isMember() {
    return MEMBER_ROLES.has(this.#me?.role) && (!this.#office || this.#office === this.#me?.office)
  }

  #meAsSpeaker() {
    const me = this.#me ?? {}
    return { user_id: me.user_id, name: me.name, app_type: me.role }
  }

  #emit(event, value) {
    this.#emitter.emit(event, value)
    this.#emitter.emit('change')
  }

  /** Raises a cue. `local` cues answer this client's own action and are never suppressed by a replay. */
  #cue(type, fields, local = false) {
    if (this.#recovering && !local) return
    this.#emitter.emit('cue', buildCue(type, this.#language, fields))
  }
}

function pick({ session_id, epoch, channel, speaker, started_at, media }) {
  return { session_id, epoch, channel, speaker, started_at, media }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
