// The admin console (docs/accounts.md): accounts with their roles, office and state, who is online, creating an
// account, deactivating and activating it, setting a new password and moving it to another office. Administrators only;
// the server records every change with who made it. No dialogs: a second press confirms a deactivation.
import { $, h, replace, setText } from '/app/dom.js'
import { applyI18n, languageSwitch, onLangChange, t } from '/app/i18n.js'
import { signOut, startSession } from '/app/session.js'

applyI18n()
languageSwitch($('lang'))
$('signout').addEventListener('click', () => signOut('admin'))

const { getToken, account } = await startSession({ app: 'admin', roles: ['admin'], container: $('signin'), appType: 'admin' })
$('signout').hidden = false
$('app').hidden = false
if (account) $('me').textContent = `${account.user.name} · ${t('role.admin')}`

let accounts = []
let online = {}
/** Accounts whose Deactivate was pressed once, until when a second press deactivates them (ms). */
const armed = new Map()

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${await getToken()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const result = await response.json().catch(() => ({}))
  if (response.status === 401) signOut('admin', 'rejected')
  if (!response.ok) throw Object.assign(new Error(result.detail ?? String(response.status)), { code: result.code })
  return result
}

/** Says how an action went: the server's code picks the text; its English detail follows for the curious. */
function report(key, err) {
  const status = $('status')
  status.dataset.kind = err ? 'error' : 'ok'
  setText(status, err ? `${t(key)}: ${t(`admin.error.${err.code}`) === `admin.error.${err.code}` ? err.message : t(`admin.error.${err.code}`)}` : t(key))
}

let groups = { kinds: [], groups: [] }

async function load() {
  try {
    const result = await api('GET', '/api/admin/accounts')
    accounts = result.accounts
    online = result.online ?? {}
    groups = await api('GET', '/api/admin/groups')
    render()
    renderGroups()
  } catch (err) {
    report('admin.load_failed', err)
  }
}

/** The kinds modules declare (office, agency) with their claims, and the groups with their active members. */
function renderGroups() {
  const select = $('group-kind')
  if (select.options.length !== groups.kinds.length) {
    replace(select, groups.kinds.map((k) => h('option', { value: k.name }, t(`admin.kind.${k.name}`) === `admin.kind.${k.name}` ? k.name : t(`admin.kind.${k.name}`))))
    renderGroupClaims()
  }
  replace($('groups').querySelector('tbody'), groups.groups.map((g) => {
    const zone = h('input', { maxlength: 64, value: g.time_zone ?? '', 'aria-label': t('admin.time_zone'), placeholder: 'Asia/Seoul' })
    return h('tr', { 'data-group': `${g.kind}/${g.group_id}` },
      h('td', {}, t(`admin.kind.${g.kind}`) === `admin.kind.${g.kind}` ? g.kind : t(`admin.kind.${g.kind}`)), h('td', {}, g.group_id), h('td', {}, g.name),
      h('td', {}, g.time_zone ?? ''), h('td', { class: 'num' }, String(g.members)),
      h('td', { class: 'actions' }, h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); setZone(g, zone) } },
        zone, h('button', { type: 'submit' }, t('admin.set_zone')))))
  }))
}

function renderGroupClaims() {
  const kind = groups.kinds.find((k) => k.name === $('group-kind').value)
  replace($('group-claims'), (kind?.claims ?? []).map((claim) => h('label', { class: 'field' }, h('span', {}, claim),
    h('input', { name: `claim.${claim}`, required: true, maxlength: 64, pattern: '[A-Za-z0-9._@\\-]{1,64}', autocomplete: 'off' }))))
}

async function setZone(g, input) {
  try {
    await api('PATCH', `/api/admin/groups/${encodeURIComponent(g.kind)}/${encodeURIComponent(g.group_id)}`, { time_zone: input.value })
    report('admin.group_saved')
  } catch (err) {
    report('admin.failed', err)
  }
  await load()
}

$('group-kind').addEventListener('change', renderGroupClaims)
$('create-group').addEventListener('submit', async (e) => {
  e.preventDefault()
  const form = new FormData($('create-group'))
  const claims = {}
  for (const [key, value] of form.entries()) if (key.startsWith('claim.')) claims[key.slice(6)] = value
  try {
    await api('POST', '/api/admin/groups', { kind: form.get('kind'), claims, name: form.get('name'), time_zone: form.get('time_zone') || undefined })
    $('create-group').reset()
    renderGroupClaims()
    report('admin.group_created')
  } catch (err) {
    report('admin.failed', err)
  }
  await load()
})

