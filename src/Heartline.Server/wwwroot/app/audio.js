// Relay audio in the browser: microphone → WebCodecs AudioEncoder (Opus, 48 kHz mono, 20 ms) → PTT relay frames,
// and relay frames → AudioDecoder → a small jitter buffer → the speakers. Where WebCodecs' AudioDecoder is missing
// (Firefox, many iPhones), frames are decoded by libopus in WebAssembly (/lib/opus-decoder.min.js, the npm package
// opus-decoder, loaded only then). window.heartlineAudio holds the counters tests read.

const SAMPLE_RATE = 48000
const FRAME_SAMPLES = 960
const OPUS = { codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1 }

export const audioStats = {
  captured: 0, encoded: 0, sent: 0, received: 0, decoded: 0, played: 0, dropped: 0, peak: 0, lastPeak: 0, micOpens: 0, errors: [],
  /** Which decoder plays relay audio: 'webcodecs', 'wasm', or null before the first frame. */
  decoder: null,
}

/** Frames held while the WebAssembly decoder compiles (its first use): a second of speech at most. */
const WASM_PENDING_MAX = 50
let wasmLoad = null

/** Loads the WebAssembly Opus decoder once (a classic script that defines globalThis['opus-decoder']). */
function loadWasmDecoder() {
  wasmLoad ??= new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = '/lib/opus-decoder.min.js'
    script.onload = () => resolve(globalThis['opus-decoder'].OpusDecoder)
    script.onerror = () => reject(new Error('the WebAssembly Opus decoder did not load'))
    document.head.append(script)
  })
  return wasmLoad
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

/** Each context loads the capture worklet once. @type {WeakMap<BaseAudioContext, Promise<void>>} */
const workletLoads = new WeakMap()

/**
 * Microphone capture. The stream is opened at the first start() and kept, so later presses start at once; a track
 * that ended meanwhile (unplugged, revoked, taken by the system) is opened again at the next start(). While
 * capturing, the track ending or going mute stops the capture and calls `onLost(error)`: nothing would be sent.
 */
export class MicCapture {
  #context
  #onLost
  #node = null
  #graph = []
  #stream = null
  #track = null
  /** The open in flight: presses while the permission prompt is up share it (one stream, one worklet). */
  #opening = null
  #encoder = null
  #onPacket = null
  #active = false
  #timestamp = 0
  /** Every start() and stop() takes a number: a start whose open finishes after a later call does nothing. */
  #generation = 0

  /** @param {AudioContext} context a 48 kHz context @param {{ onLost?: (error: Error) => void }} [options] */
  constructor(context, { onLost } = {}) {
    this.#context = context
    this.#onLost = onLost
  }

