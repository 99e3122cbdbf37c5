// Heartline neighbourhood Q&A SDK (docs/qna.md, protocol.md section 13), on top of heartline.js.
//
//   const client = new HeartlineClient({ getToken })
//   const qna = new QnaClient(client)
//   qna.on('notification', (n) => …)          // a question nearby, an answer to yours, your answer accepted
//   qna.on('unread', ({ questionId, unread }) => …)
//   await client.connect(); await qna.start()
//   const { question } = await qna.ask({ body, hashtags, lat, lng, urgency: 'urgent' })
//   const room = await qna.openRoom(question.id)  // answers, accepted, receipts, typing; history and recovery
//   room.on('answer', (a) => …); room.input()     // call on every keystroke: typing start/stop is handled
//
// After a reconnect heartline.js resubscribes every channel from where it left off (nothing is missed); this SDK then
// sends the last location again and asks for the unread counts, so badges are right. The client keeps reconnecting
// with backoff while the page is open (it never gives up after a number of tries).
import { Emitter } from './heartline.js'

const TYPING_REPEAT_MS = 2000
const TYPING_IDLE_MS = 3000

/**
 * A question's room: `answer`, `accepted`, `receipt`, `closed` (publications), `typing` (signals) and `viewers` (who
 * has the room open: `{users: [{userId, name}]}`, after the first list and every change).
 */
export class QnaRoom extends Emitter {
  #qna
  #client
  #subscription = null
  #presence = null
  #typingSentAt = 0
  #typingTimer = undefined
  /** @type {Map<string, {name: string, typing: boolean}>} */
  typing = new Map()
  /** Who has the room open (every device of a user counts once). @type {Map<string, {userId: string, name: string}>} */
  viewers = new Map()

  constructor(qna, client, questionId) {
    super()
    this.#qna = qna
    this.#client = client
    this.questionId = questionId
    this.channel = `qna:q.${questionId}`
  }

