// Sign-in of the pages: an account's login and password (POST /api/auth/sign-in, docs/accounts.md), a development token
// form (POST /api/auth/dev-token, Development and Testing only) or a pasted token. What it gives is kept in localStorage
// per app so an installed driver app stays signed in: an account's tokens (renewed by themselves), or the token.
import { AccountSession } from '/sdk/accounts.js'
import { HeartlineClient } from '/sdk/heartline.js'
import { h, replace, setText } from './dom.js'
import { t } from './i18n.js'

const storageKey = (app) => `heartline.${app}.token`
const accountKey = (app) => `heartline.${app}.account`
/** The account this page signed in with, if it did (renews its own tokens). */
let current = null

function readKept(key) {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null')
  } catch {
    return null
  }
}

/** Keeps the account's tokens for the next visit, shares refreshes between the app's tabs (one refresh token, one use). */
function accountOptions(app) {
  return {
    onChange: (state) => {
      try {
        if (state) localStorage.setItem(accountKey(app), JSON.stringify(state))
        else localStorage.removeItem(accountKey(app))
      } catch {
        // storage refused: the session still works in this tab
      }
    },
    load: () => readKept(accountKey(app)),
    lock: globalThis.navigator?.locks ? (work) => navigator.locks.request(`heartline.${app}.refresh`, work) : undefined,
  }
}

/** The kept account sign-in of `app` while its refresh token has more than a minute left. */
function storedAccount(app) {
  const kept = readKept(accountKey(app))
  if (!kept?.refresh_token || !(kept.refresh_expires_at > Date.now() + 60_000)) return null
  return new AccountSession(kept, accountOptions(app))
}
const reasonKey = (app) => `heartline.${app}.signout`
/**
 * A kept token is used only with more than this left. The pages hold no way to renew a token, and the server closes
 * the connection when it expires (4005), so a token that would run out during the next hour of a shift is not worth
 * starting with: sign in afresh (development tokens last 12 hours).
 */
export const KEPT_TOKEN_MIN_LEFT_MS = 3600_000

/** The kept token of `app` while it is valid for more than another hour; an older one is forgotten. */
export function storedToken(app) {
  try {
    const token = localStorage.getItem(storageKey(app))
    if (!token) return null
    const exp = tokenExpiry(token)
    if (exp && exp * 1000 > Date.now() + KEPT_TOKEN_MIN_LEFT_MS) return token
    localStorage.removeItem(storageKey(app))
    return null
  } catch {
    return null
  }
}

/**
 * Forgets the kept token and shows the sign-in form (a reload). `reason` (`expired`, `rejected`) is shown there, so
 * whoever signed out by no choice of their own reads why.
 */
export function signOut(app, reason) {
  if (signingOut) return
  signingOut = true
  current?.signOut().catch(() => {})
  try {
    localStorage.removeItem(storageKey(app))
    localStorage.removeItem(accountKey(app))
    if (reason) sessionStorage.setItem(reasonKey(app), reason)
  } catch {
    // storage refused: the reload still shows the form when no token is kept
  }
  location.reload()
}
let signingOut = false

/**
 * What to do after the connection ended and the client will not reconnect: `signout` with a reason when the token
 * is the cause (4005 expired, 4500 refused: a new sign-in is needed), `closed` otherwise (e.g. a protocol error; a
 * new connection may work).
 * @param {number} code the close code
 */
export function giveUpAction(code) {
  if (code === 4005) return { action: 'signout', reason: 'expired' }
  if (code === 4500) return { action: 'signout', reason: 'rejected' }
  return { action: 'closed' }
}

/**
 * After the connection ended for good with `code`: an account's connection closed with 4503 (its roles or office
 * changed) renews its token and connects again; a token's fault signs out with the reason (giveUpAction).
 */
export async function handleGiveUp(app, client, code) {
  if (code === 4503 && current) {
    try {
      await current.refresh()
      await client.connect()
    } catch {
      signOut(app, 'rejected')
    }
    return
  }
  const { action, reason } = giveUpAction(code)
  if (action === 'signout') signOut(app, reason)
}

