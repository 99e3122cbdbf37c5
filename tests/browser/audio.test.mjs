// Sound and microphone on the talking pages: a suspended AudioContext (no gesture yet after a reload) is shown with a
// button that turns the sound on; without a working microphone the page never claims to be talking; presses during
// the permission prompt open one microphone.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DESKTOP, PHONE, holdButton, launch, openPage, releaseButton, signIn, uniqueId, until } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('sound suspended (a reload without a gesture): a prominent button turns it on, and receiving says it is muted meanwhile', async () => {
  const office = uniqueId('o')
  const dispatcher = await openPage(browser, { viewport: DESKTOP })
  const driver = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await signIn(dispatcher, '/console/', { name: '김배차', office })
    await signIn(driver, '/driver/', { name: '박기사', office })
    assert.equal(await driver.locator('#sound').isHidden(), true, 'no button while the sound plays')
    // What a browser does to a page restored with a kept token: the context stays suspended until a gesture.
    await driver.evaluate(() => globalThis.heartline.cues.context.suspend())
    await driver.locator('#sound').waitFor()
    assert.equal(await driver.locator('#sound').textContent(), '소리 켜기')

    await holdButton(dispatcher)
    await until(driver, () => document.body.dataset.state === 'listening', null, 'the driver receiving')
    assert.equal(await driver.locator('#state-label').textContent(), '수신 중 · 소리 꺼짐')
    assert.equal(await driver.evaluate(() => document.body.dataset.muted), 'true')

    await driver.locator('#sound').click()

    await until(driver, () => globalThis.heartline.cues.context.state === 'running', null, 'the sound resumed')
    await until(driver, () => document.getElementById('sound').hidden, null, 'the button gone')
    assert.equal(await driver.locator('#state-label').textContent(), '수신 중')
    const before = await driver.evaluate(() => globalThis.heartlineAudio.played)
    await until(driver, (n) => globalThis.heartlineAudio.played > n + 5, before, 'audio played after the sound was turned on')
    await releaseButton(dispatcher)
    assert.deepEqual(driver.problems, [])
    assert.deepEqual(dispatcher.problems, [])
  } finally {
    await Promise.all([dispatcher.context().close(), driver.context().close()])
  }
})

test('a refused microphone: the floor is released at once and the error announced, never "you are talking" without a microphone', async () => {
  const office = uniqueId('o')
  const dispatcher = await openPage(browser, { viewport: DESKTOP })
  const driver = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await signIn(dispatcher, '/console/', { name: '김배차', office })
    await signIn(driver, '/driver/', { name: '박기사', office })
    await dispatcher.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
    })

    await holdButton(dispatcher)

    await until(dispatcher, () => document.getElementById('mic-error').textContent.length > 0, null, 'the microphone error')
    assert.equal(await dispatcher.locator('#mic-error').textContent(), '마이크를 사용할 수 없어 송신하지 않았습니다')
    assert.equal(await dispatcher.locator('#mic-error').getAttribute('role'), 'alert')
    await until(dispatcher, () => document.body.dataset.state === 'idle' && !globalThis.heartline.ptt.isTalking, null,
      'the console not talking while the button is still held')
    assert.notEqual(await dispatcher.locator('#speaker-suffix').textContent(), '내가 말하는 중')
    await until(driver, () => document.body.dataset.state === 'idle' && globalThis.heartline.ptt.session === null, null,
      'the session over on the driver')
    await releaseButton(dispatcher)
    assert.deepEqual(dispatcher.problems, [])
    assert.deepEqual(driver.problems, [])
  } finally {
    await Promise.all([dispatcher.context().close(), driver.context().close()])
  }
})

