// PttClient against the real server (relay mode): listening without app code, floor control, audio, cues, reports.
import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { baseUrl, nextEvent, withTimeout } from './helpers.mjs'
import { member, nextCue, nextPtt, sleep, uniqueOffice } from './ptt-helpers.mjs'

const members = []
afterEach(() => {
  for (const m of members.splice(0)) {
    m.ptt.dispose()
    m.client.close()
  }
})

async function join(options) {
  const m = await member(options)
  members.push(m)
  return m
}

test('a dispatcher presses: the driver of the same office listens by itself, hears the cue naming the speaker, and the release ends it on both', async () => {
  const office = uniqueOffice()
  const dispatcher = await join({ office, role: 'call_manager', name: '김배차' })
  const driver = await join({ office, name: '박기사' })
  const started = nextPtt(driver.ptt, 'session_started')
  const cue = nextCue(driver.ptt, 'session_started')

  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'start')

  assert.equal(grant.granted, true)
  assert.ok(grant.epoch > 0)
  const session = await started
  assert.equal(session.session_id, grant.session_id)
  assert.equal(session.speaker.name, '김배차')
  assert.equal(session.mine, false)
  assert.deepEqual(driver.ptt.currentSpeaker, { user_id: dispatcher.userId, name: '김배차', app_type: 'call_manager' })
  assert.equal(driver.ptt.isListening, true)
  assert.equal(driver.ptt.isTalking, false)
  assert.equal(dispatcher.ptt.isTalking, true)
  assert.equal(dispatcher.ptt.isListening, false)
  const heard = await cue
  assert.equal(heard.sound, 'someone_speaking')
  assert.deepEqual({ timings: heard.haptic.timings, amplitudes: heard.haptic.amplitudes }, { timings: [0, 300], amplitudes: [150] })
  assert.deepEqual(heard.speech, { text: '김배차님이 PTT를 시작했습니다', lang: 'ko-KR' })
  assert.equal(heard.focus, 'duck')
  const own = dispatcher.events.filter((e) => e.event === 'session_started')
  assert.equal(own.length, 1, 'the speaker learns of its own session once (grant reply, then publication)')
  assert.equal(own[0].value.mine, true)
  assert.equal(dispatcher.cues.find((c) => c.type === 'talk_granted')?.sound, 'start_success')
  assert.deepEqual(dispatcher.cues.find((c) => c.type === 'talk_granted').haptic.timings, [0, 100])

  const driverEnded = nextPtt(driver.ptt, 'session_ended')
  const dispatcherEnded = nextPtt(dispatcher.ptt, 'session_ended')
  assert.deepEqual(await withTimeout(dispatcher.ptt.stop(), 5000, 'stop'), { released: true })
  assert.equal((await driverEnded).reason, 'released')
  assert.equal((await dispatcherEnded).mine, true)
  assert.equal(driver.ptt.currentSpeaker, null)
  assert.equal(driver.ptt.isListening, false)
  assert.equal(dispatcher.ptt.isTalking, false)
  assert.equal(driver.cues.at(-1).type, 'session_ended')
  assert.equal(driver.cues.at(-1).sound, 'end')
  assert.equal(dispatcher.cues.filter((c) => c.type === 'talk_ended').length, 1, 'one end cue for the speaker')
  assert.equal(dispatcher.cues.filter((c) => c.type === 'session_started').length, 0, 'the speaker is not told someone speaks')
})

test('audio: sendAudio frames reach the listener with the grant epoch, sequence +1 per packet and the payload intact', async () => {
  const office = uniqueOffice()
  const dispatcher = await join({ office, role: 'call_manager' })
  const driver = await join({ office })
  assert.equal(dispatcher.ptt.sendAudio(new Uint8Array([1])), false, 'no audio without the floor')
  const started = nextPtt(driver.ptt, 'session_started')
  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'start')
  await started
  const frames = []
  const five = new Promise((resolve) => driver.ptt.on('audio', (f) => frames.push(f) === 5 && resolve()))

  for (let i = 0; i < 5; i++) assert.equal(dispatcher.ptt.sendAudio(new Uint8Array([0xf8, i, 0xff, i * 2])), true)

  await withTimeout(five, 5000, '5 audio frames')
  assert.deepEqual(frames.map((f) => f.sequence), [0, 1, 2, 3, 4])
  assert.ok(frames.every((f) => f.epoch === grant.epoch))
  assert.deepEqual([...frames[3].payload], [0xf8, 3, 0xff, 6])
})

test('busy: a second driver is refused with the speaker named, in the cue and the announcement', async () => {
  const office = uniqueOffice()
  const first = await join({ office, name: '이기사' })
  const second = await join({ office, name: '최기사' })
  await withTimeout(first.ptt.start(), 5000, 'first start')

  const result = await withTimeout(second.ptt.start(), 5000, 'second start')

  assert.equal(result.granted, false)
  assert.equal(result.busy, true)
  assert.equal(result.speaker.name, '이기사')
  const busy = second.cues.find((c) => c.type === 'busy')
  assert.equal(busy.sound, 'start_fail')
  assert.deepEqual({ timings: busy.haptic.timings, amplitudes: busy.haptic.amplitudes }, { timings: [0, 80, 80, 80], amplitudes: [200, 200] })
  assert.equal(busy.speech.text, '이기사님이 통화 중입니다. 잠시 후 다시 시도해주세요')
  assert.equal(second.events.find((e) => e.event === 'busy').value.speaker.user_id, first.userId)
  assert.equal(second.ptt.isTalking, false)
})

