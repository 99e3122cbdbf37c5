// PttClient across a dropped connection: the subscription recovers what was missed without replaying stale cues.
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { mintToken, nextEvent, trackingWebSocket, uniqueId, withTimeout } from './helpers.mjs'
import { member, nextCue, nextPtt, uniqueOffice } from './ptt-helpers.mjs'

const members = []
afterEach(() => {
  for (const m of members.splice(0)) {
    m.ptt.dispose()
    m.client.close()
  }
})

/** A driver whose reconnects wait for `openGate()`, so the test decides what happens while it is away. */
async function gatedDriver(office) {
  let openGate
  const gate = new Promise((resolve) => (openGate = resolve))
  const userId = uniqueId('drv')
  const token = await mintToken({ userId, officeId: office })
  let asked = 0
  const tracking = trackingWebSocket()
  const m = await member({
    office,
    clientOptions: { WebSocket: tracking.WebSocket, getToken: async () => (++asked > 1 && (await gate), token), token: undefined },
  })
  members.push(m)
  return { ...m, openGate, sockets: tracking.sockets }
}

test('reconnect: sessions that began and ended while away are replayed quietly; the one still active is announced once', async () => {
  const office = uniqueOffice()
  const dispatcher = await member({ office, role: 'call_manager', name: '서배차' })
  members.push(dispatcher)
  const driver = await gatedDriver(office)
  const away = nextEvent(driver.client, 'disconnected')
  driver.sockets[0].terminate()
  await away

  const first = await withTimeout(dispatcher.ptt.start(), 5000, 'first start')
  await withTimeout(dispatcher.ptt.stop(), 5000, 'first stop')
  const second = await withTimeout(dispatcher.ptt.start(), 5000, 'second start')
  const announced = nextCue(driver.ptt, 'session_joined')
  const back = nextPtt(driver.ptt, 'ready', (r) => r.resubscribed)
  driver.openGate()
  await back

  const cue = await announced
  assert.equal(cue.session_id, second.session_id)
  assert.equal(cue.speech.text, '서배차님이 PTT를 시작했습니다')
  assert.equal(driver.ptt.session.session_id, second.session_id)
  assert.equal(driver.ptt.isListening, true)
  const sessionCues = driver.cues.filter((c) => c.session_id === first.session_id)
  assert.deepEqual(sessionCues, [], 'nothing announced for the session that ended while away')
  assert.ok(driver.events.some((e) => e.event === 'session_ended' && e.value.session_id === first.session_id),
    'the missed end is still delivered as an event')
})

test('a speaker whose connection drops stops talking at once, with an end cue', async () => {
  const office = uniqueOffice()
  const driver = await gatedDriver(office)
  await withTimeout(driver.ptt.start(), 5000, 'start')
  const ended = nextCue(driver.ptt, 'floor_revoked')

  driver.sockets[0].terminate()

  assert.equal((await ended).reason, 'disconnected')
  assert.equal(driver.ptt.isTalking, false)
  assert.equal(driver.ptt.sendAudio(new Uint8Array([1])), false)
  driver.openGate()
})
