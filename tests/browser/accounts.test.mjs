// Signing in with an account (docs/accounts.md) in the pages: login and password, a clear Korean error for a wrong
// password, tokens kept and renewed, and a driver moved to another office by an administrator reconnecting by itself
// with a renewed token (the server closed its socket with 4503).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { XSS, baseUrl, launch, openPage, uniqueId, until } from './helpers.mjs'

let browser
let adminToken
before(async () => {
  browser = await launch()
  const response = await fetch(`${baseUrl}/api/auth/dev-token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: uniqueId('admin'), role: 'admin' }),
  })
  adminToken = (await response.json()).token
})
after(async () => {
  await browser?.close()
})

async function admin(method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method, headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify(body),
  })
  const text = await response.text()
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`)
  return JSON.parse(text)
}

test('a driver signs in with login and password, is told of a wrong one in Korean, and follows an office move by itself', async () => {
  const login = uniqueId('driver').toLowerCase()
  const office = uniqueId('o')
  await admin('POST', '/api/admin/accounts', {
    login, name: '김기사', password: 'driver-password', roles: ['pickup_driver'], claims: { region: 'r1', office },
  })
  const page = await openPage(browser)
  await page.goto('/driver/')
  const form = page.locator('#account-signin')
  await form.locator('[name=login]').fill(login)
  await form.locator('[name=password]').fill('wrong-password')
  await form.locator('button[type=submit]').click()
  await until(page, () => document.querySelector('#signin-error')?.textContent === '아이디 또는 비밀번호가 맞지 않습니다',
    null, 'the wrong-password message')

  await form.locator('[name=password]').fill('driver-password')
  await form.locator('button[type=submit]').click()
  await page.locator('#conn[data-state=connected]').waitFor()
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('heartline.driver.account')))
  assert.equal(kept.user.user_id, login)
  assert.equal(kept.user.claims.office, office)

  // Moved to another office: the server closes the socket (4503); the page renews its token and connects again.
  const moved = uniqueId('o')
  await admin('PATCH', `/api/admin/accounts/${login}`, { claims: { region: 'r1', office: moved } })
  await until(page, ([old, office]) => {
    const state = JSON.parse(localStorage.getItem('heartline.driver.account'))
    return state.access_token !== old && state.user.claims.office === office && document.querySelector('#conn').dataset.state === 'connected'
  }, [kept.access_token, moved], 'the reconnect with a renewed token', 20_000)

  // A reload restores the kept sign-in without the form.
  await page.reload()
  await page.locator('#conn[data-state=connected]').waitFor()
  assert.ok(await page.locator('#signin').isHidden())
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

async function signInWithAccount(page, path, login, password) {
  await page.goto(path)
  const form = page.locator('#account-signin')
  await form.locator('[name=login]').fill(login)
  await form.locator('[name=password]').fill(password)
  await form.locator('button[type=submit]').click()
}

test('the admin console creates a driver, shows it online, and a deactivation (two presses) signs the driver out at once', async () => {
  const adminLogin = uniqueId('ops').toLowerCase()
  await admin('POST', '/api/admin/accounts', { login: adminLogin, name: '운영자', password: 'admin-password', roles: ['admin'] })
  const console = await openPage(browser)
  await signInWithAccount(console, '/admin/', adminLogin, 'admin-password')
  await console.locator('#accounts tbody tr').first().waitFor()

  // A dispatch office as a group of its own, with a name and a time zone.
  const officeId = uniqueId('o')
  const group = console.locator('#create-group')
  await group.locator('[name=kind]').selectOption('office')
  await group.locator('[name="claim.region"]').fill('r1')
  await group.locator('[name="claim.office"]').fill(officeId)
  await group.locator('[name=name]').fill('강남 배차실')
  await group.locator('[name=time_zone]').fill('Asia/Seoul')
  await group.locator('button[type=submit]').click()
  const groupRow = console.locator(`#groups tr[data-group="office/r1_${officeId}"]`)
  await groupRow.waitFor()
  assert.deepEqual((await groupRow.locator('td').allTextContents()).slice(0, 5), ['배차 사무실', `r1_${officeId}`, '강남 배차실', 'Asia/Seoul', '0'])

  const driverLogin = uniqueId('drv').toLowerCase()
  const create = console.locator('#create')
  await create.locator('[name=login]').fill(driverLogin)
  await create.locator('[name=name]').fill(XSS)
  await create.locator('[name=password]').fill('driver-password')
  await create.locator('[name=role]').selectOption('pickup_driver')
  await create.locator('[name=office]').fill(officeId)
  await create.locator('button[type=submit]').click()
  const row = console.locator(`#accounts tr[data-user="${driverLogin}"]`)
  await row.waitFor()
  assert.equal(await row.locator('td').nth(1).textContent(), XSS, 'the name is shown as text')
  assert.equal(await console.locator('#status').textContent(), '계정을 만들었습니다')

  // A role changed in the console (an account not connected: nothing to reconnect).
  const spare = uniqueId('spare').toLowerCase()
  await admin('POST', '/api/admin/accounts', { login: spare, password: 'spare-password', roles: ['pickup_driver'], tenant: 'acme' })
  await console.locator('#reload').click()
  const spareRow = console.locator(`#accounts tr[data-user="${spare}"]`)
  await spareRow.waitFor()
  assert.equal(await spareRow.locator('td').nth(4).textContent(), 'acme')
  await spareRow.locator('form[data-action=role] select').selectOption('call_manager')
  await spareRow.locator('form[data-action=role] button').click()
  await until(console, (login) => document.querySelector(`#accounts tr[data-user="${login}"] td:nth-child(3)`)?.textContent === '배차 담당',
    spare, 'the new role shown')

  const phone = await openPage(browser)
  await signInWithAccount(phone, '/driver/', driverLogin, 'driver-password')
  await phone.locator('#conn[data-state=connected]').waitFor()
  await until(console, async (login) => {
    document.querySelector('#reload').click()
    await new Promise((resolve) => setTimeout(resolve, 200))
    return document.querySelector(`#accounts tr[data-user="${login}"] td.num`)?.textContent === '1'
  }, driverLogin, 'the driver shown online', 20_000)

  // An invitation for a second phone: the console shows a code and a link; the link lets the driver set a password.
  await row.locator('button[data-action=code]').click()
  await until(console, () => !document.querySelector('#issued').hidden, null, 'the code shown')
  const link = await console.locator('#issued-link').textContent()
  const second = await openPage(browser)
  await second.goto(link)
  const codeForm = second.locator('#code-signin')
  assert.equal(await codeForm.locator('[name=invite_code]').inputValue(), await console.locator('#issued-code').textContent())
  await codeForm.locator('[name=new_password]').fill('second-password')
  await codeForm.locator('button[type=submit]').click()
  await second.locator('#conn[data-state=connected]').waitFor()
  assert.equal(new URL(second.url()).search, '', 'the code leaves the address bar')
  assert.deepEqual(second.problems, [])
  await second.context().close()

  const toggle = row.locator('button[data-action=toggle]')
  await toggle.click()
  assert.equal(await toggle.textContent(), '한 번 더 누르면 중지')
  await toggle.click()
  await until(console, (login) => document.querySelector(`#accounts tr[data-user="${login}"]`)?.dataset.active === 'false', driverLogin, 'the row deactivated')
  // The driver's socket closed with 4503, its refresh failed: back to the form, saying why.
  await phone.locator('#account-signin').waitFor({ timeout: 20_000 })
  assert.equal(await phone.locator('#signin-error').textContent(), '로그인 정보가 더 이상 유효하지 않습니다. 다시 로그인하세요')
  assert.deepEqual(console.problems, [])
  assert.deepEqual(phone.problems, [])
  await console.context().close()
  await phone.context().close()
})
