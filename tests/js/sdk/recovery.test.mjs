import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { createClient, mintToken, nextEvent, trackingWebSocket, uniqueId, withTimeout } from './helpers.mjs'

const clients = []
after(() => {
  for (const client of clients) client.close()
})

test('reconnect: resubscribes with since and delivers the missed publications once, in order, before live ones', async () => {
  const channel = `office:r1_o1/${uniqueId('recovery')}`
  const publisher = createClient({ token: await mintToken({ role: 'call_manager' }) })
  clients.push(publisher)
  // The reconnect waits for the gate, so the missed publications are certainly published while the client is away.
  let openGate
  const gate = new Promise((resolve) => (openGate = resolve))
  const token = await mintToken()
  let tokenRequests = 0
  const tracking = trackingWebSocket()
  const subscriber = createClient({
    WebSocket: tracking.WebSocket,
    getToken: async () => (++tokenRequests > 1 && (await gate), token),
  })
  clients.push(subscriber)
  await withTimeout(Promise.all([publisher.connect(), subscriber.connect()]), 5000, 'connect')

  const offsets = []
  const texts = []
  let onCount = () => {}
  const sub = await withTimeout(subscriber.subscribe(channel, (pub) => {
    offsets.push(pub.offset)
    texts.push(pub.data.text)
    onCount()
  }), 5000, 'subscribe')
  const received = (count) => withTimeout(new Promise((resolve) => {
    onCount = () => offsets.length >= count && resolve()
    onCount()
  }), 5000, `${count} publications`)
  const signals = []
  sub.on('recovered', (value) => signals.push({ event: 'recovered', ...value }))
  sub.on('lost', (value) => signals.push({ event: 'lost', ...value }))

  for (let i = 1; i <= 3; i++) await withTimeout(publisher.publish(channel, { text: `m${i}` }), 5000, 'publish')
  await received(3)

  const disconnected = nextEvent(subscriber, 'disconnected')
  const reconnecting = nextEvent(subscriber, 'reconnecting')
  tracking.sockets.at(-1).terminate()
  const drop = await disconnected
  assert.equal(drop.willReconnect, true, JSON.stringify(drop))
  const retry = await reconnecting
  assert.equal(retry.attempt, 1)
  assert.ok(retry.delayMs >= 0 && retry.delayMs < 100, JSON.stringify(retry))

  for (let i = 4; i <= 8; i++) await withTimeout(publisher.publish(channel, { text: `m${i}` }), 5000, 'publish')
  const recovered = nextEvent(sub, 'recovered')
  const connected = nextEvent(subscriber, 'connected')
  openGate()
  await connected
  await recovered
  for (let i = 9; i <= 10; i++) await withTimeout(publisher.publish(channel, { text: `m${i}` }), 5000, 'publish')
  await received(10)

  assert.deepEqual(offsets, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  assert.deepEqual(texts, offsets.map((n) => `m${n}`))
  assert.deepEqual(signals, [{ event: 'recovered', recovered: true, offset: 8, epoch: sub.epoch }])
  assert.equal(sub.offset, 10)
  assert.equal(tokenRequests, 2)
  assert.equal(tracking.sockets.length, 2)
  assert.equal(subscriber.state, 'connected')
})
