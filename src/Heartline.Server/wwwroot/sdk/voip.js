/**
 * Heartline VoIP for browsers and Android WebViews: guest admission, who is online, and 1:1 audio or video calls
 * (WebRTC, signalled over the Heartline realtime protocol: docs/protocol.md, docs/voip.md). It uses /sdk/heartline.js
 * for the connection (reconnect with backoff, `since` recovery of the call inbox, command pacing).
 *
 * Load it either way; both attach the same globals (no build step, no import/export of its own):
 *   <script src="https://voip.example.com/sdk/voip.js"></script>      (a classic script: an Android WebView)
 *   import '/sdk/voip.js'                                               (a module; then use globalThis.VoipUtils)
 * heartline.js is loaded next to this script (a classic tag's own URL), or from /sdk/heartline.js of the page's origin.
 * A page served from elsewhere (a WebView's file:// page) needs the server to allow its origin (CORS) for /sdk/ and /api/.
 *
 * From a WebView:
 *   const connection = connectAsGuest('ws://your-server:3004', 'Guest Name')  // '' = this page's server
 *   VoipUtils.on('incoming', (call) => showIncoming(call.peer.name))         // then VoipUtils.accept() / reject()
 *   VoipUtils.on('call', (call) => render(call))          // call.state, call.remoteStream → a <video>'s srcObject
 *   console.log('Connected:', VoipUtils.isConnected())
 *   VoipUtils.startCall('target-guest-id', 'video')      // or 'audio'; a Promise of the call (errors also as 'error')
 *   VoipUtils.setMuted(true); VoipUtils.setCameraOn(false); VoipUtils.hangUp()
 *   VoipUtils.disconnect()
 * connectAsGuest(url, name, options) admits a guest with that display name (POST /api/voip/guests, or reuses the
 * guest kept in localStorage while its token is valid), connects in the background and returns the connection
 * (a HeartlineVoip) at once. Options: tenant, invitation, iceTransportPolicy ('all' | 'relay'), storageKey (null: keep
 * nothing), audio / video (getUserMedia constraints), device. `new HeartlineVoip({url, name, ...})` makes more
 * connections side by side (VoipUtils drives the last one connectAsGuest made; VoipUtils.connection is it). A
 * connection also has connect(), disconnect({forget}), state, guest, online, call and pc (the current call's
 * RTCPeerConnection, for getStats); HeartlineVoip.storedGuest() / forgetGuest() read and clear the kept guest.
 * The token is renewed (voip.renew) when a third of its life is left and handed to the open connection (the core's
 * refresh), so the socket lives on without a reconnect; the server's voip.ping is answered with voip.pong.
 *
 * Events (`on(event, handler)`, returning an unsubscribe function):
 *   connected     {guest, reconnected}                 connected (again); calls may be placed
 *   disconnected  {code, reason, willReconnect}        the connection ended; willReconnect false: it stays down
 *   reconnecting  {attempt, delayMs}                   the next attempt is scheduled
 *   guest         {id, name, tenant, expiresAt, readmitted, previousId?, reason?}
 *                 who you are; again with readmitted true when the server had forgotten the guest (purged, or away
 *                 beyond its reclaim window: `voip_guest_gone`) and it was admitted anew with the same name (a new id)
 *   online        [{id, name, since}]                  everyone else online in the tenant, after every change
 *   incoming      call                                 someone calls you (also a 'call' with state 'incoming')
 *   call          call                                 any change of the current call (below)
 *   error         VoipError {code, message}            admission, media, commands; `code` is stable, message English
 *   state         'connecting' | 'connected' | 'reconnecting' | 'closed'   the connection's state, after every change
 *
 * A call: {call_id, state, reason?, peer: {id, name}, media: 'audio' | 'video', direction: 'outgoing' | 'incoming',
 * localStream?, remoteStream?, connectedAt?, duration_ms?, deadline?, away?, muted, cameraOn, endedByMe?}. States:
 *   calling → ringing (the callee's phone rings) → connecting → active            an outgoing call
 *   incoming → connecting (accepted) → active                                    an incoming call
 *   reconnecting   a party's connection dropped (`away` 'peer', who must be back by `deadline` (ms), or 'self') or the
 *                  media path broke (`away` 'media'; the caller restarts ICE)
 *   ended          `reason`: hangup, rejected, cancelled, busy, no_answer, peer_gone, server_restart, removed,
 *                  max_duration (from the server); unreachable, in_call, failed, connection_lost, guest_gone (local)
 */
