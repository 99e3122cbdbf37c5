// PttClient against a scripted server (no network): the test sends frames in the order a race would deliver them,
// so each interleaving is reproduced every time. The client is pickup driver u1 of r1_o1.
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { HeartlineClient } from '../../../src/Heartline.Server/wwwroot/sdk/heartline.js'
import { PttClient } from '../../../src/Heartline.Server/wwwroot/sdk/ptt.js'
import { acceptConnect, fakeWebSocket } from './fake-websocket.mjs'
import { nextEvent, withTimeout } from './helpers.mjs'

const USER = { user_id: 'u1', name: 'u1', role: 'pickup_driver', region_id: 'r1', office_id: 'o1', office: 'r1_o1' }
const opened = []
afterEach(() => {
  for (const { ptt, client } of opened.splice(0)) {
    ptt.dispose()
    client.close()
  }
})

function started(sessionId, epoch, speaker, provider = 'relay') {
  return {
    type: 'session_started', session_id: sessionId, office: 'r1_o1', channel: 'ptt_r1_o1', epoch,
    speaker: { user_id: speaker, name: speaker, app_type: 'pickup_driver' }, started_at: Date.now(), max_talk_ms: 60000,
    media: { provider, token_delay_ms: [10, 20] },
  }
}

function activeState(sessionId, epoch, speaker, provider = 'relay') {
  const { type, max_talk_ms: _, ...fields } = started(sessionId, epoch, speaker, provider)
  return { ...fields, active: true, participants: [] }
}

const idle = (epoch) => ({ office: 'r1_o1', active: false, epoch, participants: [] })
const pub = (offset, data) => ({ push: 'pub', channel: 'ptt:r1_o1', offset, epoch: 'e1', time: 0, data })
const grant = (sessionId, epoch) => ({ session_id: sessionId, epoch, channel: 'ptt_r1_o1', started_at: Date.now(), lease_ms: 5000, max_talk_ms: 60000 })

/** Answers the next `cmd` of `ws` with `result` (or `error`); returns the command. */
async function answer(ws, cmd, result, error) {
  const command = await ws.command(cmd)
  ws.receive(error ? { id: command.id, error } : { id: command.id, result })
  return command
}

/** A connected, listening PttClient; `fetches` records its token requests (answered with a fake token). */
async function scripted() {
  const fake = fakeWebSocket()
  const client = new HeartlineClient({
    url: 'ws://fake/ws', token: 't', WebSocket: fake.WebSocket, reconnect: { initialMs: 10, maxMs: 20 }, requestTimeoutMs: 3000,
  })
  const fetches = []
  const fetchStub = async (url) => {
    fetches.push(url)
    return { ok: true, json: async () => ({ token: '007x', app_id: 'a', channel: 'ptt_r1_o1', uid: 1, role: 'subscriber', expires_at: 0 }) }
  }
  const ptt = new PttClient(client, { httpUrl: 'http://fake', token: 't', fetch: fetchStub, random: () => 0, holdFeedbackMs: 0 })
  opened.push({ ptt, client })
  const ready = nextEvent(ptt, 'ready', () => true, 2000)
  const connecting = client.connect()
  const ws = await fake.socket(0)
  await acceptConnect(ws, { user: USER })
  await withTimeout(connecting, 1000, 'connect')
  await answer(ws, 'subscribe', { epoch: 'e1', offset: 0, recovered: false })
  await answer(ws, 'ptt.state', idle(undefined))
  await ready
  return { client, ptt, ws, fake, fetches }
}

/** Drops the current socket; resolves with the next one, its connect accepted. */
async function reconnect(fake, ws, index) {
  ws.serverClose(1006)
  const next = await fake.socket(index)
  await acceptConnect(next, { user: USER })
  return next
}

test('press, release and press again within one round trip: the floor is kept, since the button is held', async () => {
  const { ptt, ws } = await scripted()

  ptt.start()
  const press = await ws.command('ptt.press')
  assert.deepEqual(await ptt.stop(), { released: false, pending: true })
  const again = ptt.start()
  ws.receive({ id: press.id, result: grant('s1', 5) })

  assert.equal((await withTimeout(again, 1000, 'second start')).granted, true)
  assert.equal(ptt.isTalking, true)
  assert.equal(ws.commands.some((c) => c.cmd === 'ptt.release'), false)
})

test('a state reply computed before a start already handled does not end that session', async () => {
  const { ptt, ws } = await scripted()
  const ended = []
  ptt.on('session_ended', (e) => ended.push(e))

  const refreshing = ptt.refreshState()
  const query = await ws.command('ptt.state')
  ws.receive(pub(1, started('s2', 7, 'u2')))
  ws.receive({ id: query.id, result: idle(6) })
  await withTimeout(refreshing, 1000, 'refresh')

  assert.equal(ptt.session?.session_id, 's2')
  assert.equal(ptt.isListening, true)
  assert.deepEqual(ended, [])
})