  /**
   * Starts encoding; `onPacket(Uint8Array)` receives each Opus packet. Resolves with true when capturing, false when
   * a later start() or stop() came first. Rejects when the microphone is refused, missing or muted.
   */
  async start(onPacket) {
    // Speaking needs WebCodecs' Opus encoder; without it (Firefox, many iPhones) the page says so and only listens.
    if (typeof AudioEncoder === 'undefined') {
      throw Object.assign(new Error('this browser has no WebCodecs AudioEncoder'), { name: 'EncoderMissingError' })
    }
    const generation = ++this.#generation
    this.#onPacket = onPacket
    if (this.#track && this.#track.readyState !== 'live') this.#close()
    if (!this.#node) {
      this.#opening ??= this.#open().finally(() => (this.#opening = null))
      await this.#opening
    }
    if (generation !== this.#generation) return false
    if (this.#track?.readyState !== 'live') throw micError('MicEndedError', 'the microphone ended')
    if (this.#track.muted) throw micError('MicMutedError', 'the microphone is muted')
    if (!this.#encoder || this.#encoder.state === 'closed') this.#encoder = this.#createEncoder()
    this.#active = true
    return true
  }

  /** Stops encoding after the packets of what was already captured went out (the last syllable is not cut). */
  async stop() {
    this.#generation++
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

  /** The microphone track (null before the first start()). */
  get track() {
    return this.#track
  }

  async #open() {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    })
    audioStats.micOpens++
    try {
      let load = workletLoads.get(this.#context)
      if (!load) {
        load = this.#context.audioWorklet.addModule('/app/capture-worklet.js')
        workletLoads.set(this.#context, load)
        load.catch(() => workletLoads.delete(this.#context))
      }
      await load
      const source = this.#context.createMediaStreamSource(stream)
      const node = new AudioWorkletNode(this.#context, 'heartline-capture', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' })
      node.port.onmessage = (e) => this.#onBlock(e.data)
      // A silent path to the destination keeps the node pulled by the graph.
      const mute = this.#context.createGain()
      mute.gain.value = 0
      source.connect(node).connect(mute).connect(this.#context.destination)
      const track = stream.getAudioTracks()[0]
      track.addEventListener('ended', () => this.#lost(track, micError('MicEndedError', 'the microphone ended')))
      track.addEventListener('mute', () => this.#lost(track, micError('MicMutedError', 'the microphone is muted')))
      this.#stream = stream
      this.#track = track
      this.#graph = [source, node, mute]
      this.#node = node
    } catch (err) {
      for (const t of stream.getTracks()) t.stop()
      throw err
    }
  }

  /** Lets go of the microphone and its graph (the next start() opens them again). */
  #close() {
    for (const node of this.#graph) node.disconnect()
    if (this.#node) this.#node.port.onmessage = null
    for (const t of this.#stream?.getTracks() ?? []) t.stop()
    this.#graph = []
    this.#node = null
    this.#stream = null
    this.#track = null
  }

  #lost(track, error) {
    if (track !== this.#track || !this.#active) return
    this.#active = false
    this.#generation++
    this.#onLost?.(error)
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

/** An Error whose `name` tells a microphone that ended from one that went mute. */
function micError(name, message) {
  const error = new Error(message)
  error.name = name
  return error
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
    if (this.#wasm) return this.#decodeWasm(frame.payload)
    try {
      this.#decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: frame.sequence * 20000, data: frame.payload }))
    } catch (err) {
      audioStats.errors.push(`decode: ${err.message}`)
    }
  }

  /** Whether this browser lacks WebCodecs' AudioDecoder, so WebAssembly decodes. */
  #wasm = typeof AudioDecoder === 'undefined'
  /** The WebAssembly decoder once it compiled; frames wait in #pending meanwhile. */
  #wasmDecoder = null
  #pending = []

  #reset(epoch) {
    this.#epoch = epoch
    this.#lastSequence = -1
    this.#playhead = 0
    if (this.#wasm) {
      audioStats.decoder = 'wasm'
      this.#pending = []
      if (this.#wasmDecoder) Promise.resolve(this.#wasmDecoder.reset()).catch(() => {})
      else this.#startWasm()
      return
    }
    audioStats.decoder = 'webcodecs'
    if (this.#decoder && this.#decoder.state !== 'closed') this.#decoder.close()
    this.#decoder = new AudioDecoder({
      output: (data) => this.#playData(data),
      error: (err) => audioStats.errors.push(`decoder: ${err.message}`),
    })
    this.#decoder.configure(OPUS)
  }

  #startWasm() {
    if (this.#wasmStarting) return
    this.#wasmStarting = true
    loadWasmDecoder()
      .then(async (OpusDecoder) => {
        const decoder = new OpusDecoder({ channels: 1 })
        await decoder.ready
        this.#wasmDecoder = decoder
        for (const payload of this.#pending.splice(0)) this.#decodeWasm(payload)
      })
      .catch((err) => audioStats.errors.push(`decoder: ${err.message}`))
  }

  #wasmStarting = false

  #decodeWasm(payload) {
    if (!this.#wasmDecoder) {
      if (this.#pending.length < WASM_PENDING_MAX) this.#pending.push(payload)
      else audioStats.dropped++
      return
    }
    try {
      const { channelData, samplesDecoded, sampleRate } = this.#wasmDecoder.decodeFrame(payload)
      if (samplesDecoded > 0) this.#play(channelData[0].subarray(0, samplesDecoded), sampleRate)
    } catch (err) {
      audioStats.errors.push(`decode: ${err.message}`)
    }
  }

  #playData(data) {
    const samples = new Float32Array(data.numberOfFrames)
    data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' })
    const rate = data.sampleRate
    data.close()
    this.#play(samples, rate)
  }

  #play(samples, rate) {
    const frames = samples.length
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
