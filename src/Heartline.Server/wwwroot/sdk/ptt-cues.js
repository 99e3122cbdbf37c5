// Driver-centred feedback of push-to-talk (seed 001 section 5): the sounds, haptic patterns, spoken announcements and
// audio-focus guidance that PttClient attaches to every state change, so an app only renders them.

/**
 * The six sound cues of the seed (5.1). An app synthesizes or plays them; the descriptions say how each must sound.
 * @type {Readonly<Record<SoundCue, {ko: string, en: string}>>}
 */
export const SOUND_CUES = Object.freeze({
  start_success: { ko: '삑! (짧고 명확한 무전기 소리)', en: 'beep! a short, clear radio click' },
  start_fail: { ko: '삐빅! (낮은 톤의 에러음)', en: 'bee-beep! a low error tone' },
  end: { ko: '삑-- (길고 낮아지는 종료음)', en: 'beeeep, long and falling: the end tone' },
  join: { ko: '띵! (부드러운 참여 알림)', en: 'ding! a soft join chime' },
  leave: { ko: '똑! (짧은 이탈 알림)', en: 'tock! a short leave tick' },
  someone_speaking: { ko: '띵띠링~ (다른 사람 말하기 시작)', en: 'ding-ding-ring, someone started talking' },
  emergency: { ko: '삐-삐-삐 (높고 반복되는 긴급 경보)', en: 'bee-bee-bee: a high, repeating alarm' },
})

/**
 * The four haptic patterns of the seed (5.2), exactly as specified there: `timings` is the Android waveform (starting
 * with the 0 ms delay) and `amplitudes` its strengths (1–255). `vibrate` is the same rhythm for navigator.vibrate(),
 * which takes [on, off, on, …] without the leading delay and has no amplitude.
 */
export const HAPTIC_PATTERNS = Object.freeze({
  start_success: Object.freeze({ timings: [0, 100], amplitudes: [255], vibrate: [100] }),
  start_fail: Object.freeze({ timings: [0, 80, 80, 80], amplitudes: [200, 200], vibrate: [80, 80, 80] }),
  session_notification: Object.freeze({ timings: [0, 300], amplitudes: [150], vibrate: [300] }),
  hold_feedback: Object.freeze({ timings: [0, 50, 200, 50, 200, 50], amplitudes: [100, 100, 100], vibrate: [50, 200, 50, 200, 50] }),
  emergency: Object.freeze({ timings: [0, 500, 200, 500, 200, 500], amplitudes: [255, 255, 255], vibrate: [500, 200, 500, 200, 500] }),
})

/** Spoken announcements (seed 5.3), Korean first. Names are inserted as plain text. */
export const PHRASES = Object.freeze({
  ko: Object.freeze({
    lang: 'ko-KR',
    session_started: (name) => `${name}님이 PTT를 시작했습니다`,
    session_ended: () => 'PTT가 종료되었습니다',
    user_joined: (name) => `${name}님이 참여했습니다`,
    busy: (name) => (name ? `${name}님이 통화 중입니다. 잠시 후 다시 시도해주세요` : '다른 사용자가 통화 중입니다. 잠시 후 다시 시도해주세요'),
    floor_revoked: () => '송신이 중단되었습니다',
    focus_lost: () => '다른 소리 때문에 송신을 멈췄습니다',
    emergency: (name) => `긴급 호출입니다. ${name}님이 긴급 호출을 보냈습니다`,
  }),
  en: Object.freeze({
    lang: 'en-US',
    session_started: (name) => `${name} started talking`,
    session_ended: () => 'Push-to-talk ended',
    user_joined: (name) => `${name} joined`,
    busy: (name) => (name ? `${name} is talking. Please try again shortly` : 'Someone else is talking. Please try again shortly'),
    floor_revoked: () => 'Your transmission was stopped',
    focus_lost: () => 'Transmission stopped: another app took the audio',
    emergency: (name) => `Emergency. ${name} raised an emergency`,
  }),
})

/**
 * What each cue type plays. `focus` is the audio-focus guidance (seed 5.4): `exclusive` — this app transmits, pause
 * other audio; `duck` — this app receives, lower or pause other audio; `restore` — other audio may resume.
 */
const TABLE = {
  talk_granted: { sound: 'start_success', haptic: 'start_success', focus: 'exclusive' },
  hold: { haptic: 'hold_feedback' },
  busy: { sound: 'start_fail', haptic: 'start_fail', speech: 'busy' },
  talk_failed: { sound: 'start_fail', haptic: 'start_fail' },
  talk_ended: { sound: 'end', focus: 'restore' },
  floor_revoked: { sound: 'end', haptic: 'start_fail', speech: 'floor_revoked', focus: 'restore' },
  focus_lost: { sound: 'end', speech: 'focus_lost', focus: 'restore' },
  session_started: { sound: 'someone_speaking', haptic: 'session_notification', speech: 'session_started', focus: 'duck' },
  session_joined: { sound: 'join', haptic: 'session_notification', speech: 'session_started', focus: 'duck' },
  session_ended: { sound: 'end', speech: 'session_ended', focus: 'restore' },
  participant_joined: { sound: 'join', speech: 'user_joined' },
  participant_left: { sound: 'leave' },
  emergency: { sound: 'emergency', haptic: 'emergency', speech: 'emergency', focus: 'exclusive' },
}

/** Every cue type PttClient raises. */
export const CUE_TYPES = Object.freeze(Object.keys(TABLE))

/**
 * @typedef {'start_success' | 'start_fail' | 'end' | 'join' | 'leave' | 'someone_speaking' | 'emergency'} SoundCue
 * @typedef {{ name: string, timings: number[], amplitudes: number[], vibrate: number[] }} HapticCue
 * @typedef {{
 *   type: string, sound: SoundCue | null, haptic: HapticCue | null, speech: { text: string, lang: string } | null,
 *   focus: 'exclusive' | 'duck' | 'restore' | null, session_id?: string, speaker?: object, user?: object, reason?: string,
 *   time: number,
 * }} Cue
 */

/**
 * Builds the cue of `type`. `name` is the person the announcement names (speaker, joiner).
 * @param {string} type one of CUE_TYPES @param {'ko' | 'en'} language @param {object} [fields] @returns {Cue}
 */
export function buildCue(type, language, { name, ...fields } = {}) {
  const row = TABLE[type]
  if (!row) throw new TypeError(`unknown cue type ${type}`)
  const phrases = PHRASES[language] ?? PHRASES.ko
  const haptic = row.haptic ? { name: row.haptic, ...HAPTIC_PATTERNS[row.haptic] } : null
  const speech = row.speech ? { text: phrases[row.speech](name), lang: phrases.lang } : null
  return { type, sound: row.sound ?? null, haptic, speech, focus: row.focus ?? null, ...fields, time: Date.now() }
}
