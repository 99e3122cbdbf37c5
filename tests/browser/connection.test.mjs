// The talking pages when the connection is not simply up: the office channel refused for a while, a token that
// expires, a close that will not reconnect, a kept token about to expire. The WebSocket goes through a Playwright
// route to the real server, so a test can answer or close in the server's place.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DESKTOP, PHONE, baseUrl, holdButton, launch, openPage, releaseButton, signIn, uniqueId, until } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/**
 * Routes the page's WebSockets to the server. `onCommand(command, route)` sees every command the page sends and
 * returns true when it answered it itself (not forwarded). `sockets` lists the routes, newest last; while
 * `sockets.blocked` is true, new sockets are closed at once.
 */
async function relay(page, onCommand = () => false) {
  const sockets = []
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (sockets.blocked) {
      // The server is out of reach: every attempt fails at once (the client keeps reconnecting).
      ws.close({ code: 1011, reason: 'unreachable' })
      return
    }
    const server = ws.connectToServer()
    const route = { ws, server }
    sockets.push(route)
    ws.onMessage((message) => {
      let command = null
      try {
        command = typeof message === 'string' ? JSON.parse(message) : null
      } catch {
        // not JSON: forwarded as is
      }
      if (!command || !onCommand(command, route)) server.send(message)
    })
  })
  return sockets
}

