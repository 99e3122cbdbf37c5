// Keeping a driver's phone listening: on duty a quiet audio loop keeps the page "playing media" (Android Chrome does
// not suspend it), the Media Session names the speaker on the lock screen, and a page the browser froze says so when
// it resumes. The service worker's app shell holds every file the driver app loads.
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

test('on duty the driver app keeps playing, names the speaker in the Media Session, and says when it was frozen', async () => {
  const office = uniqueId('o')
  const dispatcher = await openPage(browser, { viewport: DESKTOP })
  const driver = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await signIn(dispatcher, '/console/', { name: '김배차', office })
    await signIn(driver, '/driver/', { name: '박기사', office })
    await driver.locator('#duty').click()
    await until(driver, () => globalThis.heartlineKeepListening.playing === true, null, 'the quiet keep-alive audio playing')
    assert.equal(await driver.evaluate(() => navigator.mediaSession.metadata?.title), '무전 대기 중')
    assert.equal(await driver.evaluate(() => navigator.mediaSession.metadata?.artist), `r1_${office}`)

    await holdButton(dispatcher)
    await until(driver, () => navigator.mediaSession.metadata?.title === '김배차님 무전 중', null, 'the speaker on the lock screen')
    await releaseButton(dispatcher)
    await until(driver, () => navigator.mediaSession.metadata?.title === '무전 대기 중', null, 'standing by again')

    await driver.evaluate(() => {
      document.dispatchEvent(new Event('freeze'))
      document.dispatchEvent(new Event('resume'))
    })
    await until(driver, () => document.getElementById('keep-notice').textContent.startsWith('휴대폰이 앱을 잠시 멈췄습니다'), null,
      'the driver told the app was paused')

    // Offline start: every file of the app shell is served (a missing one would break the installed app).
    const missing = await driver.evaluate(async () => {
      const source = await (await fetch('/driver/sw.js')).text()
      const shell = JSON.parse(source.slice(source.indexOf('[', source.indexOf('const SHELL')), source.indexOf(']', source.indexOf('const SHELL')) + 1).replace(/'/g, '"').replace(/,\s*\]/, ']'))
      const loaded = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => /\.(js|css)$/.test(p))
      const notServed = []
      for (const path of shell) if (!(await fetch(path)).ok) notServed.push(path)
      return { notServed, notInShell: loaded.filter((p) => !shell.includes(p) && p !== '/driver/sw.js') }
    })
    assert.deepEqual(missing, { notServed: [], notInShell: [] })
    assert.deepEqual(driver.problems, [])
    assert.deepEqual(dispatcher.problems, [])
  } finally {
    await Promise.all([dispatcher.context().close(), driver.context().close()])
  }
})
