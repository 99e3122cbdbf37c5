// The talking pages when the connection is not simply up: the office channel refused for a while, a token that
// expires, a close that will not reconnect, a kept token about to expire. The WebSocket goes through a Playwright
// route to the real server, so a test can answer or close in the server's place.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DESKTOP, PHONE, launch, openPage, signIn, uniqueId, until } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/**
 * Routes the page's WebSockets to the server. `onCommand(command, route)` sees every command the page sends and
 * returns true when it answered it itself (not forwarded). `sockets` lists the routes, newest last.
 */
async function relay(page, onCommand = () => false) {
  const sockets = []
  await page.routeWebSocket(/\/ws$/, (ws) => {
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
