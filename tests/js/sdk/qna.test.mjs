import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { QnaClient, distanceMeters } from '../../../src/Heartline.Server/wwwroot/sdk/qna.js'
import { createClient, mintToken, nextEvent, trackingWebSocket, uniqueId, withTimeout } from './helpers.mjs'

const clients = []
after(() => {
  for (const client of clients) client.close()
})

const AEWOL = { lat: 33.463, lng: 126.331 }
const ONE_KM_EAST = { lat: 33.463, lng: 126.342 }

async function qnaUser(prefix, options = {}, userId = uniqueId(prefix)) {
  const token = await mintToken({ userId, role: 'qna_user' })
  const client = createClient({ ...options, getToken: options.getToken ?? (async () => token) })
  clients.push(client)
  const qna = new QnaClient(client)
  await withTimeout(client.connect(), 5000, 'connect')
  await withTimeout(qna.start(), 5000, 'start')
  return { userId, client, qna, token }
}

test('qna.js: a neighbour is told, types, answers; the asker sees it all, reads it, and accepts for points', async () => {
  const asker = await qnaUser('asker')
  const local = await qnaUser('local')
  await local.qna.updateLocation(ONE_KM_EAST.lat, ONE_KM_EAST.lng)

  const told = nextEvent(local.qna, 'notification', (n) => n.kind === 'question')
  const { question } = await asker.qna.ask({ body: '한담 근처 주차?', hashtags: ['주차'], ...AEWOL })
  const notification = await told
  assert.equal(notification.question.id, question.id)
  assert.equal(notification.tier, 1)
  assert.ok(Math.abs(notification.distance_m - distanceMeters(AEWOL, ONE_KM_EAST)) < 100)

  const askerRoom = await asker.qna.openRoom(question.id)
  const bothIn = nextEvent(askerRoom, 'viewers', (v) => v.users.length === 2)
  const localRoom = await local.qna.openRoom(question.id)
  assert.deepEqual((await bothIn).users.map((u) => u.userId).sort(), [asker.userId, local.userId].sort())
  assert.deepEqual([...localRoom.viewers.keys()].sort(), [asker.userId, local.userId].sort())
  assert.equal(askerRoom.question.status, 'open')
  const typing = nextEvent(askerRoom, 'typing', (t) => t.typing)
  localRoom.input()
  assert.deepEqual((await typing).users, [local.userId])
  const stopped = nextEvent(askerRoom, 'typing', (t) => !t.typing)
  const answered = nextEvent(askerRoom, 'answer')
  const toAsker = nextEvent(asker.qna, 'notification', (n) => n.kind === 'answer')
  const { answer } = await localRoom.answer('공영주차장이 있어요')
  await stopped
  assert.equal((await answered).answer.id, answer.id)
  assert.equal((await toAsker).answer.body, '공영주차장이 있어요')

  const receipt = nextEvent(localRoom, 'receipt', (r) => r.read_seq === 1)
  await askerRoom.receipt({ readSeq: 1 })
  assert.equal((await receipt).user_id, asker.userId)

  const accepted = nextEvent(localRoom, 'accepted')
  await asker.qna.accept(answer.id)
  assert.equal((await accepted).answer_id, answer.id)
  assert.equal((await local.qna.points()).points, 10)
  assert.equal(askerRoom.question.status, 'accepted')
  await assert.rejects(asker.qna.accept(answer.id), (err) => err.code === 'qna_already_accepted')

  // Closing the room leaves it: the asker sees the neighbour go at once.
  const left = nextEvent(askerRoom, 'viewers', (v) => v.users.length === 1)
  localRoom.close()
  assert.deepEqual((await left).users.map((u) => u.userId), [asker.userId])
})

test('qna.js: after a reconnect the room resumes without a gap, the location is sent again, unread counts come back', async () => {
  let openGate
  const gate = new Promise((resolve) => (openGate = resolve))
  const tracking = trackingWebSocket()
  const userId = uniqueId('asker')
  const token = await mintToken({ userId, role: 'qna_user' })
  let connects = 0
  const asker = await qnaUser('asker', { WebSocket: tracking.WebSocket, getToken: async () => (++connects > 1 && (await gate), token) }, userId)
  const helper = await qnaUser('helper')
  await asker.qna.updateLocation(AEWOL.lat, AEWOL.lng)
  const { question } = await asker.qna.ask({ body: '성산 버스?', ...AEWOL })
  const room = await asker.qna.openRoom(question.id)
  const answers = []
  room.on('answer', (a) => answers.push(a.answer.body))

  const disconnected = nextEvent(asker.client, 'disconnected')
  tracking.sockets[0].terminate()
  await disconnected
  await helper.qna.answer(question.id, '201번')
  await helper.qna.answer(question.id, '또는 택시')
  const restored = nextEvent(asker.qna, 'restored')
  openGate()
  const unread = await restored
  assert.deepEqual(answers, ['201번', '또는 택시'])
  assert.deepEqual(unread.questions.map((q) => [q.question_id, q.unread]), [[question.id, 2]])
  // The location was sent again: a question asked right here now reaches the asker, who is back.
  const told = nextEvent(asker.qna, 'notification', (n) => n.kind === 'question')
  const { question: second } = await helper.qna.ask({ body: '근처 카페?', ...ONE_KM_EAST })
  assert.equal((await told).question.id, second.id)
})

test('qna.js: bad input is refused with the catalog codes', async () => {
  const user = await qnaUser('bad')
  await assert.rejects(user.qna.ask({ body: '서울', lat: 37.5665, lng: 126.978 }), (err) => err.code === 'qna_outside_jeju')
  await assert.rejects(user.qna.ask({ body: '', ...AEWOL }), (err) => err.code === 'bad_request')
  await assert.rejects(user.qna.nearby(), /no location/)
  const settings = await user.qna.settings({ radius_m: 3000, quiet_start: '22:00', quiet_end: '07:00', expertise: ['#오름'] })
  assert.deepEqual([settings.radius_m, settings.quiet_start, settings.expertise], [3000, '22:00', ['오름']])
})
