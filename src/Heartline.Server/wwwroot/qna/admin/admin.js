// The Q&A operators' dashboard (/qna/admin/): open questions, the seed's response rates (answered within 1, 5 and 10
// minutes), queue depth, per-region mean time to a first answer, and questions unanswered for 10 minutes — refreshed
// every 10 s and at once on a `slow_response` alert (channel qna:admin). Administrators only. Tests read
// #slow li[data-question-id], #within10 and document.body.dataset.alerts.
import { $, h, replace, setText } from '/app/dom.js'
import { languageSwitch } from '/app/i18n.js'
import { followConnection, signOut, startSession } from '/app/session.js'
import { applyTexts, lang, onLanguage, t } from '../i18n.js'

const REFRESH_MS = 10_000
let overview = null
let alerts = 0

applyTexts()
languageSwitch($('lang'))
onLanguage(() => render())

const { token, client } = await startSession({ app: 'qna-admin', roles: ['admin'], container: $('signin'), appType: 'dashboard' })
followConnection(client, 'qna-admin', $('conn'), t)
await client.connect()
await client.subscribe('qna:admin', ({ data }) => {
  if (data.type !== 'slow_response') return
  alerts++
  document.body.dataset.alerts = String(alerts)
  setText($('announce'), `${t('qna.admin.slow')}: ${data.question.body}`)
  refresh()
})
$('app').hidden = false
await refresh()
setInterval(refresh, REFRESH_MS)

async function refresh() {
  const response = await fetch('/api/qna/admin/overview?hours=24', { headers: { authorization: `Bearer ${token}` } })
  if (response.status === 401) return signOut('qna-admin', 'expired')
  if (!response.ok) return
  overview = await response.json()
  render()
}

function render() {
  if (!overview) return
  setText($('open'), String(overview.open_questions))
  setText($('within1'), percent(overview.answered_within1_min_rate))
  setText($('within5'), percent(overview.answered_within5_min_rate))
  setText($('within10'), percent(overview.answered_within10_min_rate))
  setText($('queue'), `${overview.pending_jobs} · ${overview.web_push_queued}`)
  const slow = $('slow')
  if (!overview.slow.length) replace(slow, h('li', { class: 'empty' }, t('qna.admin.none')))
  else {
    replace(slow, overview.slow.map((q) => h('li', { 'data-question-id': q.id, 'data-urgency': q.urgency },
      q.urgency === 'urgent' ? h('span', { class: 'urgent-badge' }, t('qna.urgent')) : null,
      h('p', { class: 'body' }, q.body),
      h('div', { class: 'meta' }, h('span', {}, regionName(q.region)), h('span', {}, waited(q.created_at)), h('span', {}, q.asker_name)))))
  }
  replace($('regions').querySelector('tbody'), overview.regions.map((r) => h('tr', { 'data-region': r.region.code },
    h('td', {}, regionName(r.region)), h('td', {}, String(r.asked)), h('td', {}, String(r.answered)),
    h('td', {}, r.mean_first_answer_seconds === null ? '—' : minutes(r.mean_first_answer_seconds)))))
}

function percent(rate) {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`
}

function minutes(seconds) {
  return seconds < 60 ? t('qna.admin.seconds', { n: Math.round(seconds) }) : t('qna.admin.minutes', { n: (seconds / 60).toFixed(1) })
}

function waited(createdAt) {
  return t('qna.admin.waiting', { n: Math.floor((Date.now() - createdAt) / 60000) })
}

function regionName(region) {
  return lang() === 'en' ? region.name_en : region.name_ko
}
