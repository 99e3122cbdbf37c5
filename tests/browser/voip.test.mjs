// The VoIP call page (/call/, on /sdk/voip.js) in real Chromium against the real server: two guests in two contexts
// see each other online, one video-calls, the other answers, both decode the other's video and audio, hang-up ends
// both; a guest name that looks like HTML stays text; a dropped connection mid-call resumes the call, the server's
// ping is answered and a guest the server forgot is admitted again; and, when the server has a TURN server (HEARTLINE_TURN_URL),
// a call through TURN only, and TURN refusing a wrong or an expired credential.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { DESKTOP, PHONE, XSS, injectedImages, launch, screenshots, until } from './helpers.mjs'
import {
  admitGuest, iceServers, joinCall, openCallPage, relayWebSockets, waitCallState, waitMediaFlowing,
} from './voip-helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const listed = (page, id) => until(page, (guest) => !!document.querySelector(`#online li[data-id="${guest}"]`), id, `guest ${id} listed online`)

test('a guest video-calls another: ring, answer, both decode video and audio, the timer runs, hang-up ends both', async () => {
  const caller = await openCallPage(browser, { viewport: DESKTOP })
  const callee = await openCallPage(browser, { viewport: PHONE, phone: true })
  try {
    const callerId = await joinCall(caller, '김민수')
    const calleeId = await joinCall(callee, '이지은')
    assert.notEqual(callerId, calleeId)
    await listed(caller, calleeId)
    await listed(callee, callerId)
    assert.equal(await caller.locator(`#online li[data-id="${callerId}"]`).count(), 0, 'a guest is not listed to itself')
    assert.equal(await caller.locator(`#online li[data-id="${calleeId}"] .who`).textContent(), '이지은')
    assert.equal(await caller.locator('#call-label').textContent(), '대기 중')

    await caller.locator(`#online li[data-id="${calleeId}"] button[data-media=video]`).click()

    await waitCallState(callee, 'incoming')
    assert.equal(await callee.locator('#peer-name').textContent(), '김민수')
    assert.equal(await callee.locator('#call-label').textContent(), '전화가 왔습니다')
    await until(callee, () => document.body.dataset.tone === 'ring' && globalThis.heartlineCallTones.played > 0, null, 'the ring tone playing')
    await waitCallState(caller, 'ringing')
    await until(caller, () => document.body.dataset.tone === 'ringback' && globalThis.heartlineCallTones.played > 0, null, 'the ringback playing')
    assert.equal(await callee.locator('#accept').isVisible(), true)
    assert.equal(await callee.locator('#reject').isVisible(), true)
    await callee.screenshot({ path: join(screenshots, 'call-incoming-390x844.png') })

    await callee.locator('#accept').click()

    await waitCallState(caller, 'active', { ms: 20_000 })
    await waitCallState(callee, 'active', { ms: 20_000 })
    assert.equal(await caller.evaluate(() => document.body.dataset.tone), '', 'the ringback stopped')
    assert.equal(await callee.evaluate(() => document.body.dataset.tone), '', 'the ring stopped')
    for (const [name, page] of Object.entries({ caller, callee })) {
      const { first, last } = await waitMediaFlowing(page)
      assert.ok(last.video.framesDecoded > first.video.framesDecoded, `${name} decodes video: ${JSON.stringify({ first, last })}`)
      assert.ok(last.audio.packetsReceived > first.audio.packetsReceived, `${name} receives audio: ${JSON.stringify({ first, last })}`)
      const playing = await page.evaluate(() => {
        const video = document.getElementById('remote-video')
        return { paused: video.paused, width: video.videoWidth, audio: video.srcObject?.getAudioTracks().length, muted: video.muted }
      })
      assert.deepEqual({ ...playing, width: playing.width > 0 }, { paused: false, width: true, audio: 1, muted: false },
        `${name} plays the remote video with its sound in #remote-video`)
      assert.equal(await page.locator('#local-video').isVisible(), true, `${name} sees its own camera`)
    }
    await until(caller, () => /^0:0[1-9]$/.test(document.getElementById('call-timer').textContent), null, 'the call timer running')
    await caller.screenshot({ path: join(screenshots, 'call-active-1280x800.png') })
    await callee.screenshot({ path: join(screenshots, 'call-active-390x844.png') })

    // Mute and camera toggles act on the local tracks.
    await callee.locator('#mute').click()
    await callee.locator('#camera').click()
    assert.deepEqual(await callee.evaluate(() => {
      const stream = document.getElementById('local-video').srcObject
      return { audio: stream.getAudioTracks()[0].enabled, video: stream.getVideoTracks()[0].enabled }
    }), { audio: false, video: false })
    assert.equal(await callee.locator('#mute').getAttribute('aria-pressed'), 'true')
    assert.equal(await callee.locator('#mute').textContent(), '마이크 켜기')
    await callee.locator('#mute').click()
    assert.equal(await callee.evaluate(() => document.getElementById('local-video').srcObject.getAudioTracks()[0].enabled), true)

    await caller.locator('#hangup').click()

    await waitCallState(caller, 'ended', { reason: 'hangup' })
    await waitCallState(callee, 'ended', { reason: 'hangup' })
    assert.equal(await caller.locator('#call-reason').textContent(), '통화를 끊었습니다')
    assert.equal(await callee.locator('#call-reason').textContent(), '통화가 끝났습니다')
    assert.equal(await caller.evaluate(() => globalThis.__voip.pc), null, 'the peer connection is gone')
    assert.equal(await caller.evaluate(() => document.getElementById('local-video').srcObject), null)
    await callee.screenshot({ path: join(screenshots, 'call-ended-390x844.png') })
    assert.deepEqual(caller.problems, [])
    assert.deepEqual(callee.problems, [])
  } finally {
    await caller.context().close()
    await callee.context().close()
  }
})

