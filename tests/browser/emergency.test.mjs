// An emergency from the road: the driver raises it with two presses (no dialog), the console and the dashboard show it
// (the console with the emergency cue and an acknowledge button), and the acknowledgement clears it everywhere.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DESKTOP, PHONE, launch, openPage, signIn, uniqueId, until } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('a driver raises an emergency; the console hears the emergency cue and acknowledges it', async () => {
  const office = uniqueId('o')
  const dispatcher = await openPage(browser, { viewport: DESKTOP })
  const driver = await openPage(browser, { viewport: PHONE, phone: true })
  const dashboard = await openPage(browser, { viewport: DESKTOP })
  try {
    await signIn(dispatcher, '/console/', { name: '김배차', office })
    await signIn(driver, '/driver/', { name: '박기사', office })
    await signIn(dashboard, '/dashboard/', { name: '관리자', office, role: 'admin', listening: false })

    await driver.locator('#emergency').click()
    assert.equal(await driver.locator('#emergency').textContent(), '한 번 더 누르면 긴급 호출')
    assert.equal(await dispatcher.locator('#emergencies li').count(), 0, 'one press raises nothing')
    await driver.locator('#emergency').click()

    await until(dispatcher, () => document.querySelector('#emergencies li span')?.textContent === '긴급 호출: 박기사', null, 'the emergency on the console')
    const cue = await until(dispatcher, () => globalThis.heartlineCueLog.find((c) => c.type === 'emergency'), null, 'the emergency cue')
      .then((handle) => handle.jsonValue())
    assert.equal(cue.sound, 'emergency')
    assert.deepEqual(cue.vibrate, [500, 200, 500, 200, 500])
    assert.equal(cue.speech, '긴급 호출입니다. 박기사님이 긴급 호출을 보냈습니다')
    await until(driver, () => document.getElementById('notice').textContent.startsWith('긴급 호출을 보냈습니다'), null, 'the driver told it was sent')
    assert.equal(await driver.locator('#emergencies li button.ack').count(), 0, 'a driver cannot acknowledge')
    await until(dashboard, () => document.querySelector('#emergencies li span')?.textContent.includes('긴급 호출: 박기사'), null,
      'the emergency on the dashboard')

    await dispatcher.locator('#emergencies li button.ack').click()
    await until(dispatcher, () => document.querySelectorAll('#emergencies li').length === 0, null, 'the emergency cleared on the console')
    await until(driver, () => document.querySelectorAll('#emergencies li').length === 0
      && document.getElementById('notice').textContent === '김배차님이 긴급 호출을 확인했습니다', null, 'the driver told it was acknowledged')
    await until(dashboard, () => document.querySelectorAll('#emergencies li').length === 0, null, 'the emergency cleared on the dashboard')
    assert.deepEqual(driver.problems, [])
    assert.deepEqual(dispatcher.problems, [])
    assert.deepEqual(dashboard.problems, [])
  } finally {
    await Promise.all([dispatcher.context().close(), driver.context().close(), dashboard.context().close()])
  }
})
