// Sign-in of the pages: a development token form (POST /api/auth/dev-token, Development and Testing only) or a pasted
// token; the token is kept in localStorage per app so an installed driver app stays signed in.
import { HeartlineClient } from '/sdk/heartline.js'
import { h, replace, setText } from './dom.js'
import { t } from './i18n.js'

const storageKey = (app) => `heartline.${app}.token`
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
  try {
    localStorage.removeItem(storageKey(app))
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
    if (willReconnect) return
    const { action, reason } = giveUpAction(code)
    if (action === 'signout') signOut(app, reason)
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
 * Renders the sign-in forms into `container` and resolves with a token once the user signed in.
 * @param {HTMLElement} container @param {{ app: string, roles: string[], defaults?: Record<string, string> }} options
 */
export function showSignIn(container, { app, roles, defaults = {} }) {
  return new Promise((resolve) => {
    const message = h('p', { class: 'error', role: 'alert', id: 'signin-error' })
    const field = (name, value, attrs = {}) => h('label', { class: 'field' },
      h('span', { 'data-i18n': `signin.${name}` }, t(`signin.${name}`)),
      h('input', { name, value, autocomplete: 'off', required: true, ...attrs }))
    const roleSelect = h('select', { name: 'role' }, roles.map((r) => h('option', { value: r, 'data-i18n': `role.${r}` }, t(`role.${r}`))))
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
    replace(container, h('h1', { 'data-i18n': 'signin.title' }, t('signin.title')), message, devForm, h('details', {}, h('summary', { 'data-i18n': 'signin.token' }, t('signin.token')), tokenForm))
    container.hidden = false
  })
}

/** Signs in (kept token or form), then creates the realtime client for it. */
export async function startSession({ app, roles, container, appType, device, defaults }) {
  const token = storedToken(app) ?? (await showSignIn(container, { app, roles, defaults }))
  const client = new HeartlineClient({ token, client: `heartline-${app}/1`, appType, device: device ?? describeDevice() })
  return { token, client }
}

/** A short, human description of this device for the members list (e.g. "Android · Chrome"). */
export function describeDevice() {
  const ua = navigator.userAgent
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : 'Web'
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser'
  return `${os} · ${browser}`
}