test('a guest name that looks like HTML is text in the list, the header and the incoming call; declining ends both', async () => {
  const name = `최${XSS}`
  const caller = await openCallPage(browser, { viewport: DESKTOP })
  const callee = await openCallPage(browser, { viewport: DESKTOP })
  try {
    const callerId = await joinCall(caller, name)
    const calleeId = await joinCall(callee, '박서준')
    assert.equal(await caller.locator('#my-name').textContent(), name)
    await listed(callee, callerId)
    assert.equal(await callee.locator(`#online li[data-id="${callerId}"] .who`).textContent(), name)
    assert.equal(await callee.locator(`#online li[data-id="${callerId}"] button[data-media=audio]`).getAttribute('aria-label'), `${name}님에게 음성 통화`)
    await listed(caller, calleeId)

    await caller.locator(`#online li[data-id="${calleeId}"] button[data-media=audio]`).click()
    await waitCallState(callee, 'incoming')
    assert.equal(await callee.locator('#peer-name').textContent(), name)
    assert.equal(await callee.locator('#call-media').textContent(), '음성 통화')
    await callee.locator('#reject').click()

    await waitCallState(caller, 'ended', { reason: 'rejected' })
    await waitCallState(callee, 'ended', { reason: 'rejected' })
    assert.equal(await caller.locator('#call-reason').textContent(), '상대방이 전화를 거절했습니다')
    assert.equal(await callee.locator('#call-reason').textContent(), '전화를 거절했습니다')

    // English by the switch: the same state in the other language.
    await callee.locator('#lang').click()
    assert.equal(await callee.locator('#call-reason').textContent(), 'You declined the call')
    assert.equal(await callee.evaluate(() => document.documentElement.lang), 'en')
    assert.equal(await callee.locator(`#online li[data-id="${callerId}"] .who`).textContent(), name)

    for (const page of [caller, callee]) {
      assert.equal(await injectedImages(page), 0, 'no element was made from the name')
      assert.deepEqual(page.problems, [])
    }
  } finally {
    await caller.context().close()
    await callee.context().close()
  }
})