test('pre-emption: the dispatcher takes the floor from a driver, who gets floor_revoked and stops talking', async () => {
  const office = uniqueOffice()
  const driver = await join({ office, name: '정기사' })
  const dispatcher = await join({ office, role: 'call_manager', name: '한배차' })
  await withTimeout(driver.ptt.start(), 5000, 'driver start')
  const revoked = nextCue(driver.ptt, 'floor_revoked')

  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'dispatcher start')

  assert.equal(grant.granted, true)
  assert.equal(grant.preempted, true)
  const cue = await revoked
  assert.equal(cue.reason, 'preempted')
  assert.equal(driver.ptt.isTalking, false)
  assert.equal(driver.ptt.sendAudio(new Uint8Array([1])), false)
  await withTimeout(new Promise((resolve) => (driver.ptt.currentSpeaker?.name === '한배차' ? resolve() : driver.ptt.on('change', () => driver.ptt.currentSpeaker?.name === '한배차' && resolve()))), 5000, 'speaker change')
  assert.equal(driver.ptt.isListening, true)
  assert.equal(driver.cues.filter((c) => c.type === 'talk_ended' || c.type === 'floor_revoked').length, 1, 'one end cue')
})

test('keep-alive: the floor is kept without audio past several leases (server lease 2 s)', async () => {
  const office = uniqueOffice()
  const driver = await join({ office })
  const grant = await withTimeout(driver.ptt.start(), 5000, 'start')
  assert.ok(grant.lease_ms <= 2000, `lease_ms ${grant.lease_ms}: start the server with Ptt:LeaseMs=2000`)

  await sleep(grant.lease_ms * 3)

  assert.equal(driver.ptt.isTalking, true)
  assert.equal(driver.events.filter((e) => e.event === 'floor_revoked').length, 0)
  assert.equal((await driver.ptt.refreshState()).epoch, grant.epoch)
})

test('a member connecting mid-session joins at once: session_joined cue, and the speaker sees participant_joined with its name', async () => {
  const office = uniqueOffice()
  const dispatcher = await join({ office, role: 'call_manager', name: '오배차' })
  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'start')
  const joined = nextPtt(dispatcher.ptt, 'participant_joined')

  const late = await join({ office, name: '늦은기사' })

  const started = late.events.find((e) => e.event === 'session_started')
  assert.equal(started?.value.session_id, grant.session_id)
  assert.equal(started.value.joined, true)
  assert.equal(late.ptt.isListening, true)
  const cue = late.cues.find((c) => c.type === 'session_joined')
  assert.equal(cue.sound, 'join')
  assert.equal(cue.speech.text, '오배차님이 PTT를 시작했습니다')
  assert.equal((await joined).user.name, '늦은기사')
  assert.ok(late.ptt.session.participants.some((p) => p.user_id === late.userId))
  assert.equal(dispatcher.cues.find((c) => c.type === 'participant_joined')?.speech.text, '늦은기사님이 참여했습니다')
})

test('another office hears nothing: no session, no cue, no audio', async () => {
  const office = uniqueOffice()
  const dispatcher = await join({ office, role: 'call_manager' })
  const mine = await join({ office })
  const other = await join({ office: uniqueOffice() })
  const audio = nextPtt(mine.ptt, 'audio')
  await withTimeout(dispatcher.ptt.start(), 5000, 'start')
  dispatcher.ptt.sendAudio(new Uint8Array([9, 9]))
  await audio
  await withTimeout(dispatcher.ptt.stop(), 5000, 'stop')
  await withTimeout(other.ptt.refreshState(), 5000, 'state of the other office')

  assert.deepEqual(other.events.filter((e) => e.event !== 'reported'), [])
  assert.deepEqual(other.cues, [])
  assert.equal(other.ptt.currentSpeaker, null)
})

test('stop during a pending press releases as soon as the grant arrives, so the floor is free again', async () => {
  const office = uniqueOffice()
  const driver = await join({ office })
  const other = await join({ office })

  const ended = nextPtt(other.ptt, 'session_ended')

  const pressing = driver.ptt.start()
  assert.deepEqual(await driver.ptt.stop(), { released: false, pending: true })
  assert.equal((await withTimeout(pressing, 5000, 'start')).granted, true)

  assert.equal((await ended).reason, 'released')
  assert.equal(driver.ptt.isTalking, false)
  const next = await withTimeout(other.ptt.start(), 5000, 'second press')
  assert.equal(next.granted, true)
})

