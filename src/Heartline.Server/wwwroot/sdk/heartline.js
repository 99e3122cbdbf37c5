// Heartline realtime client for browsers and Node: protocol v1 (docs/protocol.md). Dependency-free ES module:
//   import { HeartlineClient } from '/sdk/heartline.js'

/**
 * @typedef {{ initialMs?: number, maxMs?: number, resetAfterMs?: number }} ReconnectOptions
 * @typedef {{
 *   url?: string,
 *   token?: string,
 *   getToken?: () => Promise<string>,
 *   client?: string,
 *   device?: string,
 *   appType?: string,
 *   requestTimeoutMs?: number,
 *   reconnect?: ReconnectOptions,
 *   WebSocket?: typeof WebSocket,
 * }} HeartlineOptions
 * @typedef {{ channel: string, offset: number, epoch: string, time: number, data: any }} Publication
 * @typedef {{ offset: number, epoch: string }} StreamPosition
 * @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed'} ClientState
 */

/** Codes after which a failed `connect` or a resubscribe is worth retrying (protocol section 6). */
const RETRYABLE = new Set(['rate_limited', 'unavailable', 'internal'])

/** An error reply of the server: `code` is a stable code of protocol section 6. */
export class HeartlineError extends Error {
  /**
   * @param {string} code @param {string} message @param {number} [retryAfterMs]
   * @param {object} [details] the error's `details` where its code documents them (e.g. `floor_busy` names the speaker)
   */
  constructor(code, message, retryAfterMs, details) {
    super(message)
    this.name = 'HeartlineError'
    this.code = code
    this.retryAfterMs = retryAfterMs
    this.details = details
  }
}

/** No reply within `requestTimeoutMs`. */
export class HeartlineTimeoutError extends Error {
  /** @param {string} cmd @param {number} ms */
  constructor(cmd, ms) {
    super(`no reply to ${cmd} within ${ms} ms`)
    this.name = 'TimeoutError'
  }
}

/** The client was not connected, or the connection ended before the reply. */
export class HeartlineDisconnectedError extends Error {
  /** @param {string} message @param {number} [closeCode] when a socket closed */
  constructor(message, closeCode) {
    super(message)
    this.name = 'DisconnectedError'
    this.closeCode = closeCode
  }
}

/**
 * Full-jitter exponential backoff: random(0, min(maxMs, initialMs × 2^failures)).
 * @param {number} failures reconnect attempts since the last reset, 0 for the first
 * @param {{ initialMs: number, maxMs: number }} options
 * @param {() => number} [random] returns [0, 1)
 */
export function backoffDelay(failures, { initialMs, maxMs }, random = Math.random) {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30))
  return Math.floor(random() * ceiling)
}

/** A minimal event emitter; a handler's exception is reported, never thrown into the emitter. */
export class Emitter {
  /** @type {Map<string, Set<Function>>} */
  #handlers = new Map()

  /** @param {string} event @param {Function} handler @returns {() => void} */
  on(event, handler) {
    let set = this.#handlers.get(event)
    if (!set) this.#handlers.set(event, (set = new Set()))
    set.add(handler)
    return () => set.delete(handler)
  }