test('the connection drops mid-call: both show reconnecting, the call resumes (ICE restarted), pings are answered, a forgotten guest is admitted again', async () => {
  const caller = await openCallPage(browser, { viewport: DESKTOP })
  const callee = await openCallPage(browser, { viewport: DESKTOP })
  const relay = await relayWebSockets(caller)
  try {
    const callerId = await joinCall(caller, '정하늘')
    const calleeId = await joinCall(callee, '한바다')
    await listed(caller, calleeId)
    await caller.locator(`#online li[data-id="${calleeId}"] button[data-media=audio]`).click()
    await waitCallState(callee, 'incoming')
    await callee.locator('#accept').click()
    await waitCallState(caller, 'active')
    await waitMediaFlowing(callee, { video: false })

    relay.push({ push: 'voip.ping', seq: 41 })
    await waitFor(() => relay.sent.some((c) => c.cmd === 'voip.pong' && c.args?.seq === 41), 'the pong of ping 41')

    const offers = () => relay.sent.filter((c) => c.cmd === 'voip.signal' && c.args?.kind === 'offer').length
    const offersBefore = offers()
    relay.blocked = true
    await relay.drop()
    await waitCallState(caller, 'reconnecting')
    await waitCallState(callee, 'reconnecting')
    assert.equal(await callee.locator('#call-reason').textContent(), '상대방의 연결이 끊겼습니다. 기다리는 중')
    assert.equal(await caller.locator('#call-reason').textContent(), '서버와의 연결이 끊겼습니다. 다시 연결하는 중')
    await callee.screenshot({ path: join(screenshots, 'call-reconnecting-1280x800.png') })
    relay.blocked = false

    await waitCallState(caller, 'active', { ms: 25_000 })
    await waitCallState(callee, 'active')
    await waitFor(() => offers() > offersBefore, 'the caller\'s ICE-restart offer')
    const { first, last } = await waitMediaFlowing(callee, { video: false })
    assert.ok(last.audio.packetsReceived > first.audio.packetsReceived)
    assert.equal(await caller.locator('#my-id').textContent(), callerId, 'the same guest after the drop')

    // The server no longer knows the guest (purged, or away beyond its reclaim window): a new one, the same name.
    relay.refuseConnect({ code: 'voip_guest_gone', message: 'the guest is gone' }, 4503)
    await relay.drop()
    await until(caller, (old) => document.getElementById('my-id').textContent !== old && document.body.dataset.callState === 'ended',
      callerId, 'a new guest id', 20_000)
    const newId = await caller.locator('#my-id').textContent()
    assert.equal(await caller.locator('#my-name').textContent(), '정하늘')
    assert.equal(await caller.evaluate(() => document.body.dataset.callReason), 'guest_gone')
    assert.equal(await caller.locator('#notice').textContent(), '연결이 오래 끊겨 새 ID로 다시 참여했습니다')
    await caller.locator('#conn[data-state=connected]').waitFor()
    await listed(callee, newId)
    assert.deepEqual(caller.problems, [])
    assert.deepEqual(callee.problems, [])
  } finally {
    await caller.context().close()
    await callee.context().close()
  }
})