/**
 * Shows `client`'s state in the `conn` element (its text from `text`, e.g. `conn.connected`) and signs out of `app`
 * when the connection ends for good because of the token (giveUpAction).
 */
export function followConnection(client, app, conn, text) {
  client.on('state', (s) => {
    conn.hidden = false
    conn.dataset.state = s
    setText(conn, text(`conn.${s}`))
  })
  client.on('disconnected', ({ willReconnect, code }) => {
    if (!willReconnect) handleGiveUp(app, client, code)
  })
}

/** The reason of the last sign-out of `app` (read once). */
function takeSignOutReason(app) {
  try {
    const reason = sessionStorage.getItem(reasonKey(app))
    sessionStorage.removeItem(reasonKey(app))
    return reason === 'expired' || reason === 'rejected' ? reason : null
  } catch {
    return null
  }
}

/** The `exp` claim of a JWT (seconds), read without verifying: only to know when to ask for a new one. */
function tokenExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
    return JSON.parse(atob(payload)).exp
  } catch {
    return null
  }
}

/**
 * Renders the sign-in forms into `container` and resolves once the user signed in: with an AccountSession (login and
 * password) or a token (development form, pasted).
 * @param {HTMLElement} container @param {{ app: string, roles: string[], defaults?: Record<string, string> }} options
 */