  /**
   * Follows who is in the room, subscribes to it (which puts this device in it), then reads the question and the list
   * of viewers; returns `{question, answers, reads}`.
   */
  async open() {
    this.#presence = await this.#client.subscribe(`presence:${this.channel}`, ({ data }) => this.#onPresence(data))
    // A gap in the presence channel (a reconnect that could not recover): the list is read again.
    this.#presence.on('subscribed', ({ resubscribed, recovered }) => {
      if (resubscribed && !recovered) this.#readViewers().catch(() => {})
    })
    this.#subscription = await this.#client.subscribe(this.channel, ({ data }) => this.#onPublication(data))
    const [state] = await Promise.all([this.#client.request('qna.get', { question_id: this.questionId }), this.#readViewers()])
    this.question = state.question
    return state
  }

  async #readViewers() {
    const { users } = await this.#client.request('presence', { scope: this.channel })
    this.viewers = new Map(users.map((u) => [u.user_id, { userId: u.user_id, name: u.name }]))
    this.#emitViewers()
  }

  #onPresence(data) {
    if (data.event === 'online') this.viewers.set(data.user.user_id, { userId: data.user.user_id, name: data.user.name })
    else if (data.event === 'offline') this.viewers.delete(data.user.user_id)
    else return
    this.#emitViewers()
  }

  #emitViewers() {
    this.emit('viewers', { users: [...this.viewers.values()] })
  }

  #onPublication(data) {
    if (data.type === 'answer' && this.question) this.question.answer_count = Math.max(this.question.answer_count, data.answer.seq)
    if (data.type === 'accepted' && this.question) Object.assign(this.question, { status: 'accepted', accepted_answer_id: data.answer_id })
    if (data.type === 'closed' && this.question) this.question.status = 'closed'
    this.emit(data.type, data)
  }

  /** @internal a typing signal of this room */
  onSignal(data) {
    if (data.type !== 'typing') return
    if (data.typing) this.typing.set(data.user_id, { name: data.name, typing: true })
    else this.typing.delete(data.user_id)
    this.emit('typing', { userId: data.user_id, name: data.name, typing: data.typing, users: [...this.typing.values()].map((u) => u.name) })
  }

  /** Call on every keystroke: sends typing start (repeated every 2 s while typing) and stop after 3 s without input. */
  input() {
    const now = Date.now()
    if (now - this.#typingSentAt >= TYPING_REPEAT_MS) {
      this.#typingSentAt = now
      this.#client.request('qna.typing', { question_id: this.questionId, typing: true }).catch(() => {})
    }
    clearTimeout(this.#typingTimer)
    this.#typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS)
  }

  stopTyping() {
    clearTimeout(this.#typingTimer)
    if (!this.#typingSentAt) return
    this.#typingSentAt = 0
    this.#client.request('qna.typing', { question_id: this.questionId, typing: false }).catch(() => {})
  }

  /** Answers the question (stops the typing state first). */
  answer(body) {
    this.stopTyping()
    return this.#qna.answer(this.questionId, body)
  }

  /** Reports how far this device got: `read` implies delivered. */
  receipt({ deliveredSeq, readSeq } = {}) {
    return this.#client.request('qna.receipt', { question_id: this.questionId, delivered_seq: deliveredSeq, read_seq: readSeq })
  }

  close() {
    this.stopTyping()
    this.#qna.forget(this)
    this.#subscription?.unsubscribe()
    this.#presence?.unsubscribe()
  }
}

/**
 * The Q&A part of a HeartlineClient. Events: `notification` (the notification object), `unread` ({questionId,
 * unread}), `read` ({ids}: notifications read on another device; empty means all), `restored` (after a reconnect).
 */
export class QnaClient extends Emitter {
  #client
  #userId = null
  #inbox = null
  /** @type {Map<string, QnaRoom>} */
  #rooms = new Map()
  #location = null
  #locationSentAt = 0
  #started = false

  /** @param {import('./heartline.js').HeartlineClient} client */
  constructor(client, { locationIntervalMs = 10000 } = {}) {
    super()
    this.#client = client
    this.locationIntervalMs = locationIntervalMs
    client.on('connected', (result) => {
      this.#userId = result.user.user_id
      if (this.#started) this.#restore()
    })
    client.on('push', (frame) => {
      if (frame.push === 'signal') this.#rooms.get(frame.channel)?.onSignal(frame.data)
    })
  }

  get userId() {
    return this.#userId
  }

  /** Subscribes to the user's inbox (call once connected). Returns the unread counts. */
  async start() {
    if (!this.#userId) throw new Error('connect the HeartlineClient first')
    this.#started = true
    this.#inbox = await this.#client.subscribe(`qna:u.${this.#userId}`, ({ data }) => this.#onInbox(data))
    return this.unread()
  }

  #onInbox(data) {
    if (data.type === 'notification') this.emit('notification', data.notification)
    else if (data.type === 'unread') this.emit('unread', { questionId: data.question_id, unread: data.unread })
    else if (data.type === 'read') this.emit('read', { ids: data.ids ?? [] })
  }

  /** After a reconnect: the location again, and the unread counts (rooms and the inbox resume by themselves). */
  async #restore() {
    try {
      if (this.#location) await this.#sendLocation(this.#location)
      const unread = await this.unread()
      for (const q of unread.questions) this.emit('unread', { questionId: q.question_id, unread: q.unread })
      this.emit('restored', unread)
    } catch (err) {
      this.emit('error', err)
    }
  }

  ask({ body, hashtags = [], lat, lng, urgency = 'normal' }) {
    return this.#client.request('qna.ask', { body, hashtags, lat, lng, urgency })
  }

  answer(questionId, body) {
    return this.#client.request('qna.answer', { question_id: questionId, body })
  }

  accept(answerId) {
    return this.#client.request('qna.accept', { answer_id: answerId })
  }

  closeQuestion(questionId) {
    return this.#client.request('qna.close', { question_id: questionId })
  }

  /** Opens (or returns) a question's room; resolves with the room after its first state arrived (`room.question`). */
  async openRoom(questionId) {
    const channel = `qna:q.${questionId}`
    const existing = this.#rooms.get(channel)
    if (existing) return existing
    const room = new QnaRoom(this, this.#client, questionId)
    this.#rooms.set(channel, room)
    try {
      room.state = await room.open()
    } catch (err) {
      this.#rooms.delete(channel)
      throw err
    }
    return room
  }

  /** @internal */
  forget(room) {
    this.#rooms.delete(room.channel)
  }

  /**
   * Sends the device's location, at most once per `locationIntervalMs` unless it moved more than 100 m. Returns the
   * reply, or null when throttled here. The last location is sent again after a reconnect.
   */
  async updateLocation(lat, lng) {
    const previous = this.#location
    this.#location = { lat, lng }
    const moved = !previous || distanceMeters(previous, this.#location) > 100
    if (!moved && Date.now() - this.#locationSentAt < this.locationIntervalMs) return null
    return this.#sendLocation(this.#location)
  }

  async #sendLocation({ lat, lng }) {
    this.#locationSentAt = Date.now()
    return this.#client.request('qna.location', { lat, lng })
  }

  /** Forgets the location here and on the server. */
  clearLocation() {
    this.#location = null
    return this.#client.request('qna.location', { clear: true })
  }

  nearby({ lat, lng, radiusM, limit, offset } = {}) {
    const here = lat === undefined ? this.#location : { lat, lng }
    if (!here) return Promise.reject(new Error('no location: pass lat and lng, or call updateLocation first'))
    return this.#client.request('qna.nearby', { lat: here.lat, lng: here.lng, radius_m: radiusM, limit, offset })
  }

  /** Reads the settings (no argument) or changes some: notify, radius_m, quiet_start, quiet_end, topics, in_app, push, expertise. */
  settings(changes = {}) {
    return this.#client.request('qna.settings', changes)
  }

  notifications({ before, limit } = {}) {
    return this.#client.request('qna.notifications', { before, limit })
  }

  markNotificationsRead(ids) {
    return this.#client.request('qna.notifications_read', ids ? { ids } : {})
  }

  unread() {
    return this.#client.request('qna.unread')
  }

  points() {
    return this.#client.request('qna.points')
  }

  /** Registers a browser PushSubscription (from `registration.pushManager.subscribe`) for notifications while away. */
  subscribePush(subscription) {
    const json = typeof subscription.toJSON === 'function' ? subscription.toJSON() : subscription
    return this.#client.request('qna.push_subscribe', { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth })
  }

  unsubscribePush(endpoint) {
    return this.#client.request('qna.push_unsubscribe', { endpoint })
  }
}

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a, b) {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)))
}
