// Texts of the pages in both languages: every end reason the server sends has a Korean and an English label (an
// unknown one a generic label, never the raw key), and the webinar viewer tells a waiting page apart from an error.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DESKTOP, launch, openPage } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** The `reason` codes of session_ended, floor_revoked and participant_left (docs/protocol.md section 10). */
const REASONS = ['released', 'disconnected', 'lease_expired', 'max_duration', 'preempted', 'server_restart', 'stale_cleaned',
  'node_lost', 'heartbeat_lost', 'ended_by_operator', 'emergency']

test('end reasons: every reason the server sends has its own Korean and English label; an unknown one a generic label', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  try {
    await page.goto('/')
    const labels = await page.evaluate(async (reasons) => {
      const i18n = await import('/app/i18n.js')
      const out = {}
      for (const language of ['ko', 'en']) {
        i18n.setLang(language)
        out[language] = Object.fromEntries([...reasons, 'some_future_reason'].map((r) => [r, i18n.reasonLabel(r)]))
      }
      i18n.setLang('ko')
      return out
    }, REASONS)
    for (const language of ['ko', 'en']) {
      for (const reason of REASONS) {
        const label = labels[language][reason]
        assert.ok(label && !label.startsWith('reason.') && label !== labels[language].some_future_reason,
          `${language} label of ${reason}: ${label}`)
      }
      assert.equal(labels[language].some_future_reason, language === 'ko' ? '기타' : 'other')
    }
    assert.equal(labels.ko.heartbeat_lost, '신호 끊김')
    assert.equal(labels.ko.node_lost, '서버 노드 중단')
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})

test('webinar viewer: a page opened hidden waits (its own text, not an error) and starts tracking nothing yet', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  try {
    // A tab opened in the background: hidden until shown.
    await page.addInitScript(() => {
      Object.defineProperty(Document.prototype, 'visibilityState', { get: () => 'hidden', configurable: true })
      Object.defineProperty(Document.prototype, 'hidden', { get: () => true, configurable: true })
    })
    const tracked = []
    page.on('request', (r) => r.url().includes('/access/track') && tracked.push(r.url()))
    await page.goto('/webinar/?lang=ko')
    await page.locator('#webinar-id').fill('w-waiting')
    await page.locator('#exit-on-hidden').selectOption('true')
    await page.locator('#start').click()

    const item = page.locator('#log li').first()
    await item.waitFor()
    assert.match(await item.textContent(), /화면이 보이면 시청 기록을 시작합니다$/)
    assert.equal(await item.getAttribute('class'), null, 'the waiting entry is not marked as an error')
    assert.equal(await page.locator('#state').textContent(), '대기 중 (화면 숨김)')
    assert.deepEqual(tracked, [])
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})
