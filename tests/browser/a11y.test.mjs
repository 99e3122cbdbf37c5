// The talking pages with a screen reader: the PTT button works with an activation that cannot hold (a click no
// pointer made), and the live regions announce state changes only, never the running timer.
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

/** What TalkBack's double-tap or NVDA's activation does: a click event no pointer made (detail 0). */
const activate = (page) => page.evaluate(() => document.getElementById('ptt').click())

test('a screen reader\'s activation (a click without a pointer) latches a transmission; the next one ends it', async () => {
  const page = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await signIn(page, '/driver/', { office: uniqueId('o') })

    await activate(page)

    await until(page, () => document.body.dataset.state === 'talking', null, 'talking after the activation')
    assert.equal(await page.locator('#ptt-label').textContent(), '다시 누르면 송신 종료')
    assert.equal(await page.locator('#ptt').getAttribute('aria-pressed'), 'true')
    const sent = await page.evaluate(() => globalThis.heartlineAudio.sent)
    await until(page, (n) => globalThis.heartlineAudio.sent >= n + 25, sent, 'still sending a second later')
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'talking')

    await activate(page)

    await until(page, () => document.body.dataset.state === 'idle', null, 'stopped by the next activation')
    assert.equal(await page.locator('#ptt-label').textContent(), '누르고 말하기')
    assert.equal(await page.locator('#ptt').getAttribute('aria-pressed'), 'false')
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('the Space bar on the focused button still holds to talk: its key click latches nothing', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  try {
    await signIn(page, '/console/', { office: uniqueId('o') })
    await page.locator('#ptt').focus()

    await page.keyboard.down('Space')
    await until(page, () => document.body.dataset.state === 'talking', null, 'talking while Space is held')
    assert.equal(await page.locator('#ptt-label').textContent(), '떼면 송신 종료')
    await page.keyboard.up('Space')
    await until(page, () => document.body.dataset.state === 'idle', null, 'stopped when Space is released')
    await page.keyboard.press('Enter')
    await page.waitForTimeout(600)
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle', 'no latched transmission')
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

/** Records every change inside the page's live regions (aria-live other than off, status, alert, log). */
function watchLiveRegions(page) {
  return page.evaluate(() => {
    globalThis.liveChanges = []
    const regions = document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role=status], [role=alert], [role=log]')
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        const region = r.target.nodeType === 1 ? r.target : r.target.parentElement
        globalThis.liveChanges.push({ id: region.closest('[id]')?.id, text: region.textContent })
      }
    })
    for (const region of regions) observer.observe(region, { childList: true, characterData: true, subtree: true })
  })
}

for (const [app, viewport] of [['console', DESKTOP], ['driver', PHONE]]) {
  test(`${app}: the timer is outside every live region, and while talking nothing announced changes but the state`, async () => {
    const page = await openPage(browser, { viewport, phone: viewport === PHONE })
    try {
      await signIn(page, `/${app}/`, { office: uniqueId('o') })
      const live = await page.evaluate(() => {
        const timer = document.getElementById('timer')
        return {
          inRegion: timer.closest('[aria-live]:not([aria-live="off"]), [role=status], [role=alert], [role=log]')?.id ?? null,
          role: timer.getAttribute('role'),
          ariaLive: timer.getAttribute('aria-live'),
        }
      })
      assert.deepEqual(live, { inRegion: null, role: 'timer', ariaLive: 'off' })
      await watchLiveRegions(page)

      await activate(page)
      await until(page, () => document.body.dataset.state === 'talking' && document.getElementById('timer').textContent === '0:01',
        null, 'talking for a second')
      const announced = await page.evaluate(() => globalThis.liveChanges.splice(0))
      assert.ok(announced.some((c) => c.id === 'announce' && c.text === '송신 중, 내가 말하는 중'), JSON.stringify(announced))
      await until(page, () => document.getElementById('timer').textContent === '0:03', null, 'talking for three seconds', 5000)

      assert.deepEqual(await page.evaluate(() => globalThis.liveChanges), [], 'the running timer and re-renders announced nothing')
      await activate(page)
      await until(page, () => document.body.dataset.state === 'idle', null, 'stopped')
      const after = await page.evaluate(() => globalThis.liveChanges.filter((c) => c.id === 'announce').map((c) => c.text))
      assert.deepEqual(after, ['대기 중'])
      assert.deepEqual(page.problems, [])
    } finally {
      await page.context().close()
    }
  })
}