test('the office channel refused at first: the page says it does not receive yet, retries by itself, then stands by', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  let refused = 0
  await relay(page, (command, { ws }) => {
    if (command.cmd !== 'subscribe' || !command.args?.channel?.startsWith('ptt:') || refused++) return false
    ws.send(JSON.stringify({ id: command.id, error: { code: 'unavailable', message: 'try again', retry_after_ms: 1500 } }))
    return true
  })
  try {
    await signIn(page, '/console/', { office: uniqueId('o'), listening: false })

    await until(page, () => document.body.dataset.state === 'not_listening', null, 'the not-listening state')
    assert.equal(await page.locator('#state-label').textContent(), '수신 준비 중…')
    await until(page, () => document.getElementById('notice').textContent.includes('무전 채널에 들어가지 못했습니다'), null,
      'the notice about the channel')
    await until(page, () => document.body.dataset.state === 'idle', null, 'standing by after the retry', 5000)
    assert.equal(await page.locator('#notice').textContent(), '')
    assert.equal(refused, 2, 'subscribed again on the same connection')
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

/** Closes the page's current socket as the server would, with `code`. */
async function serverCloses(sockets, code, reason) {
  const { ws, server } = sockets.at(-1)
  await ws.close({ code, reason })
  await server.close({ code: 1000 }).catch(() => {})
}

test('the token expires while connected (4005): the console signs out to the form, saying why, instead of reconnecting forever', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  const sockets = await relay(page)
  try {
    await signIn(page, '/console/', { office: uniqueId('o') })
    assert.ok(await page.evaluate(() => localStorage.getItem('heartline.console.token')))

    await serverCloses(sockets, 4005, 'token_expired')

    await page.locator('#dev-signin').waitFor()
    assert.equal(await page.locator('#signin-error').textContent(), '로그인이 만료되었습니다. 다시 로그인하세요')
    assert.equal(await page.locator('#app').isHidden(), true)
    assert.equal(await page.evaluate(() => localStorage.getItem('heartline.console.token')), null, 'the expired token is forgotten')
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('a close that will not reconnect (4501) shows the driver disconnected, not reconnecting; Reconnect connects again', async () => {
  const page = await openPage(browser, { viewport: PHONE, phone: true })
  const sockets = await relay(page)
  try {
    await signIn(page, '/driver/', { office: uniqueId('o') })

    await serverCloses(sockets, 4501, 'protocol_error')

    await until(page, () => document.body.dataset.state === 'closed', null, 'the closed state')
    assert.equal(await page.locator('#state-label').textContent(), '연결 끊김')
    assert.equal(await page.locator('#conn').getAttribute('data-state'), 'closed')
    assert.equal(await page.locator('#notice').textContent(), '연결이 끊겼습니다. 다시 연결을 누르세요')
    await page.locator('#reconnect').click()
    await until(page, () => document.body.dataset.state === 'idle', null, 'standing by again')
    assert.equal(await page.locator('#reconnect').isHidden(), true)
    assert.equal(sockets.length, 2)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('a kept token is used only with more than an hour left: one about to expire shows the sign-in form', async () => {
  const mint = async (ttlSeconds) => {
    const response = await fetch(`${baseUrl}/api/auth/dev-token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: uniqueId('u'), name: '김기사', role: 'pickup_driver', region_id: 'r1', office_id: uniqueId('o'), ttl_seconds: ttlSeconds }),
    })
    assert.equal(response.status, 200)
    return (await response.json()).token
  }
  const page = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await page.goto('/')
    await page.evaluate((token) => localStorage.setItem('heartline.driver.token', token), await mint(30 * 60))
    await page.goto('/driver/')
    await page.locator('#dev-signin').waitFor()
    assert.equal(await page.locator('#app').isHidden(), true)
    assert.equal(await page.evaluate(() => localStorage.getItem('heartline.driver.token')), null)

    await page.evaluate((token) => localStorage.setItem('heartline.driver.token', token), await mint(2 * 3600))
    await page.goto('/driver/')
    await page.locator('#conn[data-state=connected]').waitFor()
    assert.equal(await page.locator('#signin').isHidden(), true)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('dashboard: live sessions are hidden while disconnected and shown again after reconnecting; an expired token signs out', async () => {
  const office = uniqueId('o')
  const dispatcher = await openPage(browser, { viewport: DESKTOP })
  const dashboard = await openPage(browser, { viewport: DESKTOP })
  const sockets = await relay(dashboard)
  try {
    await signIn(dispatcher, '/console/', { name: '김배차', office })
    const admin = await signIn(dashboard, '/dashboard/', { name: '관리자', office, role: 'admin' })
    await holdButton(dispatcher)
    await until(dashboard, (key) => document.querySelector(`#sessions [data-office="${key}"]`), admin.office, 'the session on the dashboard')

    sockets.blocked = true
    await serverCloses(sockets, 4000, 'shutdown')

    await until(dashboard, () => document.getElementById('conn').dataset.state === 'reconnecting'
      && !document.querySelector('#sessions .session'), null, 'the sessions hidden while reconnecting')
    assert.equal(await dashboard.locator('#sessions').textContent(), '연결되지 않아 실시간 세션을 표시하지 않습니다')
    assert.equal(await dashboard.locator('#card-active').textContent(), '-')
    sockets.blocked = false
    await until(dashboard, (key) => document.querySelector(`#sessions [data-office="${key}"]`), admin.office, 'the session shown again', 15_000)
    await releaseButton(dispatcher)

    await serverCloses(sockets, 4005, 'token_expired')
    await dashboard.locator('#dev-signin').waitFor()
    assert.equal(await dashboard.locator('#signin-error').textContent(), '로그인이 만료되었습니다. 다시 로그인하세요')
    assert.deepEqual(dashboard.problems, [])
    assert.deepEqual(dispatcher.problems, [])
  } finally {
    await Promise.all([dispatcher.context().close(), dashboard.context().close()])
  }
})

test('a driver back from a tunnel sees the call it missed and replays its recording', async () => {
  const office = uniqueId('o')
  const dispatcher = await openPage(browser, { viewport: DESKTOP })
  const driver = await openPage(browser, { viewport: PHONE, phone: true })
  const sockets = await relay(driver)
  try {
    await signIn(dispatcher, '/console/', { name: '김배차', office })
    const signedIn = await signIn(driver, '/driver/', { name: '박기사', office })

    // The tunnel: the driver's socket drops and every reconnect fails meanwhile.
    sockets.blocked = true
    await serverCloses(sockets, 1011, 'tunnel')
    await until(driver, () => document.getElementById('conn').dataset.state === 'reconnecting', null, 'the driver reconnecting')
    await holdButton(dispatcher)
    await until(dispatcher, () => globalThis.heartlineAudio.sent >= 25, null, 'half a second of speech sent')
    await releaseButton(dispatcher)
    // The recording is kept once the release hang is over; wait for it through the API before the driver comes back.
    const token = await (await fetch(`${baseUrl}/api/auth/dev-token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: uniqueId('cm'), role: 'call_manager', region_id: 'r1', office_id: office }),
    })).json().then((b) => b.token)
    for (let i = 0; ; i++) {
      const list = await (await fetch(`${baseUrl}/api/ptt/transmissions?office=${signedIn.office}`, { headers: { authorization: `Bearer ${token}` } })).json()
      if (list.length === 1) break
      assert.ok(i < 100, 'the recording kept within 10 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    sockets.blocked = false
    await until(driver, () => document.getElementById('conn').dataset.state === 'connected', null, 'the driver back', 20_000)
    await until(driver, () => document.getElementById('notice').textContent.startsWith('연결이 끊긴 동안 통화 1건이 있었습니다'), null,
      'the missed-call notice')
    const missed = driver.locator('#recent li.missed')
    assert.equal(await missed.locator('.why').textContent(), '놓친 통화')
    await missed.locator('button.replay').click()
    await until(driver, () => globalThis.heartlineReplays === 1, null, 'the recording playing')
    assert.deepEqual((await driver.evaluate(() => globalThis.heartlineAudio.errors)), [])
    assert.deepEqual(driver.problems, [])
    assert.deepEqual(dispatcher.problems, [])
  } finally {
    await Promise.all([dispatcher.context().close(), driver.context().close()])
  }
})
