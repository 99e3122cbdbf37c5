// Helpers of the VoIP browser tests: pages allowed the (fake) camera and microphone, joining /call/ as a guest, and
// reading a call's WebRTC statistics from the page's RTCPeerConnection (globalThis.__voip.pc).
import { baseUrl, openPage, until } from './helpers.mjs'

/** A fresh page (own context: its own guest) as helpers.mjs openPage makes it, with the camera allowed too. */
export function openCallPage(browser, options = {}) {
  return openPage(browser, { ...options, permissions: ['microphone', 'camera'] })
}

/** Opens /call/ (with `query`), joins as `name` and resolves with the guest id once connected. */
export async function joinCall(page, name, { query = '' } = {}) {
  await page.goto(`/call/${query}`)
  await page.locator('#join-name').fill(name)
  await page.locator('#join-form button[type=submit]').click()
  await page.locator('#conn[data-state=connected]').waitFor()
  await until(page, () => document.getElementById('my-id').textContent.length > 0, null, 'the guest id shown')
  return page.locator('#my-id').textContent()
}

/** Waits until the page's call state is `state` (and, when given, its end reason `reason`). */
export async function waitCallState(page, state, { reason, ms = 15_000 } = {}) {
  await until(page, ({ state: s, reason: r }) => document.body.dataset.callState === s && (!r || document.body.dataset.callReason === r),
    { state, reason }, `call state ${state}${reason ? ` (${reason})` : ''}`, ms)
}

/** The inbound media counters and the selected candidate pair of the page's current call. */
export function callStats(page) {
  return page.evaluate(async () => {
    const pc = globalThis.__voip?.pc
    if (!pc) return null
    const stats = await pc.getStats()
    const result = { video: null, audio: null, local: null, remote: null, iceState: pc.iceConnectionState }
    let pairId = null
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') result.video = { framesDecoded: s.framesDecoded ?? 0, packetsReceived: s.packetsReceived ?? 0 }
      if (s.type === 'inbound-rtp' && s.kind === 'audio') result.audio = { packetsReceived: s.packetsReceived ?? 0, totalSamplesReceived: s.totalSamplesReceived ?? 0 }
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId
    })
    if (!pairId) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pairId ??= s.id })
    const pair = pairId ? stats.get(pairId) : null
    if (pair) {
      result.local = stats.get(pair.localCandidateId)?.candidateType ?? null
      result.remote = stats.get(pair.remoteCandidateId)?.candidateType ?? null
    }
    return result
  })
}

/**
 * Waits until the page decodes video frames (when `video`) and receives audio, and both keep growing: two samples at
 * least `gapMs` apart, each above the one before. Returns the last sample.
 */
export async function waitMediaFlowing(page, { video = true, gapMs = 1000, ms = 20_000 } = {}) {
  const deadline = Date.now() + ms
  const flowing = (s) => s && s.audio && s.audio.packetsReceived > 0 && (!video || (s.video && s.video.framesDecoded > 0))
  let first = null
  let last = null
  while (Date.now() < deadline) {
    last = await callStats(page)
    if (flowing(last)) {
      if (!first) first = last
      else if (last.audio.packetsReceived > first.audio.packetsReceived
        && (!video || last.video.framesDecoded > first.video.framesDecoded)) return { first, last }
    }
    await new Promise((resolve) => setTimeout(resolve, first ? gapMs : 250))
  }
  throw new Error(`media did not flow within ${ms} ms: first ${JSON.stringify(first)}, last ${JSON.stringify(last)}`)
}

/** Admits a guest over HTTP (for the ICE servers its token may fetch). */
export async function admitGuest(name) {
  const response = await fetch(`${baseUrl}/api/voip/guests`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }),
  })
  if (response.status !== 201) throw new Error(`admitting ${name}: ${response.status} ${await response.text()}`)
  return response.json()
}

/** GET /api/voip/ice-servers with a guest's token. */
export async function iceServers(token) {
  const response = await fetch(`${baseUrl}/api/voip/ice-servers`, { headers: { authorization: `Bearer ${token}` } })
  if (!response.ok) throw new Error(`ice-servers: ${response.status} ${await response.text()}`)
  return response.json()
}

/**
 * Routes the page's WebSockets to the server, recording every command the page sends (`relay.sent`). While
 * `relay.blocked`, new sockets are closed at once (the server is out of reach); `relay.refuseConnect(error)` answers
 * the next `connect` with that error and closes as the server would. `relay.drop()` cuts the current socket.
 */
export async function relayWebSockets(page) {
  const relay = { sockets: [], sent: [], blocked: false, refusal: null }
  await page.routeWebSocket(/\/ws$/, (ws) => {
    if (relay.blocked) {
      ws.close({ code: 1011, reason: 'unreachable' })
      return
    }
    const server = ws.connectToServer()
    relay.sockets.push({ ws, server })
    ws.onMessage((message) => {
      let command = null
      try {
        command = typeof message === 'string' ? JSON.parse(message) : null
      } catch {
        // not JSON: forwarded as is
      }
      if (command) relay.sent.push(command)
      if (command?.cmd === 'connect' && relay.refusal) {
        const { error, closeCode } = relay.refusal
        relay.refusal = null
        ws.send(JSON.stringify({ id: command.id, error }))
        ws.close({ code: closeCode, reason: error.code })
        server.close({ code: 1000 }).catch(() => {})
        return
      }
      server.send(message)
    })
  })
  relay.refuseConnect = (error, closeCode) => {
    relay.refusal = { error, closeCode }
  }
  relay.drop = async () => {
    const { ws, server } = relay.sockets.at(-1)
    await server.close({ code: 1000 }).catch(() => {})
    await ws.close({ code: 4000, reason: 'shutdown' })
  }
  relay.push = (frame) => relay.sockets.at(-1).ws.send(JSON.stringify(frame))
  return relay
}
