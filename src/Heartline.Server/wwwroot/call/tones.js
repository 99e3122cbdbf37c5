// The call tones, synthesized with Web Audio (no sound files): the ring of an incoming call, the ringback while the
// callee's phone rings, and a short tone when a call ends. What plays is mirrored in document.body.dataset.tone and
// globalThis.heartlineCallTones (tests read them).

/** One cycle of each repeating tone: [frequencies (Hz, mixed), start (s), length (s)], and the cycle's period (s). */
const PATTERNS = {
  // Two quick rising bell pairs, then a pause: unmistakably "someone is calling you".
  ring: { period: 2.4, gain: 0.22, wave: 'sine', tones: [[[880], 0, 0.18], [[1175], 0.2, 0.18], [[880], 0.5, 0.18], [[1175], 0.7, 0.18]] },
  // The Korean (and North American) ringback: 440 + 480 Hz, one second on, two off.
  ringback: { period: 3, gain: 0.12, wave: 'sine', tones: [[[440, 480], 0, 1]] },
}
const ENDED = { gain: 0.15, wave: 'sine', tones: [[[620], 0, 0.16], [[480], 0.2, 0.16], [[380], 0.4, 0.24]] }

export class CallTones {
  /** @type {AudioContext | null} */
  #context = null
  #timer = undefined
  #nodes = []
  state = { current: null, cycles: 0, played: 0 }

  constructor() {
    globalThis.heartlineCallTones = this.state
  }

  get context() {
    this.#context ??= new AudioContext({ latencyHint: 'interactive' })
    return this.#context
  }

  /** True while the browser holds audio back until a gesture. */
  get suspended() {
    return this.#context !== null && this.#context.state !== 'running' && this.#context.state !== 'closed'
  }

  /** Call from a click or key handler: browsers start audio only after a gesture. */
  unlock() {
    const context = this.context
    if (context.state !== 'running' && context.state !== 'closed') context.resume().catch(() => {})
  }

  /** @param {'ring' | 'ringback' | null} name repeats until another tone or null */
  loop(name) {
    if (this.state.current === name) return
    this.#stop()
    this.state.current = name
    document.body.dataset.tone = name ?? ''
    if (!name) return
    const pattern = PATTERNS[name]
    const cycle = () => {
      this.state.cycles++
      this.#play(pattern)
    }
    cycle()
    this.#timer = setInterval(cycle, pattern.period * 1000)
  }

  /** The short falling tone of a call that ended. */
  ended() {
    this.loop(null)
    this.#play(ENDED)
  }

  #stop() {
    clearInterval(this.#timer)
    for (const node of this.#nodes) {
      try {
        node.stop()
      } catch {
        // not started or already stopped
      }
    }
    this.#nodes = []
  }

  #play({ gain: peak, wave, tones }) {
    const context = this.context
    if (context.state !== 'running') return
    this.state.played++
    const start = context.currentTime + 0.02
    this.#nodes = this.#nodes.filter((node) => node.ended !== true)
    for (const [frequencies, at, length] of tones) {
      const gain = context.createGain()
      const t0 = start + at
      const t1 = t0 + length
      gain.gain.setValueAtTime(0.0001, t0)
      gain.gain.exponentialRampToValueAtTime(peak / frequencies.length, t0 + 0.02)
      gain.gain.setValueAtTime(peak / frequencies.length, Math.max(t0 + 0.02, t1 - 0.04))
      gain.gain.exponentialRampToValueAtTime(0.0001, t1)
      gain.connect(context.destination)
      for (const frequency of frequencies) {
        const osc = context.createOscillator()
        osc.type = wave
        osc.frequency.setValueAtTime(frequency, t0)
        osc.connect(gain)
        osc.start(t0)
        osc.stop(t1 + 0.02)
        osc.onended = () => {
          osc.ended = true
          gain.disconnect()
        }
        this.#nodes.push(osc)
      }
    }
  }
}
