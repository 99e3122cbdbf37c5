// HeartlineClient against a scripted server: close codes, reconnect decisions and frame ordering, deterministically.
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { HeartlineClient, HeartlineError, HeartlineTimeoutError } from '../../../src/Heartline.Server/wwwroot/sdk/heartline.js'
import { acceptConnect, fakeWebSocket } from './fake-websocket.mjs'
import { nextEvent, withTimeout } from './helpers.mjs'

const clients = []
afterEach(() => {
  for (const client of clients.splice(0)) client.close()
})

function create(options = {}) {
  const fake = fakeWebSocket()
  const client = new HeartlineClient({
    url: 'ws://fake/ws', token: 't', WebSocket: fake.WebSocket, reconnect: { initialMs: 10, maxMs: 20 }, ...options,
  })
  clients.push(client)
  return { client, sockets: fake.sockets, socket: fake.socket }
}

test('close 4500 after an unauthorized reply: connect rejects and the client does not reconnect', async () => {
  const { client, sockets, socket } = create()
  const connecting = client.connect().catch((err) => err)
  const { id } = await sockets[0].command('connect')

  sockets[0].receive({ id, error: { code: 'unauthorized', message: 'invalid token' } })
  sockets[0].receive({ push: 'disconnect', code: 4500, reason: 'invalid token', reconnect: false })
  const disconnected = nextEvent(client, 'disconnected')
  sockets[0].serverClose(4500, 'unauthorized')

  assert.deepEqual(await disconnected, { code: 4500, reason: 'unauthorized', willReconnect: false })
  const error = await withTimeout(connecting, 1000, 'connect')
  assert.ok(error instanceof HeartlineError)
  assert.equal(error.code, 'unauthorized')
  assert.equal(client.state, 'closed')
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(sockets.length, 1)
})

test('a disconnect push is believed when the close frame itself is lost (1006)', async () => {
  const { client, sockets, socket } = create()
  const connecting = client.connect()
  await acceptConnect(sockets[0])
  await withTimeout(connecting, 1000, 'connect')

  sockets[0].receive({ push: 'disconnect', code: 4502, reason: 'frame too large', reconnect: false })
  const disconnected = nextEvent(client, 'disconnected')
  sockets[0].serverClose(1006)

  assert.deepEqual(await disconnected, { code: 4502, reason: 'frame too large', willReconnect: false })
  assert.equal(client.state, 'closed')
})

test('an abnormal close (1006) reconnects with a fresh token from getToken', async () => {
  let tokens = 0
  const { client, sockets, socket } = create({ token: undefined, getToken: async () => `token-${++tokens}` })
  const connecting = client.connect()
  assert.equal((await acceptConnect(await socket(0))).args.token, 'token-1')
  await withTimeout(connecting, 1000, 'connect')
  const states = []
  client.on('state', (state) => states.push(state))

  const reconnecting = nextEvent(client, 'reconnecting')
  sockets[0].serverClose(1006)
  const { attempt, delayMs } = await reconnecting
  const connected = nextEvent(client, 'connected')
  assert.equal((await acceptConnect(await socket(1))).args.token, 'token-2')
  await connected

  assert.equal(attempt, 1)
  assert.ok(delayMs >= 0 && delayMs < 10, String(delayMs))
  assert.deepEqual(states, ['reconnecting', 'connected'])
})

test('token_expired (4005): reconnects with getToken, gives up with a fixed token', async () => {
  for (const [options, expected] of [[{ token: undefined, getToken: async () => 't' }, true], [{ token: 't' }, false]]) {
    const { client, sockets, socket } = create(options)
    const connecting = client.connect()
    await acceptConnect(await socket(0))
    await withTimeout(connecting, 1000, 'connect')

    const disconnected = nextEvent(client, 'disconnected')
    sockets[0].serverClose(4005, 'token_expired')

    assert.equal((await disconnected).willReconnect, expected, JSON.stringify(options))
  }
})

test('normal close (1000) from the server and close codes 4500-4999 end the client; 4000-4499 reconnect', async () => {
  for (const [code, expected] of [[1000, false], [1001, true], [4000, true], [4004, true], [4499, true], [4500, false], [4501, false], [4999, false]]) {
    const { client, sockets, socket } = create()
    const connecting = client.connect()
    await acceptConnect(sockets[0])
    await withTimeout(connecting, 1000, 'connect')

    const disconnected = nextEvent(client, 'disconnected')
    sockets[0].serverClose(code)

    assert.equal((await disconnected).willReconnect, expected, `close code ${code}`)
  }
})

test('resubscribe: recovered publications come first, a live duplicate is dropped, even within one read', async () => {
  const { client, sockets, socket } = create()
  const connecting = client.connect()
  await acceptConnect(sockets[0])
  await withTimeout(connecting, 1000, 'connect')
  const offsets = []
  const subscribing = client.subscribe('office:r1_o1', (pub) => offsets.push(pub.offset))
  const first = await sockets[0].command('subscribe')
  sockets[0].receive({ id: first.id, result: { channel: 'office:r1_o1', epoch: 'e1', offset: 2, recovered: false, publications: [] } })
  const sub = await withTimeout(subscribing, 1000, 'subscribe')
  const pub = (offset) => ({ push: 'pub', channel: 'office:r1_o1', offset, epoch: 'e1', time: 1, data: { offset } })
  sockets[0].receive(pub(3))
  const signals = []
  sub.on('recovered', (value) => signals.push(value))

  sockets[0].serverClose(1006)
  await socket(1)
  await acceptConnect(sockets[1])
  const again = await sockets[1].command('subscribe')
  // The reply and the live publications arrive in one synchronous burst, as ws delivers one TCP read.
  const { channel, ...four } = pub(4)
  sockets[1].receive({ id: again.id, result: { channel, epoch: 'e1', offset: 5, recovered: true, publications: [four, pub(5)] } })
  sockets[1].receive(pub(5))
  sockets[1].receive(pub(6))

  assert.deepEqual(again.args, { channel: 'office:r1_o1', since: { offset: 3, epoch: 'e1' } })
  assert.deepEqual(offsets, [3, 4, 5, 6])
  assert.deepEqual(signals, [{ recovered: true, offset: 5, epoch: 'e1' }])
  assert.equal(sub.offset, 6)
})