;(function () {
  'use strict'

  const root = globalThis
  // Loaded twice (a classic tag and an import): the first copy keeps its state.
  if (root.HeartlineVoip) return

  const SCRIPT_URL = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) || null
  const DEFAULT_STORAGE_KEY = 'heartline.voip.guest'
  /** A kept guest is reused only with this much of its token left (it is renewed once connected). */
  const MIN_KEPT_TOKEN_MS = 60_000
  const MEDIA_TIMEOUT_MS = 30_000
  const HTTP_TIMEOUT_MS = 10_000
  /** An offer whose answer has not come for this long is given up for a new one (the answer was lost). */
  const OFFER_STALE_MS = 5_000
  const MAX_TIMER_MS = 2 ** 31 - 1
  /** Admission failures that no retry fixes. */
  const FATAL_ADMISSION = new Set(['bad_request', 'voip_invitation_required', 'forbidden', 'not_found', 'http_404', 'http_405'])
  /** Connect errors after which the token's guest is gone: admit a new one with the same name. */
  const READMIT = new Set(['voip_guest_gone', 'unauthorized', 'token_expired'])
  const MAX_READMITS = 3
  const START_ERROR_REASONS = { voip_busy: 'busy', voip_unreachable: 'unreachable', voip_in_call: 'in_call' }
  /** ICE failures in a row after which the caller gives a call up (`failed`) instead of restarting ICE again. */
  const MAX_ICE_FAILURES = 3

  let heartline = null
  function loadHeartline() {
    const url = SCRIPT_URL ? new URL('heartline.js', SCRIPT_URL).href : new URL('/sdk/heartline.js', root.location.href).href
    heartline ??= import(url).catch((err) => {
      heartline = null
      throw new VoipError('sdk_unavailable', `cannot load ${url}: ${err?.message ?? err}`)
    })
    return heartline
  }

  /** An error with a stable `code` (the server's, or one of this SDK: not_connected, media_denied, …). */
  class VoipError extends Error {
    /** @param {string} code @param {string} message @param {{status?: number, retryAfterMs?: number, details?: object}} [extra] */
    constructor(code, message, extra = {}) {
      super(message)
      this.name = 'VoipError'
      this.code = code
      Object.assign(this, extra)
    }

    toJSON() {
      return { code: this.code, message: this.message, status: this.status, details: this.details }
    }
  }

  function asVoipError(err, fallback = 'failed') {
    if (err instanceof VoipError) return err
    if (err?.name === 'DisconnectedError') return new VoipError('not_connected', err.message)
    if (err?.name === 'TimeoutError') return new VoipError('timeout', err.message)
    return new VoipError(err?.code ?? fallback, err?.message ?? String(err), { retryAfterMs: err?.retryAfterMs, details: err?.details })
  }

  /** A minimal event emitter; a handler's exception is reported, never thrown into the SDK. */
  class Emitter {
    #handlers = new Map()
    #any = new Set()

    on(event, handler) {
      if (!this.#handlers.has(event)) this.#handlers.set(event, new Set())
      const set = this.#handlers.get(event)
      set.add(handler)
      return () => set.delete(handler)
    }

    onAny(handler) {
      this.#any.add(handler)
      return () => this.#any.delete(handler)
    }

    emit(event, value) {
      for (const handler of [...(this.#handlers.get(event) ?? [])]) invoke(handler, value)
      for (const handler of [...this.#any]) invoke(handler, event, value)
    }
  }

  function invoke(handler, ...args) {
    try {
      handler(...args)
    } catch (err) {
      if (typeof root.reportError === 'function') root.reportError(err)
      else console.error(err)
    }
  }

  function noop() {}

  /** A promise whose rejection is also reported through 'error': marked handled so fire-and-forget calls stay quiet. */
  function handled(promise) {
    promise.catch(noop)
    return promise
  }

  /** The HTTP base and the WebSocket URL of a server given as ws(s)://, http(s):// or '' (this page's origin). */
  function endpointsOf(url) {
    const here = root.location?.href
    const base = url ? new URL(url, here) : new URL(here)
    const secure = base.protocol === 'https:' || base.protocol === 'wss:'
    const path = url ? base.pathname.replace(/\/ws\/?$/, '').replace(/\/+$/, '') : ''
    return {
      http: `${secure ? 'https' : 'http'}://${base.host}${path}`,
      ws: `${secure ? 'wss' : 'ws'}://${base.host}${path}/ws`,
    }
  }

  /** `iat` and `exp` of a JWT (seconds), read without verifying: only to know when to renew it. */
  function claimsOf(token) {
    try {
      const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
      const { iat, exp } = JSON.parse(atob(payload))
      return { iat, exp }
    } catch {
      return {}
    }
  }

  function storage() {
    try {
      return root.localStorage ?? null
    } catch {
      return null
    }
  }

  /** @param {number} failures @param {number} initialMs @param {number} maxMs full-jitter backoff */
  function backoff(failures, initialMs = 1000, maxMs = 30_000) {
    return Math.floor(Math.random() * Math.min(maxMs, initialMs * 2 ** Math.min(failures, 20)))
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms))
  }

  function deferred() {
    const d = {}
    d.promise = new Promise((resolve, reject) => Object.assign(d, { resolve, reject }))
    d.promise.catch(noop)
    return d
  }

  async function httpJson(fetchImpl, method, url, { body, token } = {}) {
    const controller = typeof AbortController === 'function' ? new AbortController() : null
    const timer = setTimeout(() => controller?.abort(), HTTP_TIMEOUT_MS)
    let response
    try {
      const headers = { accept: 'application/json' }
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (token) headers.authorization = `Bearer ${token}`
      response = await fetchImpl(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: controller?.signal })
    } catch (err) {
      throw new VoipError('network', `${method} ${url} failed: ${err?.message ?? err}`)
    } finally {
      clearTimeout(timer)
    }
    let payload = null
    try {
      payload = await response.json()
    } catch {
      // an empty or non-JSON body: the status says enough
    }
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'))
      throw new VoipError(payload?.code ?? `http_${response.status}`, payload?.detail ?? `HTTP ${response.status}`, {
        status: response.status, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      })
    }
    return payload
  }

  /** Resolves with `promise` or rejects after `ms`; a late result is handed to `onLate` (a stream to stop). */
  function withTimeout(promise, ms, onLate) {
    return new Promise((resolve, reject) => {
      let done = false
      const timer = setTimeout(() => {
        done = true
        reject(new VoipError('media_timeout', `no camera or microphone within ${ms} ms`))
      }, ms)
      promise.then((value) => {
        if (done) return onLate?.(value)
        done = true
        clearTimeout(timer)
        resolve(value)
      }, (err) => {
        if (done) return
        done = true
        clearTimeout(timer)
        reject(err)
      })
    })
  }

  /**
   * One guest's connection and calls. See the comment at the top of this file for the events and the call states.
   */
  class HeartlineVoip {
    #events = new Emitter()
    #options
    #endpoints
    /** @type {{id: string, name: string, tenant: string, token: string, expiresAt: number, lifeMs: number} | null} */
    #guest = null
    #client = null
    #inbox = null
    #presence = null
    #watched = null
    #state = 'idle'
    #ready = null
    #everConnected = false
    #readmits = 0
    #generation = 0
    #online = new Map()
    #call = null
    /** Every call task and call event runs here, one after another: a call's WebRTC steps never interleave. */
    #queue = Promise.resolve()
    #renewTimer = undefined
    #iceCache = null
    #pendingEnd = null
    /** Calls that ended here, whose late events are expected and ignored (bounded). */
    #finished = new Set()

    /**
     * @param {{ url?: string, name: string, tenant?: string, invitation?: string, iceTransportPolicy?: 'all' | 'relay',
     *   storageKey?: string | null, audio?: boolean | MediaTrackConstraints, video?: boolean | MediaTrackConstraints,
     *   device?: string, fetch?: typeof fetch }} options
     */
    constructor(options) {
      if (!options || typeof options.name !== 'string') throw new TypeError('name is required')
      this.#options = { url: '', storageKey: null, iceTransportPolicy: 'all', ...options, name: options.name.trim() }
      this.#endpoints = endpointsOf(this.#options.url)
    }

    /** The guest kept in localStorage under `storageKey` while its token is valid: {guest_id, name, tenant, expires_at}. */
    static storedGuest(storageKey = DEFAULT_STORAGE_KEY) {
      const kept = readKept(storageKey)
      return kept ? { guest_id: kept.guest_id, name: kept.name, tenant: kept.tenant, expires_at: kept.expires_at } : null
    }

    /** Forgets the guest kept under `storageKey`. */
    static forgetGuest(storageKey = DEFAULT_STORAGE_KEY) {
      storage()?.removeItem(storageKey)
    }

    /** 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' */
    get state() {
      return this.#state
    }

    /** {id, name, tenant, expiresAt} of this guest, once admitted. */
    get guest() {
      const g = this.#guest
      return g ? { id: g.id, name: g.name, tenant: g.tenant, expiresAt: g.expiresAt } : null
    }

    /** Everyone else online in the tenant: [{id, name, since}]. */
    get online() {
      return [...this.#online.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    }

    /** The current (or last) call, as the 'call' event gives it; null before the first. */
    get call() {
      return this.#call ? this.#snapshot(this.#call) : null
    }

    /** The current call's RTCPeerConnection (for statistics), or null. */
    get pc() {
      return this.#call && !this.#call.ended ? this.#call.pc ?? null : null
    }

    /** @param {string} event @param {(value: any) => void} handler @returns {() => void} */
    on(event, handler) {
      return this.#events.on(event, handler)
    }

    /** @param {(event: string, value: any) => void} handler every event */
    onAny(handler) {
      return this.#events.onAny(handler)
    }

    isConnected() {
      return this.#state === 'connected'
    }

    /**
     * Admits the guest (or reuses the kept one) and connects; later drops reconnect by themselves. Resolves at the
     * first connect; rejects (VoipError) when admission is refused for good (a bad name, an invitation required).
     */
    connect() {
      if (this.#state === 'idle' || this.#state === 'closed') {
        this.#ready = deferred()
        this.#setState('connecting')
        this.#begin(++this.#generation)
      }
      return this.#ready.promise
    }

    /**
     * Ends the current call and the connection. `forget`: also forget the kept guest (the next connect admits anew).
     * @param {{ forget?: boolean }} [options]
     */
    disconnect({ forget = false } = {}) {
      const call = this.#call
      if (call && !call.ended) {
        const { cmd } = this.#endCommand(call)
        if (call.id && this.#client?.state === 'connected') this.#client.request(cmd, { call_id: call.id }).catch(noop)
        this.#endCall(call, cmd === 'voip.reject' ? 'rejected' : cmd === 'voip.cancel' ? 'cancelled' : 'hangup', undefined, true)
      }
      this.#generation++
      this.#dropClient()
      clearTimeout(this.#renewTimer)
      if (forget) {
        if (this.#options.storageKey) storage()?.removeItem(this.#options.storageKey)
        this.#guest = null
      }
      const wasOpen = this.#state !== 'closed' && this.#state !== 'idle'
      this.#ready?.reject(new VoipError('closed', 'disconnected by the client'))
      this.#setState('closed')
      if (wasOpen) this.#events.emit('disconnected', { code: 1000, reason: 'closed by the client', willReconnect: false })
    }

    /**
     * Calls another guest. Resolves with the call once the server placed it (state 'ringing', or 'connecting' when
     * they had just called you: glare); rejects with VoipError (voip_busy, voip_unreachable, voip_in_call, …).
     * @param {string} to the callee's guest id @param {'video' | 'audio'} [media]
     */
    startCall(to, media = 'video') {
      return handled(this.#enqueue(() => this.#startCall(String(to ?? ''), media === 'audio' ? 'audio' : 'video'), true))
    }

    /** Answers the incoming call. */
    accept() {
      return handled(this.#enqueue(() => this.#accept(), true))
    }

    /** Declines the incoming call. */
    reject() {
      return handled(this.#enqueue(() => this.#hangUp('reject'), true))
    }

    /** Ends the current call whatever its state: rejects an incoming one, cancels one still ringing, hangs up. */
    hangUp() {
      // A call still being placed (waiting for the camera, or for the server) ends at once: its task cancels it.
      const call = this.#live()
      if (call && !call.id && call.phase === 'calling') {
        call.endedByMe = true
        this.#endCall(call, 'cancelled', undefined, true)
        return Promise.resolve()
      }
      return handled(this.#enqueue(() => this.#hangUp('any'), true))
    }

    /** Mutes (true) or unmutes the microphone of the current call. */
    setMuted(muted) {
      const call = this.#live()
      if (!call) return false
      call.muted = !!muted
      this.#applyTrackState(call)
      this.#emitCall(call)
      return true
    }

    /** Turns the camera of the current video call on or off (the peer sees black while off). */
    setCameraOn(on) {
      const call = this.#live()
      if (!call) return false
      call.cameraOn = !!on
      this.#applyTrackState(call)
      this.#emitCall(call)
      return true
    }

    // --- connection -------------------------------------------------------------------------------------------

    async #begin(generation) {
      let lib
      try {
        lib = await loadHeartline()
        const guest = this.#reusableGuest() ?? (await this.#admitWithRetry(generation))
        if (generation !== this.#generation) return
        this.#adopt(guest, { readmitted: false })
      } catch (err) {
        if (generation !== this.#generation) return
        this.#fail(asVoipError(err))
        return
      }
      this.#open(lib, generation)
    }

    /** Admits a guest, retrying what a retry can fix (network, rate limit, server trouble). */
    async #admitWithRetry(generation) {
      for (let failures = 0; ; failures++) {
        try {
          return await this.#admit()
        } catch (err) {
          const error = asVoipError(err)
          if (FATAL_ADMISSION.has(error.code) || generation !== this.#generation) throw error
          this.#events.emit('error', error)
          await sleep(Math.max(error.retryAfterMs ?? 0, backoff(failures)))
          if (generation !== this.#generation) throw new VoipError('closed', 'disconnected by the client')
        }
      }
    }

    async #admit() {
      const { name, tenant, invitation } = this.#options
      const body = { name }
      if (tenant) body.tenant = tenant
      if (invitation) body.invitation = invitation
      const result = await httpJson(this.#fetch, 'POST', `${this.#endpoints.http}/api/voip/guests`, { body })
      return this.#guestOf(result)
    }

    #guestOf({ guest_id: id, name, tenant, token, expires_at: expiresAt }) {
      const { iat, exp } = claimsOf(token)
      const lifeMs = iat && exp ? (exp - iat) * 1000 : Math.max(60_000, expiresAt - Date.now())
      return { id, name, tenant: tenant ?? 'public', token, expiresAt, lifeMs }
    }

    get #fetch() {
      return this.#options.fetch ?? root.fetch.bind(root)
    }

    #reusableGuest() {
      const { name, tenant, storageKey } = this.#options
      const fits = (g) => g && g.name === name && (!tenant || g.tenant === tenant) && g.expiresAt > Date.now() + MIN_KEPT_TOKEN_MS
      if (fits(this.#guest)) return this.#guest
      const kept = storageKey ? readKept(storageKey) : null
      const guest = kept ? this.#guestOf(kept) : null
      return fits(guest) ? guest : null
    }

    #adopt(guest, { readmitted, previousId, reason }) {
      this.#guest = guest
      this.#keep()
      const event = { id: guest.id, name: guest.name, tenant: guest.tenant, expiresAt: guest.expiresAt, readmitted }
      if (readmitted) Object.assign(event, { previousId, reason })
      this.#events.emit('guest', event)
    }

    #keep() {
      const { storageKey } = this.#options
      const g = this.#guest
      if (!storageKey || !g) return
      try {
        storage()?.setItem(storageKey, JSON.stringify({ guest_id: g.id, name: g.name, tenant: g.tenant, token: g.token, expires_at: g.expiresAt }))
      } catch {
        // storage full or refused: the guest is just not reused after a reload
      }
    }

    #open(lib, generation) {
      const client = new lib.HeartlineClient({
        url: this.#endpoints.ws,
        getToken: () => this.#token(client),
        client: 'heartline-voip-js/1',
        device: this.#options.device,
      })
      this.#client = client
      client.on('connected', (result) => client === this.#client && this.#onConnected(client, result, generation))
      client.on('disconnected', (e) => client === this.#client && this.#onDisconnected(client, e))
      client.on('reconnecting', (e) => {
        if (client !== this.#client) return
        this.#setState('reconnecting')
        this.#events.emit('reconnecting', e)
        this.#watch(client)
      })
      client.on('push', (frame) => client === this.#client && this.#onPush(client, frame))
      this.#watch(client)
    }

    /** The token for a (re)connect: an expired one cannot be renewed any more, so the guest is admitted anew. */
    async #token(client) {
      const guest = this.#guest
      if (guest && guest.expiresAt > Date.now() + 2000) return guest.token
      queueMicrotask(() => client === this.#client && this.#readmit('token_expired'))
      throw new VoipError('token_expired', 'the guest token expired while away')
    }

    /** Follows the client's current connect attempt: its rejection says why the client gave up. */
    #watch(client) {
      const attempt = client.connect()
      if (attempt === this.#watched) return
      this.#watched = attempt
      attempt.then(noop, (err) => client === this.#client && this.#onGiveUp(client, err))
    }

    async #onConnected(client, result, generation) {
      this.#readmits = 0
      const guest = this.#guest
      if (result?.user?.user_id && result.user.user_id !== guest.id) guest.id = result.user.user_id
      // The inbox first (the client resubscribes it by itself after a reconnect): a call placed the moment this
      // guest is announced connected must reach it.
      try {
        if (!this.#inbox) {
          this.#inbox = await client.subscribe(`voip:${guest.id}`, (p) => this.#onInbox(client, p.data))
          this.#inbox.on('error', (err) => {
            if (client !== this.#client) return
            this.#inbox = null
            this.#events.emit('error', asVoipError(err))
          })
        }
        if (!this.#presence) {
          this.#presence = await client.subscribe(`presence:voip/${guest.tenant}`, (p) => this.#onPresence(p.data))
          this.#presence.on('lost', () => this.#refreshPresence(client))
          this.#presence.on('error', () => client === this.#client && (this.#presence = null))
        }
      } catch (err) {
        if (client === this.#client && client.state === 'connected' && err?.code !== 'already_subscribed') this.#events.emit('error', asVoipError(err))
      }
      if (client !== this.#client || generation !== this.#generation || client.state !== 'connected') return
      const reconnected = this.#everConnected
      this.#everConnected = true
      this.#setState('connected')
      this.#scheduleRenew()
      this.#flushPendingEnd(client)
      const call = this.#live()
      if (call) {
        call.selfAway = false
        // Back after a drop: the caller renegotiates when the media path did not survive it.
        if (call.isCaller && call.pc && (call.restartPending || !iceUp(call.pc))) this.#enqueue(() => this.#restartIce(call))
        this.#emitCall(call)
      }
      this.#events.emit('connected', { guest: this.guest, reconnected })
      this.#ready?.resolve(this.guest)
      await this.#refreshPresence(client)
    }

    #onDisconnected(client, e) {
      const call = this.#live()
      if (call) {
        call.selfAway = true
        this.#emitCall(call)
      }
      if (e.willReconnect) {
        this.#events.emit('disconnected', e)
        return
      }
      // 4503 revoked while connected: the guest was purged.
      if (e.code === 4503) {
        this.#readmit('revoked')
        return
      }
      // The client gave up: its connect error (a rejected promise, a moment later) may say the guest is gone, in
      // which case a new guest is admitted instead of reporting the connection closed.
      setTimeout(() => {
        if (client !== this.#client) return
        this.#setState('closed')
        this.#events.emit('disconnected', e)
        const live = this.#live()
        if (live) this.#endCall(live, 'connection_lost')
      }, 0)
    }

    #onGiveUp(client, err) {
      const error = asVoipError(err)
      if (READMIT.has(error.code)) this.#readmit(error.code)
      else if (error.code !== 'not_connected') this.#events.emit('error', error)
    }

    /** The server forgot this guest (or its token can no longer be used): admit a new one with the same name. */
    async #readmit(reason) {
      const generation = ++this.#generation
      const previous = this.#guest
      this.#dropClient()
      clearTimeout(this.#renewTimer)
      if (this.#options.storageKey) storage()?.removeItem(this.#options.storageKey)
      this.#guest = null
      const call = this.#live()
      if (call) this.#endCall(call, 'guest_gone')
      if (++this.#readmits > MAX_READMITS) {
        this.#fail(new VoipError('readmit_failed', `the server refused the guest ${MAX_READMITS} times in a row (${reason})`))
        return
      }
      this.#setState('connecting')
      let lib
      try {
        lib = await loadHeartline()
        const guest = await this.#admitWithRetry(generation)
        if (generation !== this.#generation) return
        this.#adopt(guest, { readmitted: true, previousId: previous?.id, reason })
      } catch (err) {
        if (generation === this.#generation) this.#fail(asVoipError(err))
        return
      }
      this.#open(lib, generation)
    }

    #fail(error) {
      this.#dropClient()
      this.#setState('closed')
      this.#events.emit('error', error)
      this.#ready?.reject(error)
    }

    #dropClient() {
      const client = this.#client
      this.#client = null
      this.#inbox = null
      this.#presence = null
      this.#watched = null
      this.#iceCache = null
      if (this.#online.size > 0) {
        this.#online.clear()
        this.#events.emit('online', [])
      }
      client?.close()
    }

    #setState(state) {
      if (this.#state === state) return
      this.#state = state
      this.#events.emit('state', state)
    }

    #onPush(client, frame) {
      // The server's liveness ping: answered at once, or the guest counts as gone after a few.
      if (frame.push === 'voip.ping') client.request('voip.pong', { seq: frame.seq ?? frame.data?.seq ?? 0 }).catch(noop)
    }

    /** Renews the token when a third of its life is left: the open connection and later reconnects use the new one. */
    #scheduleRenew() {
      clearTimeout(this.#renewTimer)
      const guest = this.#guest
      if (!guest) return
      const due = guest.expiresAt - guest.lifeMs / 3 - Date.now()
      this.#renewTimer = setTimeout(() => this.#renew(), Math.min(MAX_TIMER_MS, Math.max(0, due)))
    }

    async #renew() {
      const client = this.#client
      const guest = this.#guest
      if (!client || client.state !== 'connected' || !guest) return
      try {
        const { token, expires_at: expiresAt } = await client.request('voip.renew', {})
        // The open socket takes the new token too: it would otherwise close when the old one expires (4005).
        await client.request('refresh', { token })
        if (this.#guest !== guest) return
        const { iat, exp } = claimsOf(token)
        Object.assign(guest, { token, expiresAt, lifeMs: iat && exp ? (exp - iat) * 1000 : guest.lifeMs })
        this.#keep()
        this.#scheduleRenew()
      } catch (err) {
        if (client !== this.#client) return
        this.#events.emit('error', asVoipError(err))
        clearTimeout(this.#renewTimer)
        this.#renewTimer = setTimeout(() => this.#renew(), 30_000)
      }
    }

    // --- presence ---------------------------------------------------------------------------------------------

    async #refreshPresence(client) {
      const guest = this.#guest
      if (client !== this.#client || client.state !== 'connected' || !guest) return
      try {
        const result = await client.request('presence', { scope: `voip/${guest.tenant}` })
        if (client !== this.#client) return
        this.#online.clear()
        for (const user of result.users ?? []) {
          if (user.user_id === guest.id) continue
          this.#online.set(user.user_id, { id: user.user_id, name: user.name ?? user.user_id, since: user.online_since })
        }
        this.#events.emit('online', this.online)
      } catch (err) {
        if (client === this.#client) this.#events.emit('error', asVoipError(err))
      }
    }

    #onPresence(data) {
      const user = data?.user
      if (!user?.user_id || user.user_id === this.#guest?.id) return
      if (data.event === 'online') this.#online.set(user.user_id, { id: user.user_id, name: user.name ?? user.user_id, since: data.time })
      else if (data.event === 'offline') this.#online.delete(user.user_id)
      else return
      this.#events.emit('online', this.online)
    }

    // --- calls ------------------------------------------------------------------------------------------------

    /**
     * Runs `task` after every earlier call task and event. `rethrow`: the caller's promise rejects with the error
     * (it is reported through 'error' too); otherwise the error is only reported.
     */
    #enqueue(task, rethrow = false) {
      const run = this.#queue.then(task)
      this.#queue = run.catch((err) => this.#events.emit('error', asVoipError(err)))
      return rethrow ? run : run.catch(noop)
    }

    #live() {
      return this.#call && !this.#call.ended ? this.#call : null
    }

    #match(callId) {
      const call = this.#live()
      return call && call.id && call.id === callId ? call : null
    }

    #newCall(fields) {
      return {
        id: undefined, phase: 'calling', direction: 'outgoing', media: 'video', peer: { id: '', name: '' }, isCaller: false,
        pc: null, localStream: null, remoteStream: null, remoteIce: [], outIce: [], holdIce: true, tracksAdded: false,
        offerSeq: 0, offerSentAt: 0, restartPending: false, peerAway: false, selfAway: false, deadline: undefined,
        iceWasUp: false, iceFailures: 0, connectedAt: undefined, muted: false, cameraOn: true, ended: false, reason: undefined,
        durationMs: undefined, endedByMe: false, lastState: undefined, ...fields,
      }
    }

    #request(cmd, args) {
      const client = this.#client
      if (!client) return Promise.reject(new VoipError('not_connected', 'not connected'))
      return client.request(cmd, args).catch((err) => {
        throw asVoipError(err)
      })
    }

    async #startCall(to, media) {
      if (!this.isConnected()) throw new VoipError('not_connected', 'not connected')
      const current = this.#live()
      // They are calling you already: calling them back is answering.
      if (current && current.phase === 'incoming' && current.peer.id === to) return this.#accept()
      if (current) throw new VoipError('voip_in_call', 'a call is in progress: hang it up first')
      if (!to || to === this.#guest?.id) throw new VoipError('bad_request', 'a callee other than yourself is required')
      const peer = { id: to, name: this.#online.get(to)?.name ?? to }
      const call = this.#newCall({ direction: 'outgoing', peer, media, phase: 'calling' })
      this.#call = call
      this.#emitCall(call)
      call.localStream = await this.#media(call, media)
      if (call.ended) throw new VoipError('closed', 'the call ended before it was placed')
      let result
      try {
        result = await this.#request('voip.call', { to, media })
      } catch (err) {
        this.#endCall(call, START_ERROR_REASONS[err.code] ?? 'failed', undefined, true)
        throw err
      }
      call.id = result.call_id
      if (call.ended) {
        // Hung up while the server placed it.
        this.#request(result.state === 'ringing' ? 'voip.cancel' : 'voip.hangup', { call_id: call.id }).catch(noop)
        this.#remember(call.id)
        throw new VoipError('closed', 'the call was hung up while it was placed')
      }
      if (result.state === 'active' || result.glare) call.phase = 'accepted'
      else if (call.phase === 'calling') call.phase = 'ringing'
      this.#emitCall(call)
      return this.#snapshot(call)
    }

    async #accept() {
      const call = this.#live()
      if (!call || call.phase !== 'incoming') throw new VoipError('voip_no_call', 'no incoming call to accept')
      call.localStream = await this.#media(call, call.media)
      if (call.ended) throw new VoipError('voip_no_call', 'the call ended before it was answered')
      try {
        await this.#request('voip.accept', { call_id: call.id })
      } catch (err) {
        // The caller gave up meanwhile: the server's 'ended', queued behind this task, says why.
        if (err.code === 'voip_no_call') this.#enqueue(() => this.#endCall(call, 'cancelled'))
        throw err
      }
      if (call.phase === 'incoming') call.phase = 'accepted'
      this.#emitCall(call)
      return this.#snapshot(call)
    }

    #endCommand(call) {
      if (call.phase === 'incoming') return { cmd: 'voip.reject', reason: 'rejected' }
      if (call.direction === 'outgoing' && (call.phase === 'calling' || call.phase === 'ringing')) return { cmd: 'voip.cancel', reason: 'cancelled' }
      return { cmd: 'voip.hangup', reason: 'hangup' }
    }

    /** @param {'reject' | 'any'} kind */
    async #hangUp(kind) {
      const call = this.#live()
      if (!call || (kind === 'reject' && call.phase !== 'incoming')) throw new VoipError('voip_no_call', 'no call to end')
      let { cmd, reason } = this.#endCommand(call)
      call.endedByMe = true
      if (!call.id) {
        this.#endCall(call, reason, undefined, true)
        return
      }
      if (this.#client?.state !== 'connected') {
        // Sent once connected again; until then the call is over here.
        this.#pendingEnd = { cmd, callId: call.id }
        this.#endCall(call, reason, undefined, true)
        return
      }
      try {
        await this.#request(cmd, { call_id: call.id })
      } catch (err) {
        // Answered the moment it was cancelled: hang the call up instead.
        if (cmd === 'voip.cancel' && err.code === 'voip_no_call') {
          cmd = 'voip.hangup'
          reason = 'hangup'
          await this.#request(cmd, { call_id: call.id }).catch(noop)
        } else if (err.code !== 'voip_no_call') {
          this.#events.emit('error', err)
        }
      }
      // The server's 'ended' came before its reply and waits behind this task: it carries the reason and duration.
      this.#enqueue(() => this.#endCall(call, reason, undefined, true))
    }

    #flushPendingEnd(client) {
      const pending = this.#pendingEnd
      this.#pendingEnd = null
      if (pending) client.request(pending.cmd, { call_id: pending.callId }).catch(noop)
    }

    #onInbox(client, data) {
      if (!data || typeof data.type !== 'string' || client !== this.#client) return
      this.#enqueue(() => this.#onCallEvent(data))
    }

    async #onCallEvent(e) {
      const me = this.#guest?.id
      switch (e.type) {
        case 'incoming': {
          const current = this.#live()
          if (current) {
            if (current.id === e.call_id) return
            // Busy here: the server answers voip_busy before ringing anyone in a call; should it ring anyway, decline.
            this.#request('voip.reject', { call_id: e.call_id }).catch(noop)
            return
          }
          const peer = { id: e.from?.id ?? '', name: e.from?.name ?? e.from?.id ?? '' }
          const call = this.#newCall({ id: e.call_id, direction: 'incoming', phase: 'incoming', peer, media: e.media === 'audio' ? 'audio' : 'video' })
          this.#call = call
          this.#events.emit('incoming', this.#snapshot(call))
          this.#emitCall(call)
          return
        }
        case 'ringing': {
          const call = this.#match(e.call_id)
          if (!call) return
          if (e.to?.name) call.peer = { id: e.to.id ?? call.peer.id, name: e.to.name }
          if (call.phase === 'calling') call.phase = 'ringing'
          this.#emitCall(call)
          return
        }
        case 'accepted': {
          let call = this.#match(e.call_id)
          // Glare seen from the first caller: the server joined the two calls into theirs.
          const current = this.#live()
          if (!call && current && current.direction === 'outgoing' && e.caller === current.peer.id && current.phase !== 'accepted') {
            current.id = e.call_id
            call = current
          }
          if (!call) {
            this.#hangUpUnknown(e.call_id)
            return
          }
          call.phase = 'accepted'
          call.media = e.media === 'audio' ? 'audio' : e.media === 'video' ? 'video' : call.media
          call.isCaller = e.caller === me
          this.#emitCall(call)
          await this.#startPeer(call)
          if (call.isCaller) await this.#offer(call, false)
          return
        }
        case 'signal': {
          const call = this.#match(e.call_id)
          if (call) await this.#onSignal(call, e.kind, e.data)
          else this.#hangUpUnknown(e.call_id)
          return
        }
        case 'reconnecting': {
          const call = this.#match(e.call_id)
          if (!call) this.#hangUpUnknown(e.call_id)
          if (!call || e.party === me) return
          call.peerAway = true
          call.deadline = e.deadline
          this.#emitCall(call)
          return
        }
        case 'reconnected': {
          const call = this.#match(e.call_id)
          if (!call) {
            this.#hangUpUnknown(e.call_id)
            return
          }
          if (e.party !== me) {
            call.peerAway = false
            call.deadline = undefined
          }
          this.#emitCall(call)
          if (call.isCaller && call.pc) await this.#restartIce(call)
          return
        }
        case 'ended': {
          const call = this.#match(e.call_id)
          if (call) this.#endCall(call, e.reason ?? 'hangup', e.duration_ms)
          return
        }
        default:
      }
    }

    /**
     * A call this page does not know (it was reloaded mid-call, or missed the call's start) is hung up, so the other
     * party is not left waiting for media that never comes.
     */
    #hangUpUnknown(callId) {
      if (!callId || this.#finished.has(callId)) return
      this.#remember(callId)
      this.#request('voip.hangup', { call_id: callId }).catch(noop)
    }

    #remember(callId) {
      this.#finished.add(callId)
      if (this.#finished.size > 32) this.#finished.delete(this.#finished.values().next().value)
    }

    /** Camera and microphone for `media`; without them the call goes on receive-only (reported as 'error'). */
    async #media(call, media) {
      const devices = root.navigator?.mediaDevices
      const audio = this.#options.audio ?? true
      const video = media === 'video' ? this.#options.video ?? { width: { ideal: 640 }, height: { ideal: 480 } } : false
      const get = (constraints) => withTimeout(devices.getUserMedia(constraints), MEDIA_TIMEOUT_MS, (late) => stopStream(late))
      let stream = null
      try {
        if (!devices?.getUserMedia) throw new VoipError('media_unavailable', 'getUserMedia is not available (it needs https or localhost)')
        try {
          stream = await get({ audio, video })
        } catch (err) {
          if (!video) throw err
          stream = await get({ audio, video: false })
          this.#events.emit('error', new VoipError('camera_unavailable', `no camera: ${err?.message ?? err}`))
        }
      } catch (err) {
        const code = err?.code ?? (err?.name === 'NotAllowedError' ? 'media_denied' : 'media_unavailable')
        this.#events.emit('error', new VoipError(code, `no microphone: ${err?.message ?? err}`))
        return null
      }
      if (call.ended) {
        stopStream(stream)
        return null
      }
      call.localStream = stream
      this.#applyTrackState(call)
      return stream
    }

    #applyTrackState(call) {
      for (const track of call.localStream?.getAudioTracks() ?? []) track.enabled = !call.muted
      for (const track of call.localStream?.getVideoTracks() ?? []) track.enabled = call.cameraOn
    }

    async #iceServers() {
      const cache = this.#iceCache
      if (cache && cache.until > Date.now()) return cache.servers
      try {
        const result = await httpJson(this.#fetch, 'GET', `${this.#endpoints.http}/api/voip/ice-servers`, { token: this.#guest?.token })
        const servers = Array.isArray(result?.ice_servers) ? result.ice_servers : []
        const ttlMs = (result?.ttl_seconds ?? 600) * 1000
        this.#iceCache = { servers, until: Date.now() + ttlMs / 2 }
        return servers
      } catch (err) {
        this.#events.emit('error', new VoipError('ice_servers_unavailable', err.message))
        return cache?.servers ?? []
      }
    }

    async #startPeer(call) {
      if (call.pc) return call.pc
      const iceServers = await this.#iceServers()
      if (call.ended) return null
      const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: this.#options.iceTransportPolicy === 'relay' ? 'relay' : 'all', bundlePolicy: 'max-bundle' })
      call.pc = pc
      pc.ontrack = (e) => {
        if (call.ended) return
        const stream = e.streams[0]
        if (stream) call.remoteStream = stream
        else {
          call.remoteStream ??= new MediaStream()
          if (!call.remoteStream.getTracks().includes(e.track)) call.remoteStream.addTrack(e.track)
        }
        this.#emitCall(call, true)
      }
      pc.onicecandidate = (e) => {
        if (!e.candidate || call.ended) return
        if (call.holdIce) call.outIce.push(e.candidate.toJSON())
        else this.#sendIce(call, e.candidate.toJSON())
      }
      pc.oniceconnectionstatechange = () => this.#onIceState(call)
      if (call.isCaller) {
        this.#addTracks(call)
        const kinds = new Set(pc.getTransceivers().map((t) => t.receiver.track.kind))
        // Receive what the call carries even without a camera or microphone of our own.
        if (!kinds.has('audio')) pc.addTransceiver('audio', { direction: 'recvonly' })
        if (call.media === 'video' && !kinds.has('video')) pc.addTransceiver('video', { direction: 'recvonly' })
      }
      return pc
    }

    #addTracks(call) {
      if (call.tracksAdded) return
      call.tracksAdded = true
      const stream = call.localStream
      for (const track of stream?.getTracks() ?? []) {
        if (track.kind === 'video' && call.media !== 'video') continue
        call.pc.addTrack(track, stream)
      }
    }

    #sendIce(call, candidate) {
      this.#request('voip.signal', { call_id: call.id, kind: 'ice', data: candidate }).catch(noop)
    }

    #releaseIce(call) {
      call.holdIce = false
      const held = call.outIce
      call.outIce = []
      for (const candidate of held) this.#sendIce(call, candidate)
    }

    /** The caller's offer; `restart`: new ICE credentials (a new path after a drop or a failure). */
    async #offer(call, restart) {
      const pc = call.pc
      if (!pc || call.ended) return
      if (pc.signalingState === 'have-local-offer') {
        // An answer is awaited: wait for it unless it is clearly lost.
        if (Date.now() - call.offerSentAt < OFFER_STALE_MS) {
          call.restartPending = call.restartPending || restart
          return
        }
        await pc.setLocalDescription({ type: 'rollback' })
      }
      call.restartPending = false
      // Candidates of this offer go out after it: the callee cannot use them before.
      call.holdIce = true
      const offer = await pc.createOffer(restart ? { iceRestart: true } : undefined)
      await pc.setLocalDescription(offer)
      const seq = ++call.offerSeq
      call.offerSentAt = Date.now()
      try {
        await this.#request('voip.signal', { call_id: call.id, kind: 'offer', data: { type: 'offer', sdp: pc.localDescription.sdp, seq } })
      } catch (err) {
        // Not delivered (the connection dropped): offered again once connected.
        call.restartPending = true
        call.offerSentAt = 0
        if (err.code !== 'not_connected') throw err
      } finally {
        this.#releaseIce(call)
      }
    }

    async #restartIce(call) {
      if (call.ended || !call.isCaller || !call.pc) return
      if (this.#client?.state !== 'connected') {
        call.restartPending = true
        return
      }
      await this.#offer(call, true)
    }

    async #onSignal(call, kind, data) {
      const pc = call.pc ?? (await this.#startPeer(call))
      if (!pc || call.ended) return
      const description = (type) => ({ type, sdp: typeof data === 'string' ? data : data?.sdp })
      if (kind === 'offer') {
        if (call.isCaller) return
        await pc.setRemoteDescription(description('offer'))
        this.#addTracks(call)
        await this.#addRemoteIce(call)
        call.holdIce = true
        await pc.setLocalDescription(await pc.createAnswer())
        try {
          await this.#request('voip.signal', { call_id: call.id, kind: 'answer', data: { type: 'answer', sdp: pc.localDescription.sdp, seq: data?.seq } })
        } finally {
          this.#releaseIce(call)
        }
      } else if (kind === 'answer') {
        if (!call.isCaller || pc.signalingState !== 'have-local-offer') return
        // The answer to an offer replaced since (a restart after it was lost) would not fit the current one.
        if (data?.seq !== undefined && data.seq !== call.offerSeq) return
        await pc.setRemoteDescription(description('answer'))
        await this.#addRemoteIce(call)
        if (call.restartPending) await this.#offer(call, true)
      } else if (kind === 'ice') {
        if (!data) return
        // Candidates may come before the description they belong to: kept until it is set.
        if (!pc.remoteDescription) call.remoteIce.push(data)
        else await pc.addIceCandidate(data).catch(noop)
      }
    }

    async #addRemoteIce(call) {
      const queued = call.remoteIce
      call.remoteIce = []
      // A candidate of an ICE generation replaced since is refused: harmless.
      for (const candidate of queued) await call.pc.addIceCandidate(candidate).catch(noop)
    }

    #onIceState(call) {
      if (call.ended) return
      const state = call.pc.iceConnectionState
      if (iceUp(call.pc)) {
        call.iceWasUp = true
        call.iceFailures = 0
        call.connectedAt ??= Date.now()
      } else if (state === 'failed' && call.isCaller) {
        // No path between the two (a firewall, TURN unreachable): a few restarts, then the call is given up.
        if (++call.iceFailures >= MAX_ICE_FAILURES) this.#enqueue(() => this.#giveUp(call))
        else this.#enqueue(() => this.#restartIce(call))
      }
      this.#emitCall(call)
    }

    async #giveUp(call) {
      if (call.ended) return
      this.#events.emit('error', new VoipError('media_failed', `no media path after ${MAX_ICE_FAILURES} ICE attempts`))
      this.#request('voip.hangup', { call_id: call.id }).catch(noop)
      this.#endCall(call, 'failed', undefined, true)
    }

    #endCall(call, reason, durationMs, byMe = false) {
      if (call.ended) return
      call.ended = true
      call.phase = 'ended'
      if (call.id) this.#remember(call.id)
      call.reason = reason
      call.endedByMe = call.endedByMe || byMe
      call.durationMs = durationMs ?? (call.connectedAt ? Date.now() - call.connectedAt : 0)
      try {
        call.pc?.close()
      } catch {
        // already closed
      }
      stopStream(call.localStream)
      this.#emitCall(call)
    }

    #stateOf(call) {
      if (call.ended) return 'ended'
      if (call.phase !== 'accepted') return call.phase
      if (call.peerAway || call.selfAway) return 'reconnecting'
      if (call.pc && iceUp(call.pc)) return 'active'
      return call.iceWasUp ? 'reconnecting' : 'connecting'
    }

    #snapshot(call) {
      const snapshot = {
        call_id: call.id, state: this.#stateOf(call), peer: { ...call.peer }, media: call.media, direction: call.direction,
        localStream: call.localStream, remoteStream: call.remoteStream, muted: call.muted, cameraOn: call.cameraOn,
      }
      if (call.connectedAt) snapshot.connectedAt = call.connectedAt
      if (call.deadline && call.peerAway) snapshot.deadline = call.deadline
      if (snapshot.state === 'reconnecting') snapshot.away = call.selfAway ? 'self' : call.peerAway ? 'peer' : 'media'
      if (call.ended) Object.assign(snapshot, { reason: call.reason, duration_ms: call.durationMs, endedByMe: call.endedByMe })
      return snapshot
    }

    /** Emits 'call' when something a page shows changed (`force`: a new remote track). */
    #emitCall(call, force = false) {
      const snapshot = this.#snapshot(call)
      const key = [snapshot.state, snapshot.call_id, snapshot.peer.name, snapshot.media, snapshot.muted, snapshot.cameraOn, !!snapshot.localStream, snapshot.deadline].join('|')
      if (!force && key === call.lastState) return
      call.lastState = key
      this.#events.emit('call', snapshot)
    }
  }

  function iceUp(pc) {
    return pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed'
  }

  function stopStream(stream) {
    for (const track of stream?.getTracks() ?? []) track.stop()
  }

  function readKept(storageKey) {
    try {
      const kept = JSON.parse(storage()?.getItem(storageKey) ?? 'null')
      if (kept?.token && kept.guest_id && kept.expires_at > Date.now() + MIN_KEPT_TOKEN_MS) return kept
    } catch {
      // unreadable: admitted anew
    }
    return null
  }

  // --- the WebView API: connectAsGuest and VoipUtils (the seed's names) --------------------------------------------

  const utilsEvents = new Emitter()
  let current = null

  /**
   * Admits a guest named `name` on the server at `url` and connects in the background; returns the connection at
   * once. Replaces the connection of an earlier connectAsGuest (VoipUtils drives the newest).
   * @param {string} url ws(s)://host:port, http(s)://host:port, or '' for this page's server
   * @param {string} name the display name (1–40 characters)
   * @param {object} [options] see HeartlineVoip
   */
  function connectAsGuest(url, name, options = {}) {
    current?.disconnect()
    const voip = new HeartlineVoip({ storageKey: DEFAULT_STORAGE_KEY, ...options, url: url ?? '', name: String(name ?? '') })
    current = voip
    voip.onAny((event, value) => current === voip && utilsEvents.emit(event, value))
    voip.connect().catch(noop)
    return voip
  }

  const notConnected = () => handled(Promise.reject(new VoipError('not_connected', 'call connectAsGuest first')))

  const VoipUtils = {
    isConnected: () => current?.isConnected() ?? false,
    startCall: (targetGuestId, media = 'video') => (current ? current.startCall(targetGuestId, media) : notConnected()),
    accept: () => (current ? current.accept() : notConnected()),
    reject: () => (current ? current.reject() : notConnected()),
    hangUp: () => (current ? current.hangUp() : notConnected()),
    setMuted: (muted) => current?.setMuted(muted) ?? false,
    setCameraOn: (on) => current?.setCameraOn(on) ?? false,
    disconnect: (options) => current?.disconnect(options),
    /** Handlers stay across connectAsGuest calls; they hear the newest connection. */
    on: (event, handler) => utilsEvents.on(event, handler),
    get connection() {
      return current
    },
    get guest() {
      return current?.guest ?? null
    },
    get online() {
      return current?.online ?? []
    },
    get call() {
      return current?.call ?? null
    },
  }

  HeartlineVoip.VoipError = VoipError
  root.HeartlineVoip = HeartlineVoip
  root.connectAsGuest = connectAsGuest
  root.VoipUtils = VoipUtils
})()
