// Helpers of the PttClient tests: members of throwaway offices on the test server, and bounded waits for events.
import { PttClient } from '../../../src/Heartline.Server/wwwroot/sdk/ptt.js'
import { baseUrl, createClient, mintToken, nextEvent, uniqueId, withTimeout } from './helpers.mjs'

/** An office id no other test uses, so sessions of different tests never meet. */
export function uniqueOffice() {
  return uniqueId('office').replace(/_/g, '-')
}

/**
 * A connected member with a PttClient. `events` records every PttClient event in order, `cues` every cue.
 * @returns {Promise<{client, ptt: PttClient, userId: string, token: string, events: {event: string, value: any}[], cues: any[]}>}
 */
export async function member({ office, role = 'pickup_driver', name, region = 'r1', clientOptions = {}, pttOptions = {}, connect = true } = {}) {
  const userId = uniqueId(role === 'call_manager' ? 'cm' : 'drv')
  const token = await mintToken({ userId, name: name ?? userId, role, regionId: region, officeId: office })
  const client = createClient({ token, appType: role, device: 'node test', ...clientOptions })
  const ptt = new PttClient(client, { httpUrl: baseUrl, token, holdFeedbackMs: 0, ...pttOptions })
  const events = []
  const cues = []
  for (const event of ['session_started', 'session_ended', 'speaker_changed', 'participant_joined', 'participant_left',
    'floor_revoked', 'busy', 'talking', 'audio', 'reported', 'media_token', 'error']) {
    ptt.on(event, (value) => events.push({ event, value }))
  }
  ptt.on('cue', (cue) => cues.push(cue))
  const m = { client, ptt, userId, token, events, cues, office: `${region}_${office}` }
  if (connect) await ready(m)
  return m
}

/** Connects and waits until the PttClient's subscription and first state query are done. */
export async function ready(m) {
  const listening = nextEvent(m.ptt, 'ready')
  await withTimeout(m.client.connect(), 5000, 'connect')
  await listening
}

/** Resolves with the next PttClient event (or cue type, with event 'cue') matching `predicate`. */
export function nextPtt(ptt, event, predicate = () => true, ms = 5000) {
  return nextEvent(ptt, event, predicate, ms)
}

export function nextCue(ptt, type, ms = 5000) {
  return nextEvent(ptt, 'cue', (cue) => cue.type === type, ms)
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export { withTimeout }