test('focus: a transient loss pauses the audio and keeps the floor; a permanent loss releases it with the focus_lost cue', async () => {
  const office = uniqueOffice()
  const driver = await join({ office })
  await withTimeout(driver.ptt.start(), 5000, 'start')

  await driver.ptt.onFocusLost({ transient: true })
  assert.equal(driver.ptt.sendAudio(new Uint8Array([1])), false)
  assert.equal(driver.ptt.isTalking, true)
  driver.ptt.onFocusGained()
  assert.equal(driver.ptt.sendAudio(new Uint8Array([1])), true)

  const released = await withTimeout(driver.ptt.onFocusLost(), 5000, 'focus lost')
  assert.deepEqual(released, { released: true })
  assert.equal(driver.ptt.isTalking, false)
  const cue = driver.cues.at(-1)
  assert.equal(cue.type, 'focus_lost')
  assert.equal(cue.focus, 'restore')
})

test('notify_ms: each listener reports grant→notified latency from its clock offset, and the statistics count it', async () => {
  const office = uniqueOffice()
  const dispatcher = await join({ office, role: 'call_manager' })
  const driver = await join({ office })
  assert.ok(Math.abs(driver.ptt.clockOffsetMs) < 1000, `clock offset ${driver.ptt.clockOffsetMs} ms on one machine`)
  const reported = nextPtt(driver.ptt, 'reported')

  const grant = await withTimeout(dispatcher.ptt.start(), 5000, 'start')

  const report = await reported
  assert.equal(report.session_id, grant.session_id)
  assert.ok(report.notify_ms >= 0 && report.notify_ms < 2000, `notify_ms ${report.notify_ms}`)
  await withTimeout(dispatcher.ptt.stop(), 5000, 'stop')
  // The report reaches the statistics through the server's background writer: on a busy machine that can take seconds.
  const deadline = Date.now() + 20_000
  let stats
  do {
    const response = await fetch(`${baseUrl}/api/ptt/stats?office=${dispatcher.office}`, { headers: { authorization: `Bearer ${dispatcher.token}` } })
    stats = await response.json()
    if (stats.notify_avg_ms != null) break
    await sleep(100)
  } while (Date.now() < deadline)
  assert.equal(stats.sessions, 1)
  assert.ok(stats.notify_avg_ms != null, `notify_avg_ms in ${JSON.stringify(stats)}`)
})

test('English announcements on request', async () => {
  const office = uniqueOffice()
  const dispatcher = await join({ office, role: 'call_manager', name: 'Kim' })
  const driver = await join({ office, pttOptions: { language: 'en' } })
  const cue = nextCue(driver.ptt, 'session_started')

  await withTimeout(dispatcher.ptt.start(), 5000, 'start')

  assert.deepEqual((await cue).speech, { text: 'Kim started talking', lang: 'en-US' })
})

test('an emergency pre-empts the dispatcher, alerts every member with its own cue, is acknowledged once by a call manager, and a second one within the cooldown is refused', async () => {
  const office = uniqueOffice()
  const dispatcher = await join({ office, role: 'call_manager', name: '김배차' })
  const driver = await join({ office, name: '박기사' })
  const other = await join({ office, name: '이기사' })
  const started = nextPtt(driver.ptt, 'session_started')
  await withTimeout(dispatcher.ptt.start(), 5000, 'start')
  await started
  const revoked = nextPtt(dispatcher.ptt, 'floor_revoked', (e) => e.mine)
  const alarms = [dispatcher, other].map((m) => nextCue(m.ptt, 'emergency'))
  const seen = nextEvent(dispatcher.ptt, 'emergency', () => true, 5000)

  const raised = await withTimeout(driver.ptt.raiseEmergency(), 5000, 'raise')

  assert.match(raised.emergency_id, /\S/)
  assert.equal((await revoked).reason, 'emergency', 'the transmission on air gives way')
  for (const cue of await Promise.all(alarms)) {
    assert.equal(cue.emergency_id, raised.emergency_id)
    assert.equal(cue.user.name, '박기사')
    assert.equal(cue.sound, 'emergency')
    assert.deepEqual(cue.haptic.timings, [0, 500, 200, 500, 200, 500])
    assert.equal(cue.speech.text, '긴급 호출입니다. 박기사님이 긴급 호출을 보냈습니다')
  }
  assert.equal((await seen).user.user_id, driver.userId)
  const acknowledged = nextEvent(driver.ptt, 'emergency_acknowledged', () => true, 5000)
  assert.deepEqual(await withTimeout(dispatcher.ptt.acknowledgeEmergency(raised.emergency_id), 5000, 'ack'), { acknowledged: true })
  assert.equal((await acknowledged).by.user_id, dispatcher.userId)
  assert.deepEqual(await withTimeout(dispatcher.ptt.acknowledgeEmergency(raised.emergency_id), 5000, 'second ack'), { acknowledged: false })
  await assert.rejects(driver.ptt.acknowledgeEmergency(raised.emergency_id), (err) => err.code === 'forbidden', 'a driver does not acknowledge')
  await assert.rejects(driver.ptt.raiseEmergency(), (err) => err.code === 'rate_limited', 'one per user within the cooldown')
  const { server_time: serverTime } = await withTimeout(driver.ptt.heartbeat(), 5000, 'heartbeat')
  assert.ok(Math.abs(serverTime - Date.now()) < 60_000, `the server's clock: ${serverTime}`)
})
