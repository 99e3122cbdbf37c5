// Sign-in with a Heartline account (docs/accounts.md): POST /api/auth/sign-in, /refresh and /sign-out.
//   import { AccountSession } from '/sdk/accounts.js'
//   const session = await AccountSession.signIn('kim', password)
//   const client = new HeartlineClient({ getToken: () => session.getToken() })
// The client renews its token on the open socket before it expires; getToken refreshes the access token when a third
// of its life is left. A refresh token is good for one use: refreshes are serialized (and, with `lock`, across tabs).
import { HeartlineError } from './heartline.js'

/**
 * @typedef {{ access_token: string, refresh_token: string, expires_at: number, refresh_expires_at: number,
 *   user: { user_id: string, login: string, name: string, roles: string[], claims: Record<string, string> },
 *   received_at?: number }} SignedIn
 * @typedef {{
 *   baseUrl?: string,
 *   fetch?: typeof fetch,
 *   onChange?: (state: SignedIn | null) => void,
 *   lock?: <T>(work: () => Promise<T>) => Promise<T>,
 *   load?: () => SignedIn | null,
 * }} AccountOptions
 */

export class AccountSession {
  /** @type {SignedIn} */ #state
  /** @type {AccountOptions} */ #options
  /** @type {Promise<SignedIn> | null} */ #refreshing = null

  /** @param {SignedIn} state a sign-in's answer (or a kept one) @param {AccountOptions} [options] */
  constructor(state, options = {}) {
    this.#state = { received_at: Date.now(), ...state }
    this.#options = options
  }

  /**
   * Signs in. Throws a HeartlineError: `invalid_credentials` (wrong login or password), `account_disabled`,
   * `rate_limited` (too many failures; `retryAfterMs` says when to try again) or `bad_request`.
   * @param {string} login @param {string} password @param {AccountOptions} [options]
   */
  static async signIn(login, password, options = {}) {
    const state = await post(options, '/api/auth/sign-in', { login, password })
    const session = new AccountSession(state, options)
    options.onChange?.(session.#state)
    return session
  }

  /**
   * Sets the password with an invitation or reset code an administrator gave (docs/accounts.md) and signs in. Throws a
   * HeartlineError: `invalid_credentials` (unknown, used or expired code), `bad_request` (e.g. a short password),
   * `account_disabled`, `rate_limited`.
   * @param {string} code @param {string} password @param {AccountOptions} [options]
   */
  static async acceptCode(code, password, options = {}) {
    const state = await post(options, '/api/auth/code', { code, password })
    const session = new AccountSession(state, options)
    options.onChange?.(session.#state)
    return session
  }

  /** The signed-in user: `user_id`, `login`, `name`, `roles`, `claims` (e.g. `office`). */
  get user() { return this.#state.user }

  /** What to keep to restore the session later (`new AccountSession(kept, options)`); it holds the refresh token. */
  toJSON() { return this.#state }

  /** An access token with more than a third of its life left, refreshing it first when needed. */
  async getToken() {
    const { access_token: token, expires_at: expiresAt, received_at: receivedAt } = this.#state
    const life = Math.max(0, expiresAt - receivedAt)
    if (expiresAt - Date.now() > life / 3) return token
    return (await this.refresh()).access_token
  }

  /**
   * Rotates the refresh token for new tokens (once at a time). Throws HeartlineError `invalid_credentials` when the
   * sign-in has ended (signed out, deactivated, or the refresh token was used twice): sign in again.
   */
  refresh() {
    this.#refreshing ??= this.#rotate().finally(() => { this.#refreshing = null })
    return this.#refreshing
  }

  async #rotate() {
    const work = async () => {
      // Another tab may have rotated the shared token meanwhile: adopt its newer tokens instead of reusing ours.
      const kept = this.#options.load?.()
      if (kept && kept.refresh_token !== this.#state.refresh_token && kept.expires_at > this.#state.expires_at) {
        this.#state = kept
        return kept
      }
      try {
        this.#state = { received_at: Date.now(), ...(await post(this.#options, '/api/auth/refresh', { refresh_token: this.#state.refresh_token })) }
      } catch (err) {
        if (err.code === 'invalid_credentials') this.#options.onChange?.(null)
        throw err
      }
      this.#options.onChange?.(this.#state)
      return this.#state
    }
    return this.#options.lock ? this.#options.lock(work) : work()
  }

  /** Ends the sign-in on the server (its refresh tokens stop working); access tokens end within minutes by themselves. */
  async signOut() {
    try {
      await post(this.#options, '/api/auth/sign-out', { refresh_token: this.#state.refresh_token }, true, true)
    } finally {
      this.#options.onChange?.(null)
    }
  }
}

// keepalive: a sign-out just before the page unloads still reaches the server.
async function post({ baseUrl = '', fetch: fetchImpl = globalThis.fetch.bind(globalThis) }, path, body, empty = false, keepalive = false) {
  const response = await fetchImpl(`${baseUrl.replace(/\/$/, '')}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), keepalive,
  })
  if (response.ok) return empty ? null : response.json()
  const problem = await response.json().catch(() => ({}))
  const retryAfter = Number(response.headers.get('retry-after'))
  throw new HeartlineError(problem.code ?? 'unavailable', problem.detail ?? `${path} answered ${response.status}`,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined)
}
