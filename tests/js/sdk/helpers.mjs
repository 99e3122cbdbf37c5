// Shared helpers of the SDK tests. HEARTLINE_URL is the http base URL of a running server (JsSdkTests starts one).
import WebSocket from 'ws'
import { HeartlineClient } from '../../../src/Heartline.Server/wwwroot/sdk/heartline.js'

export const baseUrl = process.env.HEARTLINE_URL?.replace(/\/$/, '')
export const wsUrl = baseUrl?.replace(/^http/, 'ws') + '/ws'
const runId = `${process.pid}-${Date.now().toString(36)}`
let nextUser = 0

/** A user id no other test or run uses, so presence and channels don't leak between tests. */
export function uniqueId(prefix = 'js') {
  return `${prefix}-${runId}-${++nextUser}`
}

export function requireServer() {
  if (!baseUrl) throw new Error('HEARTLINE_URL is not set: run these tests through JsSdkTests, or start a server and set it')
}

/** Rejects when `promise` has not settled within `ms`. Every wait in these tests goes through it. */
export function withTimeout(promise, ms, what = 'operation') {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Mints a token with POST /api/auth/dev-token. */
export async function mintToken({ userId = uniqueId(), name, role = 'pickup_driver', regionId = 'r1', officeId = 'o1', ttlSeconds } = {}) {
  requireServer()
  const response = await withTimeout(fetch(`${baseUrl}/api/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId, name: name ?? userId, role, region_id: regionId, office_id: officeId, ttl_seconds: ttlSeconds }),
  }), 5000, 'dev-token request')
  if (!response.ok) throw new Error(`dev-token answered ${response.status}: ${await response.text()}`)
  const body = await response.json()
  return body.token
}

/** The ws class with a record of every socket the client opened and every frame it sent. */
export function trackingWebSocket() {
  const sockets = []
  const sent = []
  class TrackedWebSocket extends WebSocket {
    constructor(...args) {
      super(...args)
      sockets.push(this)
    }

    send(data, ...rest) {
      sent.push(data)
      return super.send(data, ...rest)
    }
  }
  return { WebSocket: TrackedWebSocket, sockets, sent }
}

/** A client on the test server; close it with `client.close()` (the `clients` list helps in `after`). */
export function createClient(options = {}) {
  requireServer()
  return new HeartlineClient({
    url: wsUrl,
    client: 'heartline-js-tests/1',
    requestTimeoutMs: 5000,
    reconnect: { initialMs: 100, maxMs: 1000 },
    WebSocket,
    ...options,
  })
}

/** Resolves with the next `event` of `emitter` whose value satisfies `predicate`. */
export function nextEvent(emitter, event, predicate = () => true, ms = 5000) {
  let off
  const seen = new Promise((resolve) => {
    off = emitter.on(event, (value) => predicate(value) && resolve(value))
  })
  return withTimeout(seen, ms, `event '${event}'`).finally(() => off())
}
