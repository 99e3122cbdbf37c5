// The PTT SDK's pure parts: the 13-byte relay header and the seed's cue tables.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  AUDIO_HEADER_BYTES, CUE_TYPES, HAPTIC_PATTERNS, SOUND_CUES, buildCue, decodeAudioFrame, encodeAudioFrame,
} from '../../../src/Heartline.Server/wwwroot/sdk/ptt.js'

test('encodeAudioFrame: kind 0x01, epoch u64 big-endian, sequence u32 big-endian, then the packet', () => {
  const frame = encodeAudioFrame(1763780000123, 0x01020304, new Uint8Array([0xaa, 0xbb]))

  assert.equal(AUDIO_HEADER_BYTES, 13)
  assert.deepEqual([...frame], [
    0x01,
    0x00, 0x00, 0x01, 0x9a, 0xa9, 0x7a, 0xf9, 0x7b,
    0x01, 0x02, 0x03, 0x04,
    0xaa, 0xbb,
  ])
})

test('decodeAudioFrame: round-trips, and ignores other kinds and header-only frames', () => {
  const frame = encodeAudioFrame(2 ** 52 + 7, 0xffffffff, new Uint8Array([1, 2, 3]))

  const decoded = decodeAudioFrame(frame.buffer)

  assert.equal(decoded.epoch, 2 ** 52 + 7)
  assert.equal(decoded.sequence, 0xffffffff)
  assert.deepEqual([...decoded.payload], [1, 2, 3])
  assert.equal(decodeAudioFrame(Uint8Array.of(0x02, ...frame.subarray(1))), null)
  assert.equal(decodeAudioFrame(frame.subarray(0, 13)), null)
})

test('the six sound cues and four haptic patterns are the seed\'s, with its exact timings and amplitudes; the emergency adds its own', () => {
  assert.deepEqual(Object.keys(SOUND_CUES), ['start_success', 'start_fail', 'end', 'join', 'leave', 'someone_speaking', 'emergency'])
  assert.deepEqual(HAPTIC_PATTERNS.emergency.vibrate, [500, 200, 500, 200, 500])
  assert.deepEqual(HAPTIC_PATTERNS.start_success, { timings: [0, 100], amplitudes: [255], vibrate: [100] })
  assert.deepEqual(HAPTIC_PATTERNS.start_fail, { timings: [0, 80, 80, 80], amplitudes: [200, 200], vibrate: [80, 80, 80] })
  assert.deepEqual(HAPTIC_PATTERNS.session_notification, { timings: [0, 300], amplitudes: [150], vibrate: [300] })
  assert.deepEqual(HAPTIC_PATTERNS.hold_feedback,
    { timings: [0, 50, 200, 50, 200, 50], amplitudes: [100, 100, 100], vibrate: [50, 200, 50, 200, 50] })
})

test('every cue type uses only known sounds and haptics; the Korean phrases are the seed\'s', () => {
  for (const type of CUE_TYPES) {
    const cue = buildCue(type, 'ko', { name: '김기사' })
    assert.ok(cue.sound === null || cue.sound in SOUND_CUES, `${type}: ${cue.sound}`)
    assert.ok(cue.haptic === null || cue.haptic.name in HAPTIC_PATTERNS, `${type}: ${cue.haptic?.name}`)
  }
  assert.equal(buildCue('session_started', 'ko', { name: '김기사' }).speech.text, '김기사님이 PTT를 시작했습니다')
  assert.equal(buildCue('session_ended', 'ko').speech.text, 'PTT가 종료되었습니다')
  assert.equal(buildCue('participant_joined', 'ko', { name: '김기사' }).speech.text, '김기사님이 참여했습니다')
  assert.equal(buildCue('busy', 'ko').speech.text, '다른 사용자가 통화 중입니다. 잠시 후 다시 시도해주세요')
  assert.equal(buildCue('session_started', 'en', { name: 'Kim' }).speech.lang, 'en-US')
})
