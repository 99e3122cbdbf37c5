import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { HeartlineDisconnectedError, HeartlineError } from '../../../src/Heartline.Server/wwwroot/sdk/heartline.js'
import { createClient, mintToken, nextEvent, trackingWebSocket, uniqueId, withTimeout } from './helpers.mjs'

const clients = []
afterEach(() => {
  for (const client of clients.splice(0)) client.close()
})

function open(options) {
  const client = createClient(options)
  clients.push(client)
  return client
}

test('connect: resolves with the connect result, then ping answers with the server time', async () => {
  const userId = uniqueId()
  const client = open({ token: await mintToken({ userId }), appType: 'pickup_driver', device: 'node test' })
  const states = []
  client.on('state', (state) => states.push(state))

  const result = await withTimeout(client.connect(), 5000, 'connect')

  assert.match(result.connection_id, /^c_/)
  assert.equal(result.user.user_id, userId)
  assert.equal(result.user.office, 'r1_o1')
  assert.ok(result.ping_interval_ms > 0)
  assert.deepEqual(states, ['connecting', 'connected'])
  const pong = await withTimeout(client.ping(), 5000, 'ping')
  assert.ok(Math.abs(pong.server_time - Date.now()) < 60_000, `server_time ${pong.server_time}`)
})

test('connect: getToken is asked for the token', async () => {
  let asked = 0
  const token = await mintToken()
  const client = open({ getToken: async () => (asked++, token) })

  await withTimeout(client.connect(), 5000, 'connect')

  assert.equal(asked, 1)
})

test('refresh: with getToken, short tokens are refreshed on the open socket, which outlives them', async () => {
  const userId = uniqueId()
  let asked = 0
  const client = open({ getToken: async () => (asked++, mintToken({ userId, ttlSeconds: 3 })) })
  const disconnects = []
  client.on('disconnected', (e) => disconnects.push(e))
  const connected = await withTimeout(client.connect(), 5000, 'connect')

  // A third of a 3-second token's life is left after 2 s: refreshed then, and again from the new expiry.
  const first = await withTimeout(nextEvent(client, 'refreshed'), 10_000, 'the first refresh')
  assert.ok(first.tokenExpiresAt > connected.token_expires_at, `${first.tokenExpiresAt} > ${connected.token_expires_at}`)
  const second = await withTimeout(nextEvent(client, 'refreshed'), 10_000, 'the second refresh')
  assert.ok(second.tokenExpiresAt > first.tokenExpiresAt)
  // Past the first token's expiry: the same socket, never dropped.
  assert.ok(Date.now() > connected.token_expires_at)
  assert.deepEqual(disconnects, [])
  assert.equal(client.state, 'connected')
  assert.equal(asked, 3)
})

test('refresh: a token for someone else is refused, and the connection stays as it was', async () => {
  const client = open({ token: await mintToken() })
  await withTimeout(client.connect(), 5000, 'connect')
  const other = await mintToken()
  await assert.rejects(withTimeout(client.request('refresh', { token: other }), 5000, 'refresh'),
    (err) => err instanceof HeartlineError && err.code === 'bad_request')
  assert.equal(client.state, 'connected')
})

test('ping: sent by itself when nothing was sent for ping_interval_ms', async () => {
  const tracking = trackingWebSocket()
  const client = open({ token: await mintToken(), WebSocket: tracking.WebSocket })
  const { ping_interval_ms: interval } = await withTimeout(client.connect(), 5000, 'connect')
  assert.ok(interval <= 5000, `ping_interval_ms is ${interval}: start the server with Realtime:ClientPingIntervalSeconds=1`)
  const sentBefore = tracking.sent.length

  await withTimeout(new Promise((resolve) => {
    const check = setInterval(() => {
      if (tracking.sent.slice(sentBefore).some((frame) => JSON.parse(frame).cmd === 'ping')) resolve(clearInterval(check))
    }, 50)
  }), interval + 3000, 'automatic ping')

  assert.equal(client.state, 'connected')
})

test('request: fails fast with HeartlineDisconnectedError before connect', async () => {
  const client = open({ token: 'unused' })

  await assert.rejects(withTimeout(client.ping(), 1000, 'ping'), HeartlineDisconnectedError)
  await assert.rejects(withTimeout(client.subscribe('office:r1_o1', () => {}), 1000, 'subscribe'), HeartlineDisconnectedError)
})

