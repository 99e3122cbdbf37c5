// Shared helpers of the browser tests: Debian's Chromium through playwright-core (never a downloaded browser), pages
// signed in through their own development-token forms, and bounded waits. HEARTLINE_URL is the server under test.
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const baseUrl = process.env.HEARTLINE_URL?.replace(/\/$/, '')
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const screenshots = join(root, 'artifacts', 'screenshots')
export const XSS = '<img src=x onerror=alert(1)>'
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 390, height: 844 }

const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`
let next = 0

/** An id no other test or run uses (offices, users). */
export function uniqueId(prefix) {
  return `${prefix}-${runId}-${++next}`
}

export async function launch() {
  if (!baseUrl) throw new Error('HEARTLINE_URL is not set: run these tests through BrowserTests, or start a server and set it')
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: apt-get install chromium (./test.sh does)`)
  mkdirSync(screenshots, { recursive: true })
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      // Cues are Web Audio: a test page has had no user gesture before the session's first cue.
      '--autoplay-policy=no-user-gesture-required',
    ],
  })
}

/**
 * A fresh page (own context: own storage) that records what must never happen: script errors and dialogs (an
 * injected `onerror=alert(1)` would open one).
 */
export async function openPage(browser, { viewport = DESKTOP, phone = false, locale = 'ko-KR', permissions = ['microphone'] } = {}) {
  const context = await browser.newContext({
    viewport, locale, baseURL: baseUrl, hasTouch: phone, isMobile: phone, deviceScaleFactor: 1, permissions,
  })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  page.problems = []
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`))
  // The server's content security policy allows this origin's scripts only: a violation is a page that breaks.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) page.problems.push(`csp: ${msg.text()}`)
  })
  page.on('dialog', (dialog) => {
    page.problems.push(`dialog: ${dialog.type()} ${dialog.message()}`)
    dialog.dismiss().catch(() => {})
  })
  return page
}

/** Opens `path` and signs in with the page's development token form; resolves once the page is connected (and, unless `listening` is false, listening). */
export async function signIn(page, path, { userId = uniqueId('u'), name, region = 'r1', office, role, listening = true } = {}) {
  await page.goto(path)
  const form = page.locator('#dev-signin')
  await form.waitFor()
  await form.locator('[name=user_id]').fill(userId)
  await form.locator('[name=name]').fill(name ?? userId)
  await form.locator('[name=region_id]').fill(region)
  await form.locator('[name=office_id]').fill(office)
  if (role) await form.locator('[name=role]').selectOption(role)
  await form.locator('button[type=submit]').click()
  await page.locator('#conn[data-state=connected]').waitFor()
  // A talking page listens once it has subscribed to its office, a moment after connecting.
  if (listening) await page.waitForFunction(() => document.body.dataset.state !== 'not_listening', null, { polling: 50 })
  return { userId, name: name ?? userId, office: `${region}_${office}` }
}

/** Polls `fn` in the page until it returns a truthy value; fails with `what` after `ms`. */
export async function until(page, fn, arg, what, ms = 10_000) {
  try {
    return await page.waitForFunction(fn, arg, { timeout: ms, polling: 50 })
  } catch (err) {
    throw new Error(`${what} did not happen within ${ms} ms (${err.message.split('\n')[0]})`)
  }
}

/** Holds the mouse down on the centre of `selector` (the PTT button). */
export async function holdButton(page, selector = '#ptt') {
  const box = await page.locator(selector).boundingBox()
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
}

export async function releaseButton(page) {
  await page.mouse.up()
}

/**
 * Checks that `selector` lies fully inside the viewport and that nothing covers it: the element at its centre and
 * just inside each corner is the button or one of its children. Returns the failures (empty when fine).
 */
export async function coverageProblems(page, selector = '#ptt') {
  return page.evaluate((sel) => {
    const button = document.querySelector(sel)
    if (!button) return [`${sel} is missing`]
    const r = button.getBoundingClientRect()
    const problems = []
    if (r.width < 120 || r.height < 120) problems.push(`${sel} is small: ${r.width}×${r.height}`)
    if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) {
      problems.push(`${sel} is not fully visible: ${JSON.stringify(r)} in ${innerWidth}×${innerHeight}`)
    }
    const inset = 14
    const points = {
      center: [r.left + r.width / 2, r.top + r.height / 2],
      topLeft: [r.left + inset, r.top + inset],
      topRight: [r.right - inset, r.top + inset],
      bottomLeft: [r.left + inset, r.bottom - inset],
      bottomRight: [r.right - inset, r.bottom - inset],
    }
    for (const [name, [x, y]] of Object.entries(points)) {
      const hit = document.elementFromPoint(x, y)
      if (!hit || !(hit === button || button.contains(hit))) {
        problems.push(`${name} (${Math.round(x)},${Math.round(y)}) hits ${hit ? hit.tagName + (hit.id ? '#' + hit.id : '') + '.' + hit.className : 'nothing'}`)
      }
    }
    if (document.documentElement.scrollWidth > innerWidth + 1) {
      problems.push(`horizontal overflow: ${document.documentElement.scrollWidth} > ${innerWidth}`)
    }
    return problems
  }, selector)
}

/** Every image element whose source is the injected `x`: there must be none. */
export function injectedImages(page) {
  return page.evaluate(() => document.querySelectorAll('img[src="x"], img[src$="/x"]').length)
}
