// Sound and microphone on the talking pages: a suspended AudioContext (no gesture yet after a reload) is shown with a
// button that turns the sound on.
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
