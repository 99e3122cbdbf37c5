// Renders the PTT SDK's cues: the six sounds of the seed and the emergency's synthesized with Web Audio (distinct in pitch, rhythm and length, as
// the seed describes them), navigator.vibrate with the seed's patterns, speechSynthesis, and the audio-focus
// guidance for the page's own audio. Every cue is also appended to window.heartlineCueLog, which tests read.

/** Tones of each sound: frequency (Hz, `to` for a glide), wave, start and length (s), peak gain. */
const SOUNDS = {
  // 삑! a short, clear radio click: high and square.
  start_success: [{ f: 1760, wave: 'square', at: 0, len: 0.07, gain: 0.12 }],
  // 삐빅! two short low error beeps, the rhythm of the start_fail vibration (80 on, 80 off, 80 on).
  start_fail: [{ f: 300, wave: 'square', at: 0, len: 0.08, gain: 0.16 }, { f: 260, wave: 'square', at: 0.16, len: 0.08, gain: 0.16 }],
  // 삑-- a long tone falling away.
  end: [{ f: 1200, to: 420, wave: 'sine', at: 0, len: 0.5, gain: 0.28 }],
  // 띵! a soft bell: a sine with a quiet octave, decaying.
  join: [{ f: 880, wave: 'sine', at: 0, len: 0.45, gain: 0.22, ring: true }, { f: 1760, wave: 'sine', at: 0, len: 0.3, gain: 0.05, ring: true }],
  // 똑! a very short wooden tick.
  leave: [{ f: 540, wave: 'triangle', at: 0, len: 0.045, gain: 0.35, ring: true }],
  // 띵띠링~ three rising bell notes.
  someone_speaking: [
    { f: 988, wave: 'sine', at: 0, len: 0.22, gain: 0.22, ring: true },
    { f: 1319, wave: 'sine', at: 0.11, len: 0.22, gain: 0.22, ring: true },
    { f: 1568, wave: 'sine', at: 0.22, len: 0.5, gain: 0.24, ring: true },
  ],
  // 삐-삐-삐 the emergency: three high, harsh alternating beeps, unlike any other cue.
  emergency: [
    { f: 2000, wave: 'square', at: 0, len: 0.18, gain: 0.2 }, { f: 1500, wave: 'square', at: 0.22, len: 0.18, gain: 0.2 },
    { f: 2000, wave: 'square', at: 0.44, len: 0.18, gain: 0.2 }, { f: 1500, wave: 'square', at: 0.66, len: 0.18, gain: 0.2 },
  ],
}

export class CuePlayer {
  /** @type {AudioContext | null} */
  #context = null
  #cueBus = null
  /** The cue bus's gain: 0.4 while someone else's speech is received, else 1. */
  #cueLevel = 1
  #focus = null
  log = []

  constructor() {
    globalThis.heartlineCueLog = this.log
  }

  /** The shared AudioContext (48 kHz), created on first use; resume() it from a user gesture. */
  get context() {
    if (!this.#context) {
      this.#context = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' })
      this.#cueBus = this.#context.createGain()
      this.#cueBus.connect(this.#context.destination)
    }
    return this.#context
  }

  /** Browsers start audio only after a gesture: call from a click or key handler. */
  unlock() {
    const context = this.context
    // 'suspended' before a gesture; 'interrupted' (Safari) after a call or another app took the audio.
    if (context.state !== 'running' && context.state !== 'closed') context.resume().catch(() => {})
    // Speech needs a gesture too on some phones: an empty utterance unlocks it.
    if (globalThis.speechSynthesis && !this.speechUnlocked) {
      this.speechUnlocked = true
      try {
        speechSynthesis.speak(new SpeechSynthesisUtterance(''))
      } catch {
        // no speech engine
      }
    }
  }

  /** The page's own other audio (cues) is ducked while receiving, as the seed's audio focus asks of other apps. */
  get focus() {
    return this.#focus
  }

  /** Plays a cue of the PTT SDK. */
  play(cue) {
    const entry = { type: cue.type, sound: cue.sound, haptic: cue.haptic?.name ?? null, vibrate: cue.haptic?.vibrate ?? null,
      speech: cue.speech?.text ?? null, focus: cue.focus, speaker: cue.speaker?.name ?? null, at: Date.now(), played: false, vibrated: false, spoken: false }
    if (cue.focus) this.#applyFocus(cue.focus)
    entry.cue_level = this.#cueLevel
    if (cue.sound) entry.played = this.#playSound(cue.sound)
    if (cue.haptic && typeof navigator.vibrate === 'function') {
      try {
        entry.vibrated = navigator.vibrate(cue.haptic.vibrate)
      } catch {
        entry.vibrated = false
      }
    }
    if (cue.speech && globalThis.speechSynthesis) entry.spoken = this.#speak(cue.speech)
    this.log.push(entry)
    if (this.log.length > 200) this.log.splice(0, this.log.length - 200)
    return entry
  }

  #playSound(name) {
    const tones = SOUNDS[name]
    if (!tones) return false
    const context = this.context
    if (context.state !== 'running') return false
    const start = context.currentTime + 0.01
    for (const tone of tones) {
      const osc = context.createOscillator()
      const gain = context.createGain()
      osc.type = tone.wave
      const t0 = start + tone.at
      const t1 = t0 + tone.len
      osc.frequency.setValueAtTime(tone.f, t0)
      if (tone.to) osc.frequency.exponentialRampToValueAtTime(tone.to, t1)
      gain.gain.setValueAtTime(0.0001, t0)
      gain.gain.exponentialRampToValueAtTime(tone.gain, t0 + 0.005)
      if (tone.ring) gain.gain.exponentialRampToValueAtTime(0.0001, t1)
      else {
        gain.gain.setValueAtTime(tone.gain, Math.max(t0 + 0.005, t1 - 0.02))
        gain.gain.exponentialRampToValueAtTime(0.0001, t1)
      }
      osc.connect(gain).connect(this.#cueBus)
      osc.start(t0)
      osc.stop(t1 + 0.02)
    }
    return true
  }

  #speak({ text, lang }) {
    try {
      // QUEUE_FLUSH, as the seed's TTS: the newest state is the one worth hearing.
      speechSynthesis.cancel()
      const utterance = new SpeechSynthesisUtterance(text)
      utterance.lang = lang
      const voice = speechSynthesis.getVoices().find((v) => v.lang?.toLowerCase().startsWith(lang.slice(0, 2)))
      if (voice) utterance.voice = voice
      speechSynthesis.speak(utterance)
      return true
    } catch {
      return false
    }
  }

  #applyFocus(focus) {
    this.#focus = focus
    this.#cueLevel = focus === 'duck' ? 0.4 : 1
    if (!this.#cueBus) return
    const now = this.context.currentTime
    // Received speech stays in front: the cue bus is ducked to 40 % while someone talks.
    this.#cueBus.gain.setTargetAtTime(this.#cueLevel, now, 0.05)
  }
}