test('a state reply computed before an end already handled does not bring the session back', async () => {
  const { ptt, ws } = await scripted()
  ws.receive(pub(1, started('s1', 5, 'u2')))

  const refreshing = ptt.refreshState()
  const query = await ws.command('ptt.state')
  ws.receive(pub(2, { type: 'session_ended', session_id: 's1', epoch: 5, reason: 'released', ended_at: 0, hang_ms: 0 }))
  ws.receive({ id: query.id, result: activeState('s1', 5, 'u2') })
  await withTimeout(refreshing, 1000, 'refresh')

  assert.equal(ptt.session, null)
  assert.equal(ptt.isListening, false)
})

test('a refused resubscribe is reported; cues play again and the next connection subscribes afresh', async () => {
  const { ptt, ws, fake } = await scripted()
  const refused = nextEvent(ptt, 'error', (err) => err.code === 'forbidden', 1000)

  const second = await reconnect(fake, ws, 1)
  await answer(second, 'subscribe', undefined, { code: 'forbidden', message: 'not your office' })
  await refused
  const announced = nextEvent(ptt, 'cue', (cue) => cue.type === 'session_joined', 1000)
  second.receive({ push: 'ptt.state', ...activeState('s1', 5, 'u2') })
  await announced

  const third = await reconnect(fake, second, 2)
  const subscribe = await third.command('subscribe', 1000)
  assert.equal(subscribe.args.channel, 'ptt:r1_o1')
  assert.equal(subscribe.args.since, undefined)
})

test('a first subscribe refused as unavailable is retried with backoff: not listening until it succeeds', async () => {
  const fake = fakeWebSocket()
  const client = new HeartlineClient({ url: 'ws://fake/ws', token: 't', WebSocket: fake.WebSocket, reconnect: { initialMs: 10, maxMs: 20 } })
  const ptt = new PttClient(client, { token: 't', holdFeedbackMs: 0, retry: { initialMs: 10, maxMs: 20 } })
  opened.push({ ptt, client })
  const refused = nextEvent(ptt, 'error', (err) => err.code === 'unavailable', 1000)
  const ready = nextEvent(ptt, 'ready', () => true, 2000)
  const connecting = client.connect()
  const ws = await fake.socket(0)
  await acceptConnect(ws, { user: USER })
  await withTimeout(connecting, 1000, 'connect')

  await answer(ws, 'subscribe', undefined, { code: 'unavailable', message: 'try again', retry_after_ms: 30 })
  await refused
  assert.equal(ptt.listening, false, 'not listening after the refusal')
  const again = await ws.command('subscribe', 1000)
  assert.equal(again.args.channel, 'ptt:r1_o1')
  assert.equal(ptt.listening, false)
  ws.receive({ id: again.id, result: { epoch: 'e1', offset: 0, recovered: false } })
  await answer(ws, 'ptt.state', idle(undefined))
  await ready

  assert.equal(ptt.listening, true)
  assert.equal(fake.sockets.length, 1, 'retried on the same connection')
})

test('listening is false while disconnected and true again once the resubscribe is done', async () => {
  const { ptt, ws, fake } = await scripted()
  assert.equal(ptt.listening, true)
  const changed = nextEvent(ptt, 'change', () => !ptt.listening, 1000)

  ws.serverClose(1006)
  await changed
  const next = await fake.socket(1)
  await acceptConnect(next, { user: USER })
  assert.equal(ptt.listening, false, 'connected, not yet resubscribed')
  const back = nextEvent(ptt, 'ready', (r) => r.resubscribed, 1000)
  await answer(next, 'subscribe', { epoch: 'e1', offset: 0, recovered: true, publications: [] })
  await back

  assert.equal(ptt.listening, true)
})

test('agora: a session learnt from the ptt.state push is joined: the token is fetched after the jitter', async () => {
  const { ptt, ws, fetches } = await scripted()
  const token = nextEvent(ptt, 'media_token', () => true, 1000)

  ws.receive({ push: 'ptt.state', ...activeState('s1', 5, 'u2', 'agora') })

  assert.equal((await token).session_id, 's1')
  assert.deepEqual(fetches, ['http://fake/api/ptt/token'])
})

test('agora: a session replayed by a recovering resubscribe is joined; one that ended in the same replay is not', async () => {
  const { ptt, ws, fake, fetches } = await scripted()
  const second = await reconnect(fake, ws, 1)
  const token = nextEvent(ptt, 'media_token', () => true, 1000)
  const back = nextEvent(ptt, 'ready', (r) => r.resubscribed, 1000)

  await answer(second, 'subscribe', {
    epoch: 'e1', offset: 3, recovered: true, publications: [
      pub(1, started('s1', 5, 'u2', 'agora')),
      pub(2, { type: 'session_ended', session_id: 's1', epoch: 5, reason: 'released', ended_at: 0, hang_ms: 0 }),
      pub(3, started('s2', 6, 'u3', 'agora')),
    ],
  })
  await back

  assert.equal((await token).session_id, 's2')
  assert.deepEqual(fetches, ['http://fake/api/ptt/token'])
})
