// Signing in with an account (docs/accounts.md) in the pages: login and password, a clear Korean error for a wrong
// password, tokens kept and renewed, and a driver moved to another office by an administrator reconnecting by itself
// with a renewed token (the server closed its socket with 4503).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { baseUrl, launch, openPage, uniqueId, until } from './helpers.mjs'

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
