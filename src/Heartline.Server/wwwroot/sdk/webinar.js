// Heartline webinar watch-time module (ES module, no build step). Served at /sdk/webinar.js.
//
//   import { WebinarWatch } from '/sdk/webinar.js';
//   const watch = new WebinarWatch({ webinarId, getAccessToken: () => token /* optional: signed-in users */ });
//   await watch.start();
//
// Every page entry (and every return to a hidden page) gets a new session key, kept by this instance only: tabs and
// devices never share a session (the seed's multi-tab policy). The guest's viewer token is kept in localStorage, so
// all tabs are one viewer. It sends track, pings every
// heartbeat_interval_seconds (told by the server) and on every visibility change, and sends exit with
// navigator.sendBeacon when the page is hidden or left, falling back to fetch(..., { keepalive: true }) when
// sendBeacon refuses (it returns false when it cannot queue; it queues at most 64 KB). See docs/webinar.md.

const VIEWER_TOKEN_KEY = 'heartline.webinar.viewer_token';
const MAX_TRACK_ATTEMPTS = 5;

/** A new session key in the seed's format: session_{ms}_{random}. */
export function newSessionKey() {
  const random = globalThis.crypto?.randomUUID?.().replaceAll('-', '') ??
    Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  return `session_${Date.now()}_${random}`;
}

export class WebinarWatch {
  /**
   * @param {object} options
   * @param {string} options.webinarId
   * @param {string} [options.baseUrl] server origin, default: this page's
   * @param {() => (string|null|Promise<string|null>)} [options.getAccessToken] bearer token of a signed-in user
   * @param {boolean} [options.exitOnHidden] end the session when the page is hidden (default true: on mobile the
   *   hide is the last reliable signal); a new session starts when the page is shown again
   * @param {(event: {type: string, detail?: any}) => void} [options.onEvent] status callback for a UI
   * @param {Storage} [options.storage] default localStorage
   */
  constructor({ webinarId, baseUrl = '', getAccessToken = null, exitOnHidden = true, onEvent = () => {}, storage = globalThis.localStorage }) {
    if (!webinarId) throw new Error('webinarId is required');
    this.webinarId = webinarId;
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.getAccessToken = getAccessToken;
    this.exitOnHidden = exitOnHidden;
    this.onEvent = onEvent;
    this.storage = storage;
    this.intervalMs = 120_000;
    this.sessionKey = null;
    this.timer = null;
    this.running = false;
    this.exited = true;
    this._onVisibility = () => this._visibilityChanged();
    this._onPageHide = () => this._leave('pagehide');
  }

  get viewerToken() { return this.storage?.getItem(VIEWER_TOKEN_KEY) ?? null; }

  set viewerToken(value) {
    if (!this.storage) return;
    if (value) this.storage.setItem(VIEWER_TOKEN_KEY, value); else this.storage.removeItem(VIEWER_TOKEN_KEY);
  }

  /**
   * Tracks entry with a new session key and starts the heartbeat. Resolves with the track response, or with null
   * when the page is hidden and exitOnHidden is on: a tab opened in the background is not watching, so tracking
   * waits until it is first shown.
   */
  async start() {
    if (this.running) return null;
    this.running = true;
    globalThis.document?.addEventListener('visibilitychange', this._onVisibility);
    globalThis.addEventListener?.('pagehide', this._onPageHide);
    if (this._hidden() && this.exitOnHidden) {
      this.onEvent({ type: 'waiting', detail: { reason: 'hidden' } });
      return null;
    }
    return this._track(newSessionKey());
  }

  /** Sends exit and stops. */
  async stop() {
    if (!this.running) return;
    globalThis.document?.removeEventListener('visibilitychange', this._onVisibility);
    globalThis.removeEventListener?.('pagehide', this._onPageHide);
    await this._leave('stop');
    this.running = false;
  }

