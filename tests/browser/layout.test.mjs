// Every page at a desktop (1280×800) and a phone (390×844) viewport: a screenshot under artifacts/screenshots, the PTT
// button fully visible with nothing over it, no sideways scrolling. Also: the language switch and the installable
// driver app (manifest, service worker caching the shell).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { DESKTOP, PHONE, coverageProblems, launch, openPage, screenshots, signIn, uniqueId, until } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const PAGES = [
  { name: 'home', path: '/' },
  { name: 'console', path: '/console/', ptt: true },
  { name: 'driver', path: '/driver/', ptt: true, duty: true },
  { name: 'dashboard', path: '/dashboard/', role: 'admin' },
]

for (const viewport of [DESKTOP, PHONE]) {
  for (const spec of PAGES) {
    const size = `${viewport.width}x${viewport.height}`
    test(`${spec.name} at ${size}: screenshot, ${spec.ptt ? 'PTT button fully visible and uncovered, ' : ''}no sideways scroll`, async () => {
      const page = await openPage(browser, { viewport, phone: viewport === PHONE })
      try {
        if (spec.path === '/') await page.goto('/')
        else await signIn(page, spec.path, { name: '김기사', office: uniqueId('o'), role: spec.role })
        if (spec.duty) await page.locator('#duty').click()
        // The lists fill in after connecting: the screenshot shows the page settled.
        if (spec.ptt) await page.locator('#members li[data-user]').first().waitFor()
        if (spec.name === 'dashboard') await page.locator('#offices tbody tr').first().waitFor()
        await page.evaluate(() => document.fonts.ready)
        await page.screenshot({ path: join(screenshots, `${spec.name}-${size}.png`) })

        if (spec.ptt) assert.deepEqual(await coverageProblems(page), [])
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)
        assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow} px`)
        if (spec.name === 'dashboard' && viewport === DESKTOP) {
          // Every column of the per-office table, the latencies last, is on screen without scrolling the table, also
          // with the widest a row gets: a copy of the real row with a 64-character office key and speaker name and
          // five-digit latencies.
          const cut = await page.evaluate(() => {
            const row = document.querySelector('#offices tbody tr')
            const widest = row.cloneNode(true)
            const cells = ['r'.repeat(30) + '_' + 'o'.repeat(33), '송신 중: ' + '김'.repeat(64), '12345', '12345', '12345.6', '1234.5',
              '12345', '100.0%', '12345.6 / 12345.6', '12345.6 / 12345.6']
            widest.querySelectorAll('td').forEach((td, i) => { td.textContent = cells[i] })
            row.after(widest)
            const wrap = document.querySelector('#offices').parentElement
            return wrap.scrollWidth - wrap.clientWidth
          })
          assert.ok(cut <= 1, `the per-office table is cut by ${cut} px at ${size}`)
        }
        assert.deepEqual(page.problems, [])
      } finally {
        await page.context().close()
      }
    })
  }
}

test('the sign-in form also fits the phone', async () => {
  const page = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await page.goto('/driver/')
    await page.locator('#dev-signin').waitFor()
    await page.screenshot({ path: join(screenshots, 'driver-signin-390x844.png') })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow} px`)
  } finally {
    await page.context().close()
  }
})

test('language: an English browser gets English, the switch turns it Korean, and the choice is kept', async () => {
  const page = await openPage(browser, { viewport: PHONE, phone: true, locale: 'en-US' })
  try {
    await signIn(page, '/driver/', { office: uniqueId('o') })
    assert.equal(await page.locator('#ptt-label').textContent(), 'Hold to talk')
    assert.equal(await page.locator('#state-label').textContent(), 'Standing by')

    await page.locator('#lang').click()

    assert.equal(await page.locator('#ptt-label').textContent(), '누르고 말하기')
    assert.equal(await page.locator('#state-label').textContent(), '대기 중')
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko')
    await page.reload()
    await page.locator('#conn[data-state=connected]').waitFor()
    assert.equal(await page.locator('#ptt-label').textContent(), '누르고 말하기')
  } finally {
    await page.context().close()
  }
})

test('the driver app is installable: a manifest with icons, a service worker that caches the app shell, the wake lock asked on duty', async () => {
  const page = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await signIn(page, '/driver/', { office: uniqueId('o') })
    await page.locator('#duty').click()

    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel=manifest]').href
      return (await fetch(href)).json()
    })
    assert.equal(manifest.start_url, '/driver/')
    assert.equal(manifest.display, 'standalone')
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512'))
    const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.scope))
    assert.ok(scope.endsWith('/driver/'), scope)
    const cached = await until(page, async () => {
      const keys = await (await caches.open('heartline-driver-v2')).keys()
      return keys.length >= 18 && keys.map((k) => new URL(k.url).pathname)
    }, null, 'the app shell cached')
    const paths = await cached.jsonValue()
    for (const path of ['/driver/', '/sdk/ptt.js', '/app/talk.js', '/sdk/accounts.js', '/driver/keep-listening.js']) assert.ok(paths.includes(path), `${path} cached`)
    const wake = await page.evaluate(() => globalThis.heartlineWakeLock)
    assert.ok(!wake.supported || wake.requested > 0, `wake lock: ${JSON.stringify(wake)}`)
  } finally {
    await page.context().close()
  }
})

test('the driver app\'s service worker goes to the network past the HTTP cache: a deployment never mixes old SDK files with a new page', async () => {
  const page = await openPage(browser, { viewport: PHONE, phone: true })
  try {
    await signIn(page, '/driver/', { office: uniqueId('o') })
    await page.evaluate(() => navigator.serviceWorker.ready)
    await until(page, () => navigator.serviceWorker.controller !== null
      || new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true))), null, 'the page controlled by the service worker')
    const fromWorker = []
    page.context().on('request', (request) => {
      if (request.serviceWorker() && new URL(request.url()).pathname === '/sdk/ptt.js') fromWorker.push(request.allHeaders())
    })

    await page.reload()
    await page.locator('#conn[data-state=connected]').waitFor()

    // A module the page loaded before is in the HTTP cache: the worker's fetch must revalidate it with the server
    // (cache mode no-cache: Cache-Control max-age=0 and a conditional request), not take the cached copy as fresh.
    const headers = await Promise.all(fromWorker)
    assert.ok(headers.some((h) => h['cache-control'] === 'max-age=0' || h['cache-control'] === 'no-cache'),
      `the worker fetched /sdk/ptt.js from the network: ${JSON.stringify(headers)}`)
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})
