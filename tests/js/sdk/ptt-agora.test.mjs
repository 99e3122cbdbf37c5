// PttClient in Agora mode (seed 6.1, thundering herd): listeners spread their token requests over a random delay,
// skip them for a session that ended meanwhile, and report token/join latencies. Needs a server configured with
// Ptt:MediaProvider=agora at HEARTLINE_AGORA_URL (JsSdkTests starts one, token delay 200–400 ms).
import assert from 'node:assert/strict'
import { afterEach, before, test } from 'node:test'
import { PttClient } from '../../../src/Heartline.Server/wwwroot/sdk/ptt.js'
import { createClient, mintToken, nextEvent, uniqueId, withTimeout } from './helpers.mjs'
import { sleep, uniqueOffice } from './ptt-helpers.mjs'

const agoraUrl = process.env.HEARTLINE_AGORA_URL?.replace(/\/$/, '')
const opened = []
afterEach(() => {
  for (const { ptt, client } of opened.splice(0)) {
    ptt.dispose()
    client.close()
  }
})

before(() => {
  if (!agoraUrl) throw new Error('HEARTLINE_AGORA_URL is not set: run these tests through JsSdkTests (a server with Ptt:MediaProvider=agora)')
})

/** A member on the Agora server whose token requests are recorded with their time. */
async function agoraMember(office, { role = 'pickup_driver', random = Math.random, joinMedia, leaveMedia } = {}) {
  const userId = uniqueId(role === 'call_manager' ? 'cm' : 'drv')
  const token = await mintAt(userId, role, office)
  const requests = []
  const fetchSpy = (url, init) => {
    requests.push({ url, at: Date.now() })
    return fetch(url, init)
  }
  const client = createClient({ url: `${agoraUrl.replace(/^http/, 'ws')}/ws`, token, appType: role })
  const ptt = new PttClient(client, { httpUrl: agoraUrl, token, fetch: fetchSpy, random, joinMedia, leaveMedia, holdFeedbackMs: 0 })
  const m = { client, ptt, userId, requests, tokens: [], reports: [] }
  ptt.on('media_token', (t) => m.tokens.push(t))
  ptt.on('reported', (r) => m.reports.push(r))
  ptt.on('session_started', () => (m.notifiedAt = Date.now()))
  opened.push(m)
  const ready = nextEvent(ptt, 'ready')
  await withTimeout(client.connect(), 5000, 'connect')
  await ready
  return m
}