export function showSignIn(container, { app, roles, defaults = {} }) {
  return new Promise((resolve) => {
    const message = h('p', { class: 'error', role: 'alert', id: 'signin-error' })
    const field = (name, value, attrs = {}) => h('label', { class: 'field' },
      h('span', { 'data-i18n': `signin.${name}` }, t(`signin.${name}`)),
      h('input', { name, value, autocomplete: 'off', required: true, ...attrs }))
    const roleSelect = h('select', { name: 'role' }, roles.map((r) => h('option', { value: r, 'data-i18n': `role.${r}` }, t(`role.${r}`))))
    const accountForm = h('form', { class: 'signin-form', id: 'account-signin' },
      h('h2', { 'data-i18n': 'signin.account' }, t('signin.account')),
      field('login', '', { autocomplete: 'username', maxlength: 64, autocapitalize: 'none' }),
      field('password', '', { type: 'password', autocomplete: 'current-password', maxlength: 128 }),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'signin.account.submit' }, t('signin.account.submit')))
    // An invitation or reset link (/driver/?code=…): set a password first.
    const givenCode = new URLSearchParams(location.search).get('code')
    const codeForm = h('form', { class: 'signin-form', id: 'code-signin' },
      h('h2', { 'data-i18n': 'signin.code' }, t('signin.code')),
      field('invite_code', givenCode ?? '', { maxlength: 32, autocapitalize: 'characters' }),
      field('new_password', '', { type: 'password', autocomplete: 'new-password', minlength: 8, maxlength: 128 }),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'signin.code.submit' }, t('signin.code.submit')))
    const devForm = h('form', { class: 'signin-form', id: 'dev-signin' },
      h('h2', { 'data-i18n': 'signin.dev' }, t('signin.dev')),
      field('user_id', defaults.user_id ?? `${app}-${Math.random().toString(36).slice(2, 7)}`, { pattern: '[A-Za-z0-9._@\\-]{1,64}' }),
      field('name', defaults.name ?? '', { maxlength: 64 }),
      h('div', { class: 'field-row' },
        field('region_id', defaults.region_id ?? 'r1', { pattern: '[A-Za-z0-9.@\\-]{1,64}' }),
        field('office_id', defaults.office_id ?? 'o1', { pattern: '[A-Za-z0-9.@\\-]{1,64}' })),
      roles.length > 1 ? h('label', { class: 'field' }, h('span', { 'data-i18n': 'signin.role' }, t('signin.role')), roleSelect) : null,
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'signin.submit' }, t('signin.submit')))
    const tokenForm = h('form', { class: 'signin-form', id: 'token-signin' },
      h('h2', { 'data-i18n': 'signin.token' }, t('signin.token')),
      h('label', { class: 'field' }, h('span', { 'data-i18n': 'signin.token.label' }, t('signin.token.label')),
        h('textarea', { name: 'token', rows: 3, required: true, spellcheck: 'false' })),
      h('button', { type: 'submit', 'data-i18n': 'signin.token.submit' }, t('signin.token.submit')))

    const done = (token) => {
      localStorage.setItem(storageKey(app), token)
      container.hidden = true
      resolve(token)
    }
    accountForm.addEventListener('submit', async (e) => {
      e.preventDefault()
      const form = new FormData(accountForm)
      try {
        const session = await AccountSession.signIn(String(form.get('login')), String(form.get('password')), accountOptions(app))
        container.hidden = true
        resolve(session)
      } catch (err) {
        // The server's code picks the text (Korean or English); an unknown one falls back to the generic failure.
        const key = `signin.error.${err.code}`
        message.dataset.i18n = key
        message.textContent = t(key) === key ? `${t('signin.failed')}: ${err.message ?? err}` : t(key)
      }
    })
    codeForm.addEventListener('submit', async (e) => {
      e.preventDefault()
      const form = new FormData(codeForm)
      try {
        const session = await AccountSession.acceptCode(String(form.get('invite_code')), String(form.get('new_password')), accountOptions(app))
        history.replaceState(null, '', location.pathname)
        container.hidden = true
        resolve(session)
      } catch (err) {
        const key = `signin.error.${{ invalid_credentials: 'code', bad_request: 'password_short' }[err.code] ?? err.code}`
        message.dataset.i18n = key
        message.textContent = t(key) === key ? `${t('signin.failed')}: ${err.message ?? err}` : t(key)
      }
    })
    devForm.addEventListener('submit', async (e) => {
      e.preventDefault()
      const form = new FormData(devForm)
      const body = {
        user_id: form.get('user_id'), name: form.get('name') || form.get('user_id'), role: form.get('role') ?? roles[0],
        region_id: form.get('region_id'), office_id: form.get('office_id'),
      }
      try {
        const response = await fetch('/api/auth/dev-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        delete message.dataset.i18n
        if (response.status === 404) {
          message.textContent = t('signin.dev_disabled')
          devForm.hidden = true
          return
        }
        const result = await response.json()
        if (!response.ok) throw new Error(result.detail ?? response.status)
        done(result.token)
      } catch (err) {
        message.textContent = `${t('signin.failed')}: ${err.message ?? err}`
      }
    })
    tokenForm.addEventListener('submit', (e) => {
      e.preventDefault()
      done(String(new FormData(tokenForm).get('token')).trim())
    })
    const reason = takeSignOutReason(app)
    if (reason) {
      message.dataset.i18n = `signin.${reason}`
      message.textContent = t(`signin.${reason}`)
    }
    replace(container, h('h1', { 'data-i18n': 'signin.title' }, t('signin.title')), message, givenCode ? codeForm : null, accountForm, givenCode ? null : h('details', { id: 'code-details' }, h('summary', { 'data-i18n': 'signin.code' }, t('signin.code')), codeForm), devForm, h('details', {}, h('summary', { 'data-i18n': 'signin.token' }, t('signin.token')), tokenForm))
    container.hidden = false
  })
}

/**
 * Signs in (a kept account or token, or the form), then creates the realtime client for it. `getToken` gives a valid
 * access token for HTTP calls (an account's is renewed as it nears expiry); `token` is the first one.
 */
export async function startSession({ app, roles, container, appType, device, defaults }) {
  let account = storedAccount(app)
  let token = account ? null : storedToken(app)
  if (!account && !token) {
    const signedIn = await showSignIn(container, { app, roles, defaults })
    if (typeof signedIn === 'string') token = signedIn
    else account = signedIn
  }
  current = account
  const getToken = account ? () => account.getToken() : async () => token
  const common = { client: `heartline-${app}/1`, appType, device: device ?? describeDevice() }
  const client = new HeartlineClient(account ? { getToken, ...common } : { token, ...common })
  return { token: token ?? (await account.getToken()), getToken, client, account }
}

/** A short, human description of this device for the members list (e.g. "Android · Chrome"). */
export function describeDevice() {
  const ua = navigator.userAgent
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'Web'
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser'
  return `${os} · ${browser}`
}
