// Relay audio in the browser: microphone → WebCodecs AudioEncoder (Opus, 48 kHz mono, 20 ms) → PTT relay frames,
// and relay frames → AudioDecoder → a small jitter buffer → the speakers. window.heartlineAudio holds the counters
// tests read.

const SAMPLE_RATE = 48000
const FRAME_SAMPLES = 960
const OPUS = { codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1 }

export const audioStats = {
  captured: 0, encoded: 0, sent: 0, received: 0, decoded: 0, played: 0, dropped: 0, peak: 0, lastPeak: 0, errors: [],
}
globalThis.heartlineAudio = audioStats

/** True when this browser can do the relay: WebCodecs with Opus, AudioWorklet and a microphone API. */
export async function audioSupported() {
  if (typeof AudioEncoder === 'undefined' || typeof AudioDecoder === 'undefined') return false
  const [enc, dec] = await Promise.all([
    AudioEncoder.isConfigSupported({ ...OPUS, bitrate: 24000 }), AudioDecoder.isConfigSupported(OPUS),
  ]).catch(() => [{}, {}])
  return Boolean(enc.supported && dec.supported && navigator.mediaDevices?.getUserMedia)
}

/** Microphone capture. The stream is opened at the first start() and kept, so later presses start at once. */
export class MicCapture {
  #context
  #node = null
  #stream = null
  #encoder = null
  #onPacket = null
  #active = false
  #timestamp = 0

  /** @param {AudioContext} context a 48 kHz context */
  constructor(context) {
    this.#context = context
  }

  /** Starts encoding; `onPacket(Uint8Array)` receives each Opus packet. Rejects when the microphone is refused. */
  async start(onPacket) {
    this.#onPacket = onPacket
    if (!this.#node) await this.#open()
    if (!this.#encoder || this.#encoder.state === 'closed') this.#encoder = this.#createEncoder()
    this.#active = true
  }

  /** Stops encoding after the packets of what was already captured went out (the last syllable is not cut). */
  async stop() {
    this.#active = false
    const encoder = this.#encoder
    if (encoder?.state === 'configured') {
      try {
        await encoder.flush()
      } catch {
        // closed meanwhile
      }
    }
  }

  get active() {
    return this.#active
  }

  async #open() {
    this.#stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    })
    await this.#context.audioWorklet.addModule('/app/capture-worklet.js')
    const source = this.#context.createMediaStreamSource(this.#stream)
    const node = new AudioWorkletNode(this.#context, 'heartline-capture', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' })
    node.port.onmessage = (e) => this.#onBlock(e.data)
    // A silent path to the destination keeps the node pulled by the graph.
    const mute = this.#context.createGain()
    mute.gain.value = 0
    source.connect(node).connect(mute).connect(this.#context.destination)
    this.#node = node
  }

  #createEncoder() {
    const encoder = new AudioEncoder({
      output: (chunk) => {
        const packet = new Uint8Array(chunk.byteLength)
        chunk.copyTo(packet)
        audioStats.encoded++
        if (this.#onPacket?.(packet)) audioStats.sent++
      },
      error: (err) => audioStats.errors.push(`encoder: ${err.message}`),
    })
    encoder.configure({ ...OPUS, bitrate: 24000, opus: { frameDuration: 20000, application: 'voip' } })
    return encoder
  }

  #onBlock(samples) {
    if (!this.#active || this.#encoder?.state !== 'configured') return
    audioStats.captured++
    const data = new AudioData({
      format: 'f32-planar', sampleRate: SAMPLE_RATE, numberOfFrames: FRAME_SAMPLES, numberOfChannels: 1,
      timestamp: this.#timestamp, data: samples,
    })
    this.#timestamp += (FRAME_SAMPLES / SAMPLE_RATE) * 1e6
    this.#encoder.encode(data)
    data.close()
  }
}

/**
 * Playback of received frames. Frames arrive in order over the socket, so the jitter buffer only schedules each
 * decoded frame back-to-back, starting `bufferMs` ahead; after an underrun it starts over with the same margin.
 */
export class AudioPlayback {
  #context
  #output
  #decoder = null
  #epoch = -1
  #lastSequence = -1
  #playhead = 0

  /** @param {AudioContext} context @param {{ bufferMs?: number }} [options] */
  constructor(context, { bufferMs = 80 } = {}) {
    this.#context = context
    this.bufferSec = bufferMs / 1000
    this.#output = context.createGain()
    this.#output.connect(context.destination)
  }

  /** @param {{ epoch: number, sequence: number, payload: Uint8Array }} frame from PttClient's 'audio' event */
  push(frame) {
    audioStats.received++
    if (frame.epoch !== this.#epoch) this.#reset(frame.epoch)
    if (frame.sequence <= this.#lastSequence) {
      audioStats.dropped++
      return
    }
    this.#lastSequence = frame.sequence
    try {
      this.#decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: frame.sequence * 20000, data: frame.payload }))
    } catch (err) {
      audioStats.errors.push(`decode: ${err.message}`)
    }
  }

  #reset(epoch) {
    this.#epoch = epoch
    this.#lastSequence = -1
    this.#playhead = 0
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close()
    this.#decoder = new AudioDecoder({
      output: (data) => this.#play(data),
      error: (err) => audioStats.errors.push(`decoder: ${err.message}`),
    })
    this.#decoder.configure(OPUS)
  }

  #play(data) {
    const frames = data.numberOfFrames
    const samples = new Float32Array(frames)
    data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' })
    const rate = data.sampleRate
    data.close()
    audioStats.decoded++
    let peak = 0
    for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]))
    audioStats.lastPeak = peak
    audioStats.peak = Math.max(audioStats.peak, peak)
    const context = this.#context
    if (context.state !== 'running') return
    const buffer = context.createBuffer(1, frames, rate)
    buffer.copyToChannel(samples, 0)
    const source = context.createBufferSource()
    source.buffer = buffer
    source.connect(this.#output)
    const now = context.currentTime
    if (this.#playhead < now + 0.005) this.#playhead = now + this.bufferSec
    source.start(this.#playhead)
    this.#playhead += buffer.duration
    audioStats.played++
  }
}
