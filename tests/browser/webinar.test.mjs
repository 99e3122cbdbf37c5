// The webinar statistics page's schedule editor (issue: hosts set and end their webinars' times): an agency host
// loads its webinar, moves the scheduled end, and ends it now with two presses; the server has what the page showed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { baseUrl, launch, openPage, uniqueId, until } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function devToken(body) {
  const response = await fetch(`${baseUrl}/api/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  assert.ok(response.ok, `dev-token: ${response.status}`)
  return (await response.json()).token
}

async function api(token, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`)
  return JSON.parse(text)
}

test('a host edits its webinar\'s schedule and ends it now in the statistics page', async () => {
  const agency = uniqueId('agency')
  const host = await devToken({ user_id: uniqueId('host'), role: 'webinar_host', agency_id: agency })
  const start = new Date(Date.now() - 5 * 60_000)
  start.setSeconds(0, 0)
  const webinar = await api(host, 'POST', '/api/webinars', {
    title: '보험 상품 설명회', webinar_start_time: start.toISOString(), webinar_scheduled_end_time: new Date(start.getTime() + 60 * 60_000).toISOString(),
  })
  assert.equal(webinar.agency_id, agency)

  const page = await openPage(browser)
  await page.goto(`/webinar/stats.html?webinar=${webinar.id}#token=${host}`)
  await page.locator('#schedule:not([hidden])').waitFor()
  const shown = await page.locator('#scheduled-end').inputValue()
  const later = await page.evaluate((iso) => {
    const d = new Date(new Date(iso).getTime() + 90 * 60_000)
    return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
  }, start.toISOString())
  assert.notEqual(shown, later)
  await page.locator('#scheduled-end').fill(later)
  await page.locator('#schedule button[type=submit]').click()
  await until(page, () => document.querySelector('#status').textContent === '일정을 저장했습니다', null, 'the saved message')
  const saved = await api(host, 'GET', `/api/webinars/${webinar.id}`)
  assert.equal(new Date(saved.webinar_scheduled_end_time).getTime(), start.getTime() + 90 * 60_000)

  // End now: the first press only arms the button.
  await page.locator('#end-now').click()
  assert.equal(await page.locator('#end-now').textContent(), '한 번 더 누르면 종료')
  assert.equal((await api(host, 'GET', `/api/webinars/${webinar.id}`)).status, 'live')
  await page.locator('#end-now').click()
  await until(page, () => document.querySelector('#status').textContent === '웨비나를 종료했습니다', null, 'the ended message')
  const ended = await api(host, 'GET', `/api/webinars/${webinar.id}`)
  assert.equal(ended.status, 'ended')
  assert.ok(await page.locator('#actual-end').inputValue(), 'the actual end is shown')

  // Another agency's host does not get it.
  const stranger = await devToken({ user_id: uniqueId('host'), role: 'webinar_host', agency_id: uniqueId('agency') })
  const response = await fetch(`${baseUrl}/api/webinars/${webinar.id}`, { headers: { authorization: `Bearer ${stranger}` } })
  assert.equal(response.status, 404)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