test('the microphone ends while talking: transmission stops with an announced error; the next press opens it again', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  try {
    await signIn(page, '/console/', { office: uniqueId('o') })
    await holdButton(page)
    await until(page, () => document.body.dataset.state === 'talking' && globalThis.heartlineAudio.sent >= 5, null, 'talking with audio')

    // Unplugged or taken by the system: the track ends by itself (stop() alone fires no event).
    await page.evaluate(() => {
      const track = globalThis.heartline.capture.track
      track.stop()
      track.dispatchEvent(new Event('ended'))
    })

    await until(page, () => document.body.dataset.state === 'idle' && !globalThis.heartline.ptt.isTalking, null, 'transmission stopped')
    assert.equal(await page.locator('#mic-error').textContent(), '마이크가 끊겨 송신을 멈췄습니다')
    await releaseButton(page)

    const sent = await page.evaluate(() => globalThis.heartlineAudio.sent)
    await holdButton(page)
    await until(page, (n) => document.body.dataset.state === 'talking' && globalThis.heartlineAudio.sent >= n + 10, sent,
      'talking with audio from a reopened microphone')
    assert.equal(await page.locator('#mic-error').textContent(), '')
    assert.equal(await page.evaluate(() => globalThis.heartline.capture.track.readyState), 'live')
    assert.equal(await page.evaluate(() => globalThis.heartlineAudio.micOpens), 2)
    await releaseButton(page)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('press, release and press again while the microphone permission is pending: one microphone, one capture graph', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  try {
    await signIn(page, '/console/', { office: uniqueId('o') })
    // The permission prompt stays up for a while.
    await page.evaluate(() => {
      const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices)
      globalThis.micRequests = 0
      navigator.mediaDevices.getUserMedia = (constraints) => {
        globalThis.micRequests++
        return new Promise((resolve) => setTimeout(resolve, 1500)).then(() => open(constraints))
      }
    })

    await holdButton(page)
    await until(page, () => document.body.dataset.state === 'talking', null, 'the first press granted')
    await releaseButton(page)
    await until(page, () => document.body.dataset.state === 'idle', null, 'released')
    await holdButton(page)
    await until(page, () => document.body.dataset.state === 'talking', null, 'the second press granted')

    await until(page, () => globalThis.heartlineAudio.sent >= 25, null, 'audio sent', 15_000)
    const { requests, opens, captured, sent } = await page.evaluate(() => ({
      requests: globalThis.micRequests, opens: globalThis.heartlineAudio.micOpens, captured: globalThis.heartlineAudio.captured,
      sent: globalThis.heartlineAudio.sent,
    }))
    assert.equal(requests, 1, 'one getUserMedia for both presses')
    assert.equal(opens, 1)
    // Two worklets feeding one encoder would capture twice as many 20 ms blocks as were sent.
    assert.ok(captured <= sent + 10, `captured ${captured} blocks for ${sent} packets`)
    await releaseButton(page)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('a phone browser without WebCodecs\' AudioDecoder (Firefox, many iPhones) decodes the relay\'s Opus in WebAssembly', async () => {
  const office = uniqueId('o')
  const dispatcher = await openPage(browser, { viewport: DESKTOP })
  const driver = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    // What such a browser lacks, before any of the page's scripts run.
    await driver.addInitScript(() => { delete globalThis.AudioDecoder })
    await signIn(dispatcher, '/console/', { name: '김배차', office })
    await signIn(driver, '/driver/', { name: '박기사', office })
    assert.equal(await driver.evaluate(() => typeof globalThis.AudioDecoder), 'undefined')

    await holdButton(dispatcher)
    await until(driver, () => document.body.dataset.state === 'listening', null, 'the driver receiving')
    await until(driver, () => globalThis.heartlineAudio.decoder === 'wasm' && globalThis.heartlineAudio.decoded >= 10
      && globalThis.heartlineAudio.peak > 0.05, null, 'ten decoded, non-silent frames from the WebAssembly decoder', 20_000)
    await releaseButton(dispatcher)
    const stats = await driver.evaluate(() => globalThis.heartlineAudio)
    assert.deepEqual(stats.errors, [])
    assert.ok(stats.played > 0, `played: ${JSON.stringify(stats)}`)
    assert.deepEqual(driver.problems, [])
    assert.deepEqual(dispatcher.problems, [])
  } finally {
    await Promise.all([dispatcher.context().close(), driver.context().close()])
  }
})

test('a browser without WebCodecs\' AudioEncoder: pressing says plainly that it cannot talk here, and releases the floor', async () => {
  const office = uniqueId('o')
  const driver = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await driver.addInitScript(() => { delete globalThis.AudioEncoder })
    await signIn(driver, '/driver/', { name: '박기사', office })
    await holdButton(driver)
    await until(driver, () => document.getElementById('mic-error').textContent.startsWith('이 브라우저에서는 말할 수 없습니다'), null,
      'the message that this browser cannot talk')
    await releaseButton(driver)
    await until(driver, () => document.body.dataset.state !== 'talking', null, 'not talking')
    assert.notEqual(await driver.evaluate(() => document.body.dataset.state), 'talking')
    assert.deepEqual(driver.problems, [])
  } finally {
    await driver.context().close()
  }
})