test('subscribe: another office\'s channel is refused with HeartlineError forbidden', async () => {
  const client = open({ token: await mintToken({ regionId: 'r1', officeId: 'o1' }) })
  await withTimeout(client.connect(), 5000, 'connect')

  const error = await withTimeout(client.subscribe('office:r1_o2', () => {}).then(
    () => assert.fail('subscribe should have been refused'), (err) => err), 5000, 'subscribe')

  assert.ok(error instanceof HeartlineError, String(error))
  assert.equal(error.code, 'forbidden')
  assert.equal(typeof error.message, 'string')
  assert.equal(client.state, 'connected')
})

test('subscribe and publish: both subscribers receive the publication with the offset publish returned', async () => {
  const channel = `office:r1_o1/${uniqueId('room')}`
  const driver = open({ token: await mintToken({ role: 'pickup_driver' }) })
  const manager = open({ token: await mintToken({ role: 'call_manager' }) })
  await withTimeout(Promise.all([driver.connect(), manager.connect()]), 5000, 'connect')
  const collect = (client) => {
    const received = []
    let notify
    const first = new Promise((resolve) => (notify = resolve))
    const subscribed = client.subscribe(channel, (pub) => notify(received.push(pub)))
    return { received, first, subscribed }
  }
  const toDriver = collect(driver)
  const toManager = collect(manager)
  const subs = await withTimeout(Promise.all([toDriver.subscribed, toManager.subscribed]), 5000, 'subscribe')
  for (const sub of subs) {
    assert.equal(sub.channel, channel)
    assert.equal(sub.offset, 0)
    assert.equal(typeof sub.epoch, 'string')
  }

  const position = await withTimeout(manager.publish(channel, { text: '안녕 hello' }), 5000, 'publish')
  await withTimeout(Promise.all([toDriver.first, toManager.first]), 5000, 'publication delivery')

  assert.deepEqual(position, { offset: 1, epoch: subs[0].epoch })
  for (const { received } of [toDriver, toManager]) {
    assert.equal(received.length, 1)
    const [pub] = received
    assert.equal(pub.channel, channel)
    assert.deepEqual(pub.data, { text: '안녕 hello' })
    assert.deepEqual({ offset: pub.offset, epoch: pub.epoch }, position)
    assert.equal(typeof pub.time, 'number')
  }
})

test('presence: lists the connected user of the own office', async () => {
  const userId = uniqueId()
  const client = open({ token: await mintToken({ userId }), appType: 'pickup_driver' })
  await withTimeout(client.connect(), 5000, 'connect')

  const presence = await withTimeout(client.presence(), 5000, 'presence')

  assert.equal(presence.office, 'r1_o1')
  const me = presence.users.find((user) => user.user_id === userId)
  assert.ok(me, JSON.stringify(presence))
  assert.equal(me.connections[0].app_type, 'pickup_driver')
})

test('connect: a forged token gets unauthorized and close 4500, and the client does not reconnect', async () => {
  const token = await mintToken()
  const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  const tracking = trackingWebSocket()
  // A slow backoff: should the client retry, it must not exhaust the server's connection rate for the other tests.
  const client = open({ token: forged, WebSocket: tracking.WebSocket, reconnect: { initialMs: 1000, maxMs: 1000 } })
  const reconnecting = []
  client.on('reconnecting', (value) => reconnecting.push(value))
  const disconnected = nextEvent(client, 'disconnected')
  const connecting = client.connect().then(() => assert.fail('connect should fail'), (err) => err)

  const event = await disconnected

  assert.deepEqual({ code: event.code, willReconnect: event.willReconnect }, { code: 4500, willReconnect: false },
    `the client did not learn the 4500 close: ${JSON.stringify(event)}`)
  const error = await withTimeout(connecting, 1000, 'connect')
  assert.ok(error instanceof HeartlineError, String(error))
  assert.equal(error.code, 'unauthorized')
  assert.equal(client.state, 'closed')
  // Longer than the backoff: a reconnect would have opened a second socket by now.
  await new Promise((resolve) => setTimeout(resolve, 1200))
  assert.deepEqual(reconnecting, [])
  assert.equal(tracking.sockets.length, 1)
})