function render() {
  const now = Date.now()
  replace($('accounts').querySelector('tbody'), accounts.map((a) => {
    const office = a.claims.office ? `${a.claims.region ?? ''}_${a.claims.office}` : ''
    const isArmed = (armed.get(a.user_id) ?? 0) > now
    const passwordInput = h('input', { type: 'password', minlength: 8, maxlength: 128, autocomplete: 'new-password', 'aria-label': t('admin.new_password'), placeholder: t('admin.new_password') })
    const officeInput = h('input', { maxlength: 64, pattern: '[A-Za-z0-9.@\\-]{1,64}', 'aria-label': t('admin.move_to'), placeholder: t('admin.move_to') })
    return h('tr', { 'data-user': a.user_id, 'data-active': String(a.active) },
      h('td', {}, a.login), h('td', {}, a.name), h('td', {}, a.roles.map((r) => t(`role.${r}`)).join(', ')), h('td', {}, office),
      h('td', {}, a.tenant ?? ''),
      h('td', {}, t(a.active ? 'admin.active' : 'admin.inactive')),
      h('td', { class: 'num' }, String(online[a.user_id] ?? 0)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: a.active ? (isArmed ? 'danger armed' : 'danger') : '', 'data-action': 'toggle', onclick: () => toggle(a) },
          t(a.active ? (isArmed ? 'admin.deactivate.confirm' : 'admin.deactivate') : 'admin.activate')),
        h('form', { class: 'inline', 'data-action': 'password', onsubmit: (e) => { e.preventDefault(); setPassword(a, passwordInput) } },
          passwordInput, h('button', { type: 'submit' }, t('admin.set_password'))),
        h('button', { type: 'button', 'data-action': 'code', onclick: () => issueCode(a) }, t('admin.code')),
        h('form', { class: 'inline', 'data-action': 'role', onsubmit: (e) => { e.preventDefault(); setRole(a, e.target.querySelector('select')) } },
          h('select', { 'aria-label': t('signin.role') }, ROLES.map((r) => h('option', { value: r, selected: a.roles[0] === r }, t(`role.${r}`)))),
          h('button', { type: 'submit' }, t('admin.set_role'))),
        a.claims.office ? h('form', { class: 'inline', 'data-action': 'move', onsubmit: (e) => { e.preventDefault(); move(a, officeInput) } },
          officeInput, h('button', { type: 'submit' }, t('admin.move'))) : null))
  }))
}

async function toggle(a) {
  if (a.active && !((armed.get(a.user_id) ?? 0) > Date.now())) {
    armed.set(a.user_id, Date.now() + 5000)
    render()
    setTimeout(render, 5100)
    return
  }
  armed.delete(a.user_id)
  try {
    await api('PATCH', `/api/admin/accounts/${encodeURIComponent(a.user_id)}`, { active: !a.active })
    report(a.active ? 'admin.deactivated' : 'admin.activated')
  } catch (err) {
    report('admin.failed', err)
  }
  await load()
}

async function setPassword(a, input) {
  try {
    await api('PATCH', `/api/admin/accounts/${encodeURIComponent(a.user_id)}`, { password: input.value })
    report('admin.password_set')
  } catch (err) {
    report('admin.failed', err)
  }
  await load()
}

/** An invitation or reset code for the user (read it out, or send the link); the user sets a password with it. */
async function issueCode(a) {
  try {
    const issued = await api('POST', `/api/admin/accounts/${encodeURIComponent(a.user_id)}/code`)
    setText($('issued-code'), issued.code)
    setText($('issued-link'), new URL(issued.path, location.origin).href)
    setText($('issued-until'), new Date(issued.expires_at).toLocaleString())
    $('issued').hidden = false
    $('issued').dataset.user = a.user_id
  } catch (err) {
    report('admin.failed', err)
  }
}

/** The roles the console offers (the server refuses any a module does not declare). */
const ROLES = ['pickup_driver', 'call_manager', 'viewer', 'webinar_host', 'qna_user', 'admin']

/** Gives the account one role instead of its roles; its devices reconnect with tokens that carry it (4503, then refresh). */
async function setRole(a, select) {
  try {
    await api('PATCH', `/api/admin/accounts/${encodeURIComponent(a.user_id)}`, { roles: [select.value] })
    report('admin.role_set')
  } catch (err) {
    report('admin.failed', err)
  }
  await load()
}

async function move(a, input) {
  try {
    await api('PATCH', `/api/admin/accounts/${encodeURIComponent(a.user_id)}`, { claims: { ...a.claims, office: input.value } })
    report('admin.moved')
  } catch (err) {
    report('admin.failed', err)
  }
  await load()
}

$('create').addEventListener('submit', async (e) => {
  e.preventDefault()
  const form = new FormData($('create'))
  const claims = form.get('office') ? { region: form.get('region') || 'r1', office: form.get('office') } : {}
  try {
    await api('POST', '/api/admin/accounts', {
      login: form.get('login'), name: form.get('name') || undefined, password: form.get('password'), roles: [form.get('role')], claims,
      tenant: form.get('tenant') || undefined,
    })
    $('create').reset()
    report('admin.created')
  } catch (err) {
    report('admin.failed', err)
  }
  await load()
})
$('reload').addEventListener('click', load)
onLangChange(() => { render(); renderGroups() })
await load()
