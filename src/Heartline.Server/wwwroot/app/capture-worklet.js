// Collects the microphone's samples (mono, the context's 48 kHz) into 20 ms blocks of 960 for the Opus encoder.
class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super()
    this.block = new Float32Array(960)
    this.filled = 0
  }

  process(inputs) {
    const channel = inputs[0]?.[0]
    if (channel) {
      let offset = 0
      while (offset < channel.length) {
        const n = Math.min(channel.length - offset, this.block.length - this.filled)
        this.block.set(channel.subarray(offset, offset + n), this.filled)
        this.filled += n
        offset += n
        if (this.filled === this.block.length) {
          this.port.postMessage(this.block, [this.block.buffer])
          this.block = new Float32Array(960)
          this.filled = 0
        }
      }
    }
    return true
  }
}

registerProcessor('heartline-capture', CaptureProcessor)