/** Polls a condition of the test process itself (not of a page); fails with `what` after `ms`. */
async function waitFor(condition, what, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const turnUrl = process.env.HEARTLINE_TURN_URL
if (turnUrl || process.env.HEARTLINE_TURN_REQUIRED === '1') {
  test('TURN: a call relayed only through TURN decodes video on both sides; a wrong or expired TURN credential gathers nothing', async () => {
    assert.ok(turnUrl, 'HEARTLINE_TURN_REQUIRED=1 needs HEARTLINE_TURN_URL (the TURN server the Heartline server was configured with)')
    const caller = await openCallPage(browser, { viewport: DESKTOP })
    const callee = await openCallPage(browser, { viewport: DESKTOP })
    try {
      await joinCall(caller, '릴레이 발신', { query: '?relay=1' })
      const calleeId = await joinCall(callee, '릴레이 수신', { query: '?relay=1' })
      await listed(caller, calleeId)
      await caller.locator(`#online li[data-id="${calleeId}"] button[data-media=video]`).click()
      await waitCallState(callee, 'incoming')
      await callee.locator('#accept').click()
      await waitCallState(caller, 'active', { ms: 30_000 })
      await waitCallState(callee, 'active', { ms: 30_000 })
      for (const [name, page] of Object.entries({ caller, callee })) {
        const { last } = await waitMediaFlowing(page, { ms: 30_000 })
        assert.equal(last.local, 'relay', `${name}'s selected pair uses its relay candidate: ${JSON.stringify(last)}`)
        assert.equal(last.remote, 'relay', `${name}'s selected pair reaches the other relay candidate: ${JSON.stringify(last)}`)
      }
      await caller.locator('#hangup').click()
      await waitCallState(callee, 'ended', { reason: 'hangup' })

      // The server's TURN entry with its real username, once with its credential and once with a wrong one.
      const guest = await admitGuest('TURN 확인')
      const { ice_servers: servers } = await iceServers(guest.token)
      const turn = servers.find((s) => [s.urls].flat().some((url) => url.startsWith('turn')))
      assert.ok(turn?.username && turn.credential, `the server hands out a TURN server with a credential: ${JSON.stringify(servers)}`)
      const gather = (server) => caller.evaluate(async (iceServer) => {
        const pc = new RTCPeerConnection({ iceServers: [iceServer], iceTransportPolicy: 'relay' })
        const candidates = []
        const errors = []
        pc.onicecandidate = (e) => e.candidate?.candidate && candidates.push(e.candidate.candidate)
        pc.onicecandidateerror = (e) => errors.push(e.errorCode)
        pc.createDataChannel('probe')
        const complete = new Promise((resolve) => {
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve(true)
        })
        await pc.setLocalDescription(await pc.createOffer())
        const done = await Promise.race([complete, new Promise((resolve) => setTimeout(() => resolve(false), 25_000))])
        pc.close()
        return { done, candidates, errors }
      }, server)
      const good = await gather({ urls: turnUrl, username: turn.username, credential: turn.credential })
      assert.ok(good.candidates.some((c) => / typ relay /.test(c)), `the right credential gathers a relay candidate: ${JSON.stringify(good)}`)
      const wrong = await gather({ urls: turnUrl, username: turn.username, credential: 'wrong' })
      assert.equal(wrong.done, true, `gathering completes with a wrong credential: ${JSON.stringify(wrong)}`)
      assert.deepEqual(wrong.candidates, [], `a wrong credential gathers no candidate: ${JSON.stringify(wrong)}`)
      // An expired one, signed with the shared secret (when the test knows it): refused too; the same scheme with a
      // future expiry is taken, so the refusal is the expiry's.
      const secret = process.env.HEARTLINE_TURN_SECRET
      if (process.env.HEARTLINE_TURN_REQUIRED === '1') assert.ok(secret, 'HEARTLINE_TURN_REQUIRED=1 needs HEARTLINE_TURN_SECRET')
      if (secret) {
        const signed = (expiry) => {
          const username = `${expiry}:${guest.guest_id}`
          return { urls: turnUrl, username, credential: createHmac('sha1', secret).update(username).digest('base64') }
        }
        const now = Math.floor(Date.now() / 1000)
        const fresh = await gather(signed(now + 600))
        assert.ok(fresh.candidates.some((c) => / typ relay /.test(c)), `a fresh signed credential gathers a relay candidate: ${JSON.stringify(fresh)}`)
        const expired = await gather(signed(now - 600))
        assert.equal(expired.done, true, `gathering completes with an expired credential: ${JSON.stringify(expired)}`)
        assert.deepEqual(expired.candidates, [], `an expired credential gathers no candidate: ${JSON.stringify(expired)}`)
      }
      assert.deepEqual(caller.problems, [])
      assert.deepEqual(callee.problems, [])
    } finally {
      await caller.context().close()
      await callee.context().close()
    }
  })
}
