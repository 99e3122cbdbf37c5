// The dashboard's reports panel: an office's kept daily report (seeded by BrowserTests as the generator keeps it, since
// a test cannot wait for midnight) is listed with its figures and downloads as a UTF-8 CSV.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { launch, openPage, signIn } from './helpers.mjs'

const office = process.env.HEARTLINE_REPORT_OFFICE
let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('dashboard: an office\'s daily report is listed and downloads as CSV', async () => {
  assert.ok(office, 'HEARTLINE_REPORT_OFFICE names the seeded office: run these tests through BrowserTests')
  const [region, id] = office.split('_')
  const page = await openPage(browser)
  await signIn(page, '/dashboard/', { region, office: id, role: 'admin', listening: false })
  await page.locator(`#report-office option[value="${office}"]`).waitFor({ state: 'attached' })
  await page.selectOption('#report-office', office)
  const row = page.locator('#reports tbody tr').first()
  await row.waitFor()
  const cells = await row.locator('td').allTextContents()
  assert.deepEqual(cells.slice(0, 6), ['일간', '2026-12-01', '12', '34.5', '7.14%', '4 / 6'])

  const [download] = await Promise.all([page.waitForEvent('download'), row.locator('button[data-action=csv]').click()])
  assert.equal(download.suggestedFilename(), `ptt-${office}-day-2026-12-01.csv`)
  const bytes = await readFile(await download.path())
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark for spreadsheet programs')
  const [header, values] = bytes.subarray(3).toString('utf8').trim().split('\r\n')
  assert.ok(header.startsWith('office,period,start,end,time_zone,sessions,talk_minutes'), header)
  assert.ok(values.startsWith(`${office},day,2026-12-01,2026-12-02,Asia/Seoul,12,34.5`), values)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