test('resubscribe without recovery emits lost and continues from the new position', async () => {
  const { client, sockets, socket } = create()
  const connecting = client.connect()
  await acceptConnect(sockets[0])
  await withTimeout(connecting, 1000, 'connect')
  const offsets = []
  const subscribing = client.subscribe('office:r1_o1', (pub) => offsets.push(pub.offset))
  const first = await sockets[0].command('subscribe')
  sockets[0].receive({ id: first.id, result: { channel: 'office:r1_o1', epoch: 'e1', offset: 7, recovered: false, publications: [] } })
  const sub = await withTimeout(subscribing, 1000, 'subscribe')
  const lost = nextEvent(sub, 'lost')

  sockets[0].serverClose(4000)
  await socket(1)
  await acceptConnect(sockets[1])
  const again = await sockets[1].command('subscribe')
  sockets[1].receive({ id: again.id, result: { channel: 'office:r1_o1', epoch: 'e2', offset: 1, recovered: false, publications: [] } })
  sockets[1].receive({ push: 'pub', channel: 'office:r1_o1', offset: 2, epoch: 'e2', time: 1, data: {} })

  assert.deepEqual(await lost, { recovered: false, offset: 1, epoch: 'e2' })
  assert.deepEqual(offsets, [2])
})

test('push and binary events carry module pushes and media frames', async () => {
  const { client, sockets, socket } = create()
  const connecting = client.connect()
  await acceptConnect(sockets[0])
  await withTimeout(connecting, 1000, 'connect')
  const pushes = []
  const frames = []
  client.on('push', (push) => pushes.push(push.push))
  const off = client.on('binary', (frame) => frames.push(frame.byteLength))

  sockets[0].receive({ push: 'ptt.session_started', session_id: 's1' })
  sockets[0].receive({ push: 'error', error: { code: 'bad_request', message: 'x' } })
  sockets[0].receive(new ArrayBuffer(3))
  off()
  sockets[0].receive(new ArrayBuffer(5))

  assert.deepEqual(pushes, ['ptt.session_started', 'error'])
  assert.deepEqual(frames, [3])
  assert.equal(sockets[0].binaryType, 'arraybuffer')
})

test('request: no reply within requestTimeoutMs rejects with HeartlineTimeoutError', async () => {
  const { client, sockets, socket } = create({ requestTimeoutMs: 50 })
  const connecting = client.connect()
  await acceptConnect(sockets[0])
  await withTimeout(connecting, 1000, 'connect')

  await assert.rejects(withTimeout(client.request('presence'), 1000, 'presence'), HeartlineTimeoutError)
  assert.equal(client.state, 'connected')
})

test('request: an error reply rejects with its code and retry_after_ms', async () => {
  const { client, sockets, socket } = create()
  const connecting = client.connect()
  await acceptConnect(sockets[0])
  await withTimeout(connecting, 1000, 'connect')

  const publishing = client.publish('office:r1_o1', { n: 1 }).catch((err) => err)
  const { id, args } = await sockets[0].command('publish')
  sockets[0].receive({ id, error: { code: 'rate_limited', message: 'too many', retry_after_ms: 20 } })
  const error = await withTimeout(publishing, 1000, 'publish')

  assert.deepEqual(args, { channel: 'office:r1_o1', data: { n: 1 } })
  assert.ok(error instanceof HeartlineError)
  assert.deepEqual({ code: error.code, message: error.message, retryAfterMs: error.retryAfterMs },
    { code: 'rate_limited', message: 'too many', retryAfterMs: 20 })
})

test('commands are paced to the rate and burst the connect reply announces, in order, the timeout counting from sending', async () => {
  const { client, sockets } = create({ requestTimeoutMs: 1000 })
  const connecting = client.connect()
  await acceptConnect(sockets[0], { command_rate_per_second: 20, command_burst: 4 })
  await withTimeout(connecting, 1000, 'connect')

  const replies = []
  for (let i = 0; i < 8; i++) replies.push(client.request('ping').catch((err) => err))
  // Burst 4 less a margin of 2: two go out at once, the rest wait for tokens instead of being refused.
  assert.equal(sockets[0].commands.filter((c) => c.cmd === 'ping').length, 2)

  const pings = []
  for (let i = 0; i < 8; i++) {
    const ping = await sockets[0].command('ping', 3000)
    sockets[0].receive({ id: ping.id, result: {} })
    pings.push(ping.id)
  }
  const results = await withTimeout(Promise.all(replies), 3000, 'all replies')
  assert.ok(results.every((r) => !(r instanceof Error)), `every ping answered: ${results}`)
  assert.deepEqual(pings, [...pings].sort((a, b) => a - b))
})