async function mintAt(userId, role, officeId) {
  const response = await fetch(`${agoraUrl}/api/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId, name: userId, role, region_id: 'r1', office_id: officeId }),
  })
  assert.equal(response.status, 200)
  return (await response.json()).token
}

test('agora: each listener waits its random delay within token_delay_ms, then fetches a join-only token and reports latencies', async () => {
  const office = uniqueOffice()
  const dispatcher = await agoraMember(office, { role: 'call_manager' })
  const joined = []
  const listeners = await Promise.all([0, 0.5, 0.999].map((r) =>
    agoraMember(office, { random: () => r, joinMedia: async (media) => joined.push(media) })))
  const allReported = Promise.all(listeners.map((l) => nextEvent(l.ptt, 'reported', () => true, 5000)))
  const started = nextEvent(listeners[0].ptt, 'session_started')

  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'start')
  const session = await started
  assert.equal(session.media.provider, 'agora')
  const [min, max] = session.media.token_delay_ms
  assert.deepEqual([min, max], [200, 400], 'start the Agora server with Ptt:TokenDelayMinMs=200 and Ptt:TokenDelayMaxMs=400')
  const reports = await allReported

  const delays = listeners.map((l) => l.requests[0].at - l.notifiedAt)
  // A timer never fires early, but a busy machine fires it late: the lower bounds are exact, the upper ones only catch
  // a delay in the wrong unit (a second, not a millisecond, per step).
  const late = 1500
  assert.ok(delays[0] >= min - 20 && delays[0] < min + late, `delay ${delays[0]} for random 0`)
  assert.ok(delays[1] >= 300 - 20 && delays[1] < 300 + late, `delay ${delays[1]} for random 0.5`)
  assert.ok(delays[2] >= max - 20 && delays[2] < max + late, `delay ${delays[2]} for random 0.999`)
  for (const l of listeners) {
    assert.equal(l.requests.length, 1)
    assert.equal(l.tokens[0].role, 'subscriber')
    assert.equal(l.tokens[0].channel, `ptt_r1_${office}`)
  }
  assert.equal(joined.length, 3)
  for (const r of reports) {
    assert.equal(r.session_id, grant.session_id)
    assert.ok(r.notify_ms >= 0 && r.token_ms >= 0 && r.join_ms >= 0, JSON.stringify(r))
  }
  await withTimeout(new Promise((resolve) => (dispatcher.tokens.length ? resolve() : dispatcher.ptt.on('media_token', resolve))), 5000, 'speaker token')
  assert.equal(dispatcher.tokens[0].role, 'publisher', 'the speaker fetches a publisher token at once')
})

test('agora: a member connecting mid-session joins the channel too, after its random delay', async () => {
  const office = uniqueOffice()
  const dispatcher = await agoraMember(office, { role: 'call_manager' })
  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'start')

  const late = await agoraMember(office, { random: () => 0 })
  const token = await withTimeout(new Promise((resolve) => (late.tokens.length ? resolve(late.tokens[0]) : late.ptt.on('media_token', resolve))),
    5000, 'token of the member that joined mid-session')

  assert.equal(token.session_id, grant.session_id)
  assert.equal(token.role, 'subscriber')
  assert.equal(late.requests.length, 1)
})

test('agora: a session that ended within the delay costs no token request', async () => {
  const office = uniqueOffice()
  const dispatcher = await agoraMember(office, { role: 'call_manager' })
  const listener = await agoraMember(office, { random: () => 0.5 })
  const started = nextEvent(listener.ptt, 'session_started')
  const ended = nextEvent(listener.ptt, 'session_ended')

  await withTimeout(dispatcher.ptt.start(), 5000, 'start')
  await started
  await withTimeout(dispatcher.ptt.stop(), 5000, 'stop')
  await ended
  await sleep(600)

  assert.deepEqual(listener.requests, [])
  assert.deepEqual(listener.tokens, [])
})

test('agora: the media a listener joined is left once when the session ends (leaveMedia), and on dispose', async () => {
  const office = uniqueOffice()
  const dispatcher = await agoraMember(office, { role: 'call_manager' })
  const joined = []
  const left = []
  let leftNow
  const nextLeave = () => new Promise((resolve) => (leftNow = resolve))
  const listener = await agoraMember(office, {
    random: () => 0,
    joinMedia: async (media) => joined.push(media),
    leaveMedia: async (media) => { left.push(media); leftNow?.(media) },
  })
  const reported = nextEvent(listener.ptt, 'reported', () => true, 5000)

  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'start')
  await reported
  assert.deepEqual(joined.map((m) => [m.session_id, m.role]), [[grant.session_id, 'subscriber']])
  const leaving = nextLeave()
  await withTimeout(dispatcher.ptt.stop(), 5000, 'stop')

  const media = await withTimeout(leaving, 5000, 'leaveMedia at the end of the session')
  assert.equal(media, joined[0], 'the media that was joined is left')
  listener.ptt.dispose()
  await sleep(50)
  assert.equal(left.length, 1, 'left once: a dispose after the end leaves nothing again')

  // Joined, then disposed while the session is still on the air: left on dispose.
  const second = await agoraMember(office, { random: () => 0, joinMedia: async () => {}, leaveMedia: async (m) => { left.push(m); leftNow?.(m) } })
  const secondReported = nextEvent(second.ptt, 'reported', () => true, 5000)
  await withTimeout(dispatcher.ptt.start(), 5000, 'second start')
  await secondReported
  const leavingOnDispose = nextLeave()
  second.ptt.dispose()
  assert.equal((await withTimeout(leavingOnDispose, 5000, 'leaveMedia on dispose')).role, 'subscriber')
})