  async _track(key, attempt = 0) {
    this.sessionKey = key;
    const response = await this._post('access/track', {
      session_key: key,
      viewer_token: this.viewerToken ?? undefined,
      referrer: globalThis.document?.referrer || undefined,
      view_state: this._viewState(),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      if (body.viewer_token) this.viewerToken = body.viewer_token;
      this.intervalMs = Math.max(5, body.heartbeat_interval_seconds ?? 120) * 1000;
      this.exited = false;
      this._schedule();
      this.onEvent({ type: 'tracked', detail: body });
      return body;
    }
    if (attempt < 2 && (body.code === 'session_closed' || body.code === 'session_key_taken')) {
      return this._track(newSessionKey(), attempt + 1);
    }
    if (attempt < 2 && response.status === 401 && this.viewerToken && !(await this._bearer())) {
      this.viewerToken = null; // signed by another key: become a new guest
      return this._track(key, attempt + 1);
    }
    if (attempt < MAX_TRACK_ATTEMPTS && (response.status === 429 || response.status === 503) && this.running) {
      // Rate limited or overloaded: wait as told (or back off), then try the same key again.
      await sleep(retryDelayMs(response, attempt));
      if (!this.running || (this._hidden() && this.exitOnHidden)) return null;
      return this._track(key, attempt + 1);
    }
    this.onEvent({ type: 'error', detail: body });
    throw Object.assign(new Error(body.detail ?? `track failed: ${response.status}`), { code: body.code, status: response.status });
  }

  async ping() {
    if (!this.running || this.exited) return null;
    const response = await this._post('presence/ping', this._body({ view_state: this._viewState() }));
    const body = await response.json().catch(() => ({}));
    // The page was hidden or left while this ping was under way: its exit has been sent; start nothing new.
    if (this.exited || !this.running) return null;
    if (response.ok) {
      this.onEvent({ type: 'ping', detail: body });
      if (body.collecting === false) { this._clear(); this.exited = true; this.onEvent({ type: 'closed' }); }
      return body;
    }
    if (body.code === 'session_closed' || body.code === 'session_key_taken') return this._track(newSessionKey());
    this.onEvent({ type: 'error', detail: body });
    return null;
  }

  _schedule() {
    this._clear();
    // A chain of timeouts rather than setInterval, so a late (throttled) tick never queues up a burst.
    this.timer = setTimeout(async () => {
      this.timer = null;
      try { await this.ping(); } catch (error) { this.onEvent({ type: 'error', detail: String(error) }); }
      if (this.running && !this.exited) this._schedule();
    }, this.intervalMs);
  }

  _clear() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  async _visibilityChanged() {
    if (!this.running) return;
    const hidden = this._hidden();
    if (hidden && this.exitOnHidden) {
      await this._leave('hidden');
    } else if (hidden) {
      // The page may never run again: the hidden state must reach the server now.
      await this._send('presence/ping', this._body({ view_state: this._viewState() }));
    } else if (this.exited) {
      await this._track(newSessionKey()).catch(() => {});
    } else {
      await this.ping().catch(() => {});
      this._schedule();
    }
  }

  async _leave(reason) {
    if (this.exited) return;
    this.exited = true;
    this._clear();
    const queued = await this._send('access/exit', this._body({}));
    this.onEvent({ type: 'exit', detail: { reason, queued } });
  }

  /**
   * For a page that is going away: sendBeacon for guests (it cannot carry an Authorization header), checking its
   * return value; fetch with keepalive for signed-in users and whenever sendBeacon refuses.
   */
  async _send(path, body) {
    const url = this._url(path);
    const json = JSON.stringify(body);
    const token = await this._bearer();
    if (!token && globalThis.navigator?.sendBeacon) {
      try {
        if (globalThis.navigator.sendBeacon(url, json)) return 'beacon';
      } catch { /* fall through to fetch */ }
    }
    try {
      const headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
      if (token) headers.Authorization = `Bearer ${token}`;
      await fetch(url, { method: 'POST', body: json, headers, keepalive: true, credentials: 'same-origin' });
      return 'fetch';
    } catch {
      return 'failed';
    }
  }

  async _post(path, body) {
    const headers = { 'Content-Type': 'application/json' };
    const token = await this._bearer();
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(this._url(path), { method: 'POST', headers, body: JSON.stringify(body) });
  }

  async _bearer() { return this.getAccessToken ? (await this.getAccessToken()) || null : null; }

  _body(extra) { return { session_key: this.sessionKey, viewer_token: this.viewerToken ?? undefined, ...extra }; }

  _hidden() { return globalThis.document?.visibilityState === 'hidden'; }

  _viewState() {
    const doc = globalThis.document;
    return { is_visible: doc ? doc.visibilityState !== 'hidden' : true, is_active: doc?.hasFocus?.() ?? true };
  }

  _url(path) { return `${this.baseUrl}/api/webinars/${encodeURIComponent(this.webinarId)}/${path}`; }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retry-After when the server sent one (at least that many seconds, plus up to one second of jitter so a crowd
 * behind one address does not return at once), else exponential backoff with jitter; at most 60 s.
 */
function retryDelayMs(response, attempt) {
  const header = Number(response.headers?.get?.('Retry-After'));
  if (Number.isFinite(header) && header > 0) return Math.min(60_000, header * 1000 + Math.random() * 1000);
  return Math.min(60_000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
}
