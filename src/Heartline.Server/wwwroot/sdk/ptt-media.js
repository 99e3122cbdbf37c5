// Push-to-talk media: the relay's audio frame (protocol 10.5) and the Agora token request (protocol 10.4).
import { HeartlineError } from './heartline.js'

/** Kind byte of an Opus audio frame (protocol 10.5). */
export const AUDIO_KIND_OPUS = 0x01
/** Bytes before the Opus packet: kind (1), floor epoch (u64 BE), sequence (u32 BE). */
export const AUDIO_HEADER_BYTES = 13

/**
 * Builds one relay audio frame.
 * @param {number | bigint} epoch the floor epoch of the grant @param {number} sequence u32, +1 per packet
 * @param {ArrayBuffer | ArrayBufferView} packet one Opus packet
 */
export function encodeAudioFrame(epoch, sequence, packet) {
  const payload = packet instanceof ArrayBuffer ? new Uint8Array(packet) : new Uint8Array(packet.buffer, packet.byteOffset, packet.byteLength)
  const frame = new Uint8Array(AUDIO_HEADER_BYTES + payload.byteLength)
  const view = new DataView(frame.buffer)
  view.setUint8(0, AUDIO_KIND_OPUS)
  view.setBigUint64(1, BigInt(epoch))
  view.setUint32(9, sequence >>> 0)
  frame.set(payload, AUDIO_HEADER_BYTES)
  return frame
}

/**
 * Parses a relay audio frame; null for anything that is not an Opus frame.
 * @param {ArrayBuffer | ArrayBufferView} data @returns {{ epoch: number, sequence: number, payload: Uint8Array } | null}
 */
export function decodeAudioFrame(data) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (bytes.byteLength <= AUDIO_HEADER_BYTES || bytes[0] !== AUDIO_KIND_OPUS) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { epoch: Number(view.getBigUint64(1)), sequence: view.getUint32(9), payload: bytes.subarray(AUDIO_HEADER_BYTES) }
}

/**
 * POST /api/ptt/token (protocol 10.4): an Agora token for `office`'s channel, as publisher when the caller holds the
 * floor. `options` are PttClient's: `token` or `getToken` for the bearer, `httpUrl` (default: the page's origin), `fetch`.
 */
export async function requestMediaToken(options, office) {
  const { token, getToken, httpUrl } = options
  const bearer = getToken ? await getToken() : token
  if (!bearer) throw new TypeError('Agora mode needs options.token or options.getToken for POST /api/ptt/token')
  const base = httpUrl ?? globalThis.location?.origin
  if (!base) throw new TypeError('Agora mode needs options.httpUrl outside a browser')
  const fetchImpl = options.fetch ?? globalThis.fetch
  const response = await fetchImpl(`${base.replace(/\/$/, '')}/api/ptt/token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ office }),
  })
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}))
    throw new HeartlineError(problem.code ?? 'unavailable', problem.detail ?? `POST /api/ptt/token answered ${response.status}`)
  }
  return response.json()
}
