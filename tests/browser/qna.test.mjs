// The Q&A app (/qna/, on /sdk/qna.js) in real Chromium against the real server, with emulated geolocation: an asker in
// 애월, a neighbour 1 km away told at once (tier 1), one 4 km away only by the 3-second tier, one in 성산 not at all
// (another region); typing and read state reach the other side; accepting credits points; a question that looks like
// HTML stays text; a user who refuses geolocation picks a neighbourhood; screenshots at 390×844 and 1280×800.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { DESKTOP, PHONE, XSS, injectedImages, launch, openPage, screenshots, signIn, uniqueId, until } from './helpers.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

const AEWOL = { latitude: 33.463, longitude: 126.331 }
const ONE_KM = { latitude: 33.463, longitude: 126.342 }
const FOUR_KM = { latitude: 33.463, longitude: 126.374 }
const SEONGSAN = { latitude: 33.458, longitude: 126.9425 }

/** A signed-in Q&A page at `where` (geolocation granted), located (its location stored on the server). */
async function located(where, { viewport = DESKTOP, phone = false, name } = {}) {
  const page = await openPage(browser, { viewport, phone, permissions: ['geolocation'] })
  await page.context().setGeolocation(where)
  const user = await signIn(page, '/qna/', { userId: uniqueId('qna'), name, office: 'o1', listening: false })
  await page.locator('#where[data-state=gps]').waitFor()
  return { page, ...user }
}

test('a question in 애월: the neighbour 1 km away is told at once, 4 km only at 3 s, 성산 not at all; typing, read state, accept', async () => {
  const asker = await located(AEWOL, { viewport: PHONE, phone: true, name: '질문자' })
  const near = await located(ONE_KM, { name: '이웃 김씨' })
  const far = await located(FOUR_KM, { name: '이웃 박씨' })
  const seongsan = await located(SEONGSAN, { name: '성산 주민' })
  try {
    await asker.page.locator('#ask-body').fill(`한담해변 주차 어디가 좋아요? ${XSS}`)
    await asker.page.locator('#ask-tags').fill('#주차 애월')
    await asker.page.locator('#ask button[type=submit]').click()
    await asker.page.locator('body[data-view=room]').waitFor()

    await near.page.locator('#cue[data-tier="1"]').waitFor()
    assert.equal(await far.page.locator('#cue').isHidden(), true, 'the 4 km neighbour is not told by tier 1')
    await far.page.locator('#cue[data-tier="2"]').waitFor()
    assert.equal(await seongsan.page.locator('#cue').isHidden(), true, '성산 is another region')
    // The neighbour's list shows it, with its distance, as text.
    const item = near.page.locator('#nearby li').first()
    await until(near.page, () => document.querySelectorAll('#nearby li[data-question-id]').length > 0, null, 'nearby list filled')
    assert.match(await item.locator('.body').textContent(), /<img src=x onerror=alert\(1\)>/)
    assert.match(await item.locator('.distance').textContent(), /^(9\d\d|1\d{3})m$|^1\.\dkm$/)
    assert.equal(await injectedImages(near.page), 0)

    // The neighbour opens the question from the cue and types: the asker sees it.
    await near.page.locator('#cue').click()
    await near.page.locator('body[data-view=room]').waitFor()
    // The asker sees who has the question open.
    await until(asker.page, () => document.getElementById('viewers').textContent.includes('이웃 김씨'), null, 'the neighbour shown in the room')
    await near.page.locator('#answer-body').pressSequentially('한담 공영', { delay: 20 })
    await until(asker.page, () => document.getElementById('typing').textContent.includes('이웃 김씨'), null, 'typing shown to the asker')
    await near.page.locator('#answer-body').pressSequentially('주차장이 가까워요', { delay: 5 })
    await near.page.locator('#answer button[type=submit]').click()
    // The asker's page is on screen: the answer is read there, and the neighbour sees it read.
    await asker.page.locator('#answers li[data-answer-id]').waitFor()
    await until(asker.page, () => document.getElementById('typing').textContent === '', null, 'typing ended on the asker side')
    await near.page.locator('#answers li[data-answer-id][data-state=read]').waitFor()
    await asker.page.screenshot({ path: join(screenshots, 'qna-room-phone-390x844.png'), fullPage: true })

    // Accepting credits the neighbour's points.
    await asker.page.locator('#answers button.accept').click()
    await until(near.page, () => document.getElementById('points').textContent === '10', null, 'points credited')
    await asker.page.locator('#question-status[data-status=accepted]').waitFor()
    await near.page.locator('a.back').first().click()
    await near.page.locator('body[data-view=list]').waitFor()
    await until(asker.page, () => document.getElementById('viewers').dataset.count === '0', null, 'the neighbour left the room')
    await near.page.screenshot({ path: join(screenshots, 'qna-list-desktop-1280x800.png'), fullPage: true })
    for (const p of [asker.page, near.page, far.page, seongsan.page]) assert.deepEqual(p.problems, [])
  } finally {
    for (const p of [asker.page, near.page, far.page, seongsan.page]) await p.context().close()
  }
})

test('without geolocation the user picks a neighbourhood, and an urgent question gives the strong cue', async () => {
  const page = await openPage(browser, { viewport: PHONE, phone: true, permissions: [] })
  const local = await located({ latitude: 33.2493, longitude: 126.5627 }, { name: '서귀포 주민' })
  try {
    await signIn(page, '/qna/', { userId: uniqueId('qna'), office: 'o1', listening: false })
    await page.locator('#where[data-state=denied]').waitFor()
    await until(page, () => document.querySelectorAll('#region option').length === 12, null, 'the 11 regions listed')
    await page.locator('#region').selectOption('seogwipo')
    await page.locator('#where[data-state=region]').waitFor()
    assert.match(await page.locator('#where').textContent(), /서귀포/)
    await page.locator('#ask-body').fill('약국 지금 여는 곳?')
    await page.locator('#ask-urgent').check()
    await page.locator('#ask button[type=submit]').click()
    await local.page.locator('#cue[data-priority=high]').waitFor()
    assert.match(await local.page.locator('#cue').textContent(), /긴급/)
    assert.deepEqual(page.problems, [])
    assert.deepEqual(local.page.problems, [])
  } finally {
    await page.context().close()
    await local.page.context().close()
  }
})

test('the operators dashboard shows the response rates, the 11 regions and the questions waiting too long', async () => {
  const page = await openPage(browser, { viewport: DESKTOP })
  try {
    await signIn(page, '/qna/admin/', { userId: uniqueId('ops'), office: 'o1', listening: false })
    await until(page, () => document.querySelectorAll('#regions tbody tr').length === 11, null, 'the 11 regions listed')
    assert.match(await page.locator('#regions tbody tr[data-region=aewol] td').first().textContent(), /애월/)
    assert.match(await page.locator('#within10').textContent(), /^(—|\d+(\.\d)?%)$/)
    await page.screenshot({ path: join(screenshots, 'qna-admin-desktop-1280x800.png'), fullPage: true })
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
  }
})