  /** @param {string} event @param {any} [value] */
  emit(event, value) {
    for (const handler of [...(this.#handlers.get(event) ?? [])]) invoke(handler, value)
  }
}

/** A handler's exception must not break the client: report it like an uncaught one. */
function invoke(handler, value) {
  try {
    handler(value)
  } catch (err) {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(err)
    else console.error(err)
  }
}

/**
 * A channel subscription that survives reconnects. `offset`/`epoch` are the position of the last publication
 * delivered (or of the subscribe reply). Events: 'subscribed' ({recovered, resubscribed, offset, epoch}) after every
 * successful (re)subscribe; 'recovered' ({recovered: true, offset, epoch}) and 'lost' ({recovered: false, offset,
 * epoch}) after a subscribe with a position: on 'lost', publications were missed, so reload state by other means;
 * 'error' (Error) when a resubscribe was refused and the subscription ended.
 */
export class Subscription {
  #emitter = new Emitter()
  #unsubscribe

  /** @param {string} channel @param {(p: Publication) => void} onPublication @param {Function} unsubscribe */
  constructor(channel, onPublication, unsubscribe) {
    this.channel = channel
    this.offset = 0
    /** @type {string | undefined} */
    this.epoch = undefined
    this.onPublication = onPublication
    this.#unsubscribe = unsubscribe
  }

  /** @param {'subscribed' | 'recovered' | 'lost' | 'error'} event @param {(value: any) => void} handler */
  on(event, handler) {
    return this.#emitter.on(event, handler)
  }

  /** Stops delivery at once and tells the server when connected. @returns {Promise<void>} */
  unsubscribe() {
    return this.#unsubscribe(this)
  }

  /** @internal */
  emit(event, value) {
    this.#emitter.emit(event, value)
  }
}

/**
 * One Heartline connection with automatic reconnect and channel recovery.
 * Events ({@link HeartlineClient#on}): 'connected' (connect result), 'disconnected' ({code, reason, willReconnect}),
 * 'reconnecting' ({attempt, delayMs}, attempt 1 for the first retry), 'push' (every push frame), 'binary'
 * (ArrayBuffer), 'state' (ClientState), 'refreshed' ({tokenExpiresAt}).
 * With `getToken`, the token is refreshed on the open socket (`refresh`, protocol section 4) when a third of its life
 * is left, so a connection outlives its first token without reconnecting; a failed refresh is tried again, and the
 * server's 4005 at expiry still ends in a reconnect with a fresh token.
 */
export class HeartlineClient {
  #emitter = new Emitter()
  #options
  #reconnect
  #WebSocket
  /** @type {ClientState} */
  #state = 'idle'
  /** @type {WebSocket | null} */
  #ws = null
  /** Incremented for every socket and by close(): callbacks of an older socket are ignored. */
  #generation = 0
  #nextId = 0
  /** @type {Map<number, {cmd: string, resolve: Function, reject: Function, timer: any, onResult?: Function, onError?: Function}>} */
  #pending = new Map()
  /** @type {Map<string, Subscription>} */
  #subs = new Map()
  #failures = 0
  #connectedAt = 0
  #lastSentAt = 0
  #pingIntervalMs = 0
  #pingTimer = undefined
  #refreshTimer = undefined
  #attemptTimer = undefined
  #reconnectTimer = undefined
  /** Per socket: 'retry' or 'stop' once something decided it (a disconnect push, a connect error, a local drop). */
  #verdict = undefined
  /** Per socket: the connect command's error, which connect() rejects with when the client gives up. */
  #connectError = undefined
  /** Per socket: {code, reason} of a disconnect push, in case the close frame itself is lost. */
  #announcedClose = undefined
  #lastResult = undefined
  #ready = deferred()
  // Pacing (protocol §3): commands wait here for a token of the rate and burst the connect reply announced (with a
  // margin), so a burst of subscribes or state queries (a dashboard watching many offices, a reconnect with many
  // channels) is spread out instead of refused as rate_limited and then closed as a flood (4004).
  #tokens = Infinity
  #tokenBurst = Infinity
  #tokenRate = 1
  #tokensAt = 0
  #paced = []
  #paceTimer = undefined

  /** @param {HeartlineOptions} options */
  constructor(options = {}) {
    if (!options.token && !options.getToken) throw new TypeError('token or getToken is required')
    this.#options = { requestTimeoutMs: 10000, ...options, url: options.url ?? defaultUrl() }
    this.#reconnect = { initialMs: 500, maxMs: 20000, resetAfterMs: 10000, ...options.reconnect }
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket
    if (!this.#WebSocket) throw new TypeError('no WebSocket implementation: pass options.WebSocket')
  }

  /** @returns {ClientState} */
  get state() {
    return this.#state
  }

  /** @param {string} event @param {(value: any) => void} handler @returns {() => void} unsubscribes the handler */
  on(event, handler) {
    return this.#emitter.on(event, handler)
  }

  /**
   * Connects, retrying with backoff after failures worth retrying. Resolves with the connect result of the first
   * success; rejects (HeartlineError, e.g. `unauthorized`, or HeartlineDisconnectedError) when the client gives up.
   */
  connect() {
    if (this.#state === 'connected') return Promise.resolve(this.#lastResult)
    if (this.#state === 'idle' || this.#state === 'closed') {
      this.#failures = 0
      this.#ready = deferred()
      this.#setState('connecting')
      this.#open()
    }
    return this.#ready.promise
  }

  /**
   * Sends a command and resolves with its result. Rejects with HeartlineError (an error reply),
   * HeartlineTimeoutError, or at once with HeartlineDisconnectedError when not connected.
   * @param {string} cmd @param {object} [args]
   */
  request(cmd, args) {
    if (this.#state !== 'connected') return Promise.reject(new HeartlineDisconnectedError('not connected'))
    return this.#call(cmd, args)
  }

  ping() {
    return this.request('ping')
  }

  /** @param {string} channel @param {any} data @returns {Promise<StreamPosition>} */
  publish(channel, data) {
    return this.request('publish', { channel, data })
  }

  /** @param {string} [office] defaults to the caller's own office */
  presence(office) {
    return this.request('presence', office ? { office } : {})
  }

  /**
   * Subscribes to `channel`. After a reconnect the client resubscribes from the last delivered position: recovered
   * publications are delivered in order before live ones, and no offset twice.
   * @param {string} channel
   * @param {(p: Publication) => void} onPublication
   * @param {{ since?: StreamPosition }} [options] resume from a position kept elsewhere
   * @returns {Promise<Subscription>}
   */
  async subscribe(channel, onPublication, { since } = {}) {
    if (this.#state !== 'connected') throw new HeartlineDisconnectedError('not connected')
    if (this.#subs.has(channel)) throw new HeartlineError('already_subscribed', `already subscribed to ${channel}`)
    const sub = new Subscription(channel, onPublication, (s) => this.#unsubscribe(s))
    if (since) Object.assign(sub, { offset: since.offset, epoch: since.epoch })
    this.#subs.set(channel, sub)
    try {
      await this.#call('subscribe', { channel, since }, (result) => this.#onSubscribed(sub, result, false))
      return sub
    } catch (err) {
      if (this.#subs.get(channel) === sub) this.#subs.delete(channel)
      throw err
    }
  }

  /**
   * Sends a binary (media) frame. Returns false when not connected: stale media is not worth queueing.
   * @param {ArrayBuffer | ArrayBufferView | Blob} data
   */
  sendBinary(data) {
    return this.#state === 'connected' && this.#send(data)
  }

  /** Closes for good (until connect() is called again). Subscriptions are kept and resumed by a later connect(). */
  close() {
    if (this.#state === 'idle' || this.#state === 'closed') return
    this.#generation++
    clearTimeout(this.#reconnectTimer)
    const hadSocket = this.#ws !== null
    this.#abandon()
    this.#ended(1000, 'closed by the client', false, hadSocket)
  }

  async #open() {
    const generation = ++this.#generation
    this.#verdict = undefined
    this.#connectError = undefined
    this.#announcedClose = undefined
    let token
    try {
      token = this.#options.getToken ? await this.#options.getToken() : this.#options.token
    } catch (err) {
      if (generation === this.#generation) this.#ended(1006, `getToken failed: ${err?.message ?? err}`, true, false)
      return
    }
    if (generation !== this.#generation) return
    let ws
    try {
      ws = new this.#WebSocket(this.#options.url)
    } catch (err) {
      this.#ended(1006, `cannot open ${this.#options.url}: ${err?.message ?? err}`, false, false)
      return
    }
    ws.binaryType = 'arraybuffer'
    this.#ws = ws
    // Bounds the whole handshake: opening the socket and the connect reply.
    this.#attemptTimer = setTimeout(() => this.#drop(generation, 'connect timeout'), this.#options.requestTimeoutMs)
    ws.onerror = noop
    ws.onclose = (e) => generation === this.#generation && this.#onClose(e.code, e.reason)
    ws.onmessage = (e) => generation === this.#generation && this.#onMessage(e.data)
    ws.onopen = () => {
      const { client, device, appType } = this.#options
      const args = { token, client, device, app_type: appType }
      // A timeout or a closed socket ends the attempt by itself: only error replies need handling here.
      this.#call('connect', args, (result) => this.#onConnected(result), (err) => this.#onConnectFailed(generation, err))
        .catch(noop)
    }
  }

  #onConnected(result) {
    clearTimeout(this.#attemptTimer)
    this.#connectedAt = Date.now()
    this.#lastResult = result
    this.#pingIntervalMs = result.ping_interval_ms ?? 25000
    this.#tokenRate = Math.max(1, (result.command_rate_per_second ?? 50) * 0.9)
    this.#tokenBurst = Math.max(1, (result.command_burst ?? 200) - 2)
    this.#tokens = this.#tokenBurst
    this.#tokensAt = Date.now()
    this.#setState('connected')
    this.#schedulePing()
    this.#scheduleRefresh(result.token_expires_at)
    for (const sub of this.#subs.values()) this.#resubscribe(sub, this.#generation)
    this.#emitter.emit('connected', result)
    this.#ready.resolve(result)
  }

  #onConnectFailed(generation, err) {
    this.#connectError = err
    if (err.code === 'token_expired') this.#verdict = this.#options.getToken ? 'retry' : 'stop'
    else this.#verdict = RETRYABLE.has(err.code) ? 'retry' : 'stop'
    // After unauthorized (4500) and token_expired (4005) the server closes the socket itself.
    if (err.code !== 'unauthorized' && err.code !== 'token_expired') this.#drop(generation, `connect failed: ${err.code}`, 1000)
  }

  #onMessage(data) {
    if (typeof data !== 'string') {
      this.#emitter.emit('binary', data)
      return
    }
    let frame
    try {
      frame = JSON.parse(data)
    } catch {
      return
    }
    if (typeof frame?.push === 'string') this.#onPush(frame)
    else if (typeof frame?.id === 'number') this.#onReply(frame)
  }

  #onReply(frame) {
    const pending = this.#pending.get(frame.id)
    if (!pending) return
    this.#pending.delete(frame.id)
    clearTimeout(pending.timer)
    // The hooks run before the next frame is handled: ws (Node) emits the frames of one read synchronously, so a
    // promise continuation could see a live publication (or the close) before the reply that precedes it.
    if (frame.error) {
      const { code, message, retry_after_ms: retryAfterMs, details } = frame.error
      const error = new HeartlineError(code, message, retryAfterMs, details)
      pending.onError?.(error)
      pending.reject(error)
      return
    }
    pending.onResult?.(frame.result)
    pending.resolve(frame.result)
  }

  #onPush(frame) {
    if (frame.push === 'pub') {
      const sub = this.#subs.get(frame.channel)
      if (sub) this.#deliver(sub, frame)
    } else if (frame.push === 'disconnect') {
      this.#verdict = frame.reconnect === false ? 'stop' : 'retry'
      this.#announcedClose = { code: frame.code, reason: frame.reason }
    }
    this.#emitter.emit('push', frame)
  }

  /** Delivers a publication unless that offset of that epoch was delivered already. */
  #deliver(sub, { channel, offset, epoch, time, data }) {
    if (epoch === sub.epoch && offset <= sub.offset) return
    sub.offset = offset
    sub.epoch = epoch
    invoke(sub.onPublication, { channel, offset, epoch, time, data })
  }

  #onSubscribed(sub, result, resubscribed) {
    if (this.#subs.get(sub.channel) !== sub) return
    const hadPosition = sub.epoch !== undefined
    if (result.recovered) for (const pub of result.publications ?? []) this.#deliver(sub, pub)
    sub.offset = result.offset
    sub.epoch = result.epoch
    const position = { offset: result.offset, epoch: result.epoch }
    sub.emit('subscribed', { recovered: result.recovered, resubscribed, ...position })
    if (hadPosition) sub.emit(result.recovered ? 'recovered' : 'lost', { recovered: result.recovered, ...position })
  }

  #resubscribe(sub, generation) {
    const since = sub.epoch !== undefined ? { offset: sub.offset, epoch: sub.epoch } : undefined
    this.#call('subscribe', { channel: sub.channel, since }, (result) => this.#onSubscribed(sub, result, true))
      .catch((err) => {
        if (generation !== this.#generation || this.#subs.get(sub.channel) !== sub) return
        if (err instanceof HeartlineTimeoutError) {
          // The server may have subscribed anyway; only a fresh connection puts both sides in step again.
          this.#drop(generation, `no reply to subscribe ${sub.channel}`)
        } else if (err instanceof HeartlineError && RETRYABLE.has(err.code)) {
          const delay = err.retryAfterMs ?? backoffDelay(1, this.#reconnect)
          setTimeout(() => generation === this.#generation && this.#resubscribe(sub, generation), delay)
        } else if (err instanceof HeartlineError) {
          this.#subs.delete(sub.channel)
          sub.emit('error', err)
        }
      })
  }

  async #unsubscribe(sub) {
    if (this.#subs.get(sub.channel) !== sub) return
    this.#subs.delete(sub.channel)
    if (this.#state !== 'connected') return
    try {
      await this.#call('unsubscribe', { channel: sub.channel })
    } catch (err) {
      if (err instanceof HeartlineError && err.code !== 'not_subscribed') throw err
    }
  }

  /** Sends a command on the current socket, whatever the state (connect uses it before 'connected'). */
  #call(cmd, args, onResult, onError) {
    return new Promise((resolve, reject) => {
      // The request timeout runs from the moment the command is sent, not while it waits for a token.
      const transmit = () => {
        const id = ++this.#nextId
        const frame = JSON.stringify(args === undefined ? { id, cmd } : { id, cmd, args })
        const ms = this.#options.requestTimeoutMs
        const timer = setTimeout(() => {
          this.#pending.delete(id)
          reject(new HeartlineTimeoutError(cmd, ms))
        }, ms)
        this.#pending.set(id, { cmd, resolve, reject, timer, onResult, onError })
        if (!this.#send(frame)) {
          this.#pending.delete(id)
          clearTimeout(timer)
          reject(new HeartlineDisconnectedError('not connected'))
        }
      }
      if (cmd === 'connect') transmit()
      else this.#pace(transmit, () => reject(new HeartlineDisconnectedError('not connected')))
    })
  }

  #pace(transmit, fail) {
    if (this.#paced.length === 0 && this.#takeToken()) {
      transmit()
      return
    }
    this.#paced.push({ generation: this.#generation, transmit, fail })
    this.#schedulePace()
  }

  #takeToken() {
    const now = Date.now()
    this.#tokens = Math.min(this.#tokenBurst, this.#tokens + ((now - this.#tokensAt) / 1000) * this.#tokenRate)
    this.#tokensAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  #schedulePace() {
    if (this.#paceTimer !== undefined) return
    const wait = Math.max(1, Math.ceil(((1 - this.#tokens) / this.#tokenRate) * 1000))
    this.#paceTimer = setTimeout(() => {
      this.#paceTimer = undefined
      this.#drainPaced()
    }, wait)
  }

  #drainPaced() {
    while (this.#paced.length > 0) {
      const next = this.#paced[0]
      // Queued on a connection that is gone: its reply could never come.
      if (next.generation !== this.#generation || this.#state !== 'connected') {
        this.#paced.shift()
        next.fail()
        continue
      }
      if (!this.#takeToken()) {
        this.#schedulePace()
        return
      }
      this.#paced.shift()
      next.transmit()
    }
  }

  /** The one outbound path: every text and binary frame goes through here. */
  #send(data) {
    const ws = this.#ws
    if (!ws || ws.readyState !== 1) return false
    ws.send(data)
    this.#lastSentAt = Date.now()
    return true
  }

  /** Sends `ping` when nothing was sent for ping_interval_ms; a ping without reply drops the connection. */
  #schedulePing() {
    clearTimeout(this.#pingTimer)
    const generation = this.#generation
    const due = Math.max(0, this.#lastSentAt + this.#pingIntervalMs - Date.now())
    this.#pingTimer = setTimeout(() => {
      if (generation !== this.#generation || this.#state !== 'connected') return
      if (Date.now() - this.#lastSentAt >= this.#pingIntervalMs) {
        this.#call('ping').catch((err) => err instanceof HeartlineTimeoutError && this.#drop(generation, 'ping timeout'))
      }
      this.#schedulePing()
    }, due)
  }

  /** With getToken: refreshes the token on this socket when a third of its life (from now) is left. */
  #scheduleRefresh(expiresAt) {
    clearTimeout(this.#refreshTimer)
    if (!this.#options.getToken || !expiresAt) return
    const generation = this.#generation
    const left = expiresAt - Date.now()
    const due = Math.min(2 ** 31 - 1, Math.max(1000, (left * 2) / 3))
    this.#refreshTimer = setTimeout(async () => {
      if (generation !== this.#generation || this.#state !== 'connected') return
      try {
        const token = await this.#options.getToken()
        const result = await this.#call('refresh', { token })
        if (generation !== this.#generation) return
        this.#emitter.emit('refreshed', { tokenExpiresAt: result.token_expires_at })
        // getToken gave the same token again: nothing gained, and asking again would only come sooner and sooner.
        if (result.token_expires_at > expiresAt) this.#scheduleRefresh(result.token_expires_at)
      } catch {
        // The token source or the server said no for now: try again in a while; at expiry the server closes with
        // 4005 and the reconnect gets a fresh token anyway.
        if (generation === this.#generation) this.#scheduleRefresh(Date.now() + 90_000)
      }
    }, due)
  }

  #onClose(code, reason) {
    // 1005/1006: no close frame arrived (the API hid it or the socket was cut); the disconnect push said which.
    if ((code === 1005 || code === 1006) && this.#announcedClose) ({ code, reason } = this.#announcedClose)
    const willReconnect = this.#decide(code)
    this.#ws = null
    this.#ended(code, reason, willReconnect, true)
  }

  /** Whether to reconnect after the socket closed with `code` (protocol section 7). */
  #decide(code) {
    if (code === 4005 && !this.#options.getToken) return false // the same expired token would fail again
    if (this.#verdict) return this.#verdict === 'retry'
    if (code >= 4500 && code <= 4999) return false
    return code !== 1000
  }

  /** Gives up the current socket without waiting for its close handshake (it may be dead). */
  #drop(generation, reason, code = 1006) {
    if (generation !== this.#generation || !this.#ws) return
    this.#abandon()
    this.#ended(code, reason, this.#decide(code), true)
  }

  #abandon() {
    const ws = this.#ws
    this.#ws = null
    if (!ws) return
    // Not null: ws (Node) throws an 'error' event that has no listener.
    ws.onerror = noop
    ws.onopen = noop
    ws.onmessage = noop
    ws.onclose = noop
    try {
      ws.close(1000)
    } catch {
      // already closing
    }
  }

  /** The end of a socket or an attempt: fail what waited on it, then reconnect or give up. */
  #ended(code, reason, willReconnect, hadSocket) {
    clearTimeout(this.#attemptTimer)
    clearTimeout(this.#pingTimer)
    clearTimeout(this.#refreshTimer)
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer)
      pending.reject(new HeartlineDisconnectedError(`connection closed before the reply to ${pending.cmd}`, code))
      this.#pending.delete(id)
    }
    if (this.#state === 'connected' && Date.now() - this.#connectedAt >= this.#reconnect.resetAfterMs) this.#failures = 0
    if (hadSocket) this.#emitter.emit('disconnected', { code, reason, willReconnect })
    if (!willReconnect) {
      this.#setState('closed')
      this.#ready.reject(this.#connectError ?? new HeartlineDisconnectedError(reason || `closed with ${code}`, code))
      return
    }
    const retryAfterMs = this.#connectError?.retryAfterMs ?? 0
    const delayMs = Math.max(retryAfterMs, backoffDelay(this.#failures, this.#reconnect))
    this.#failures++
    if (this.#ready.settled) this.#ready = deferred()
    this.#setState('reconnecting')
    this.#emitter.emit('reconnecting', { attempt: this.#failures, delayMs })
    this.#reconnectTimer = setTimeout(() => this.#open(), delayMs)
  }

  #setState(state) {
    if (state === this.#state) return
    this.#state = state
    this.#emitter.emit('state', state)
  }
}

function noop() {}

function defaultUrl() {
  const location = globalThis.location
  if (!location) throw new TypeError('url is required outside a browser')
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
}

/** A promise with its settle functions; a rejection nobody awaits is not reported as unhandled. */
function deferred() {
  const d = { settled: false }
  d.promise = new Promise((resolve, reject) => {
    d.resolve = (v) => ((d.settled = true), resolve(v))
    d.reject = (e) => ((d.settled = true), reject(e))
  })
  d.promise.catch(noop)
  return d
}
