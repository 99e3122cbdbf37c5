// Keeping a driver's phone listening with the screen off or another app in front, where the browser allows it
// (issue: "push-to-talk on the road"): while on duty a quiet audio element loops, so Android Chrome treats the page as
// playing media and does not suspend it; the Media Session names the office and the current speaker on the lock
// screen, and its pause/play actions mute and unmute; and a page the browser froze anyway says so when it resumes.
// globalThis.heartlineKeepListening holds the state tests read.

const state = { onDuty: false, playing: false, frozenAt: null, resumed: 0, error: null }
globalThis.heartlineKeepListening = state

/** One second of near-silence (16-bit PCM, 8 kHz, amplitude ±1): audible media to the browser, nothing to the ear. */
function quietWav() {
  const rate = 8000
  const samples = rate
  const buffer = new ArrayBuffer(44 + samples * 2)
  const view = new DataView(buffer)
  const text = (offset, s) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)))
  text(0, 'RIFF')
  view.setUint32(4, 36 + samples * 2, true)
  text(8, 'WAVE')
  text(12, 'fmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true)
  view.setUint16(22, 1, true)
  view.setUint32(24, rate, true)
  view.setUint32(28, rate * 2, true)
  view.setUint16(32, 2, true)
  view.setUint16(34, 16, true)
  text(36, 'data')
  view.setUint32(40, samples * 2, true)
  for (let i = 0; i < samples; i++) view.setInt16(44 + i * 2, i % 2 ? 1 : -1, true)
  return URL.createObjectURL(new Blob([buffer], { type: 'audio/wav' }))
}

/**
 * Starts keeping the page alive (call from the on-duty gesture). `ptt` is the page's PttClient, `office` its office
 * key, `t` the text function, `notice(text)` shows a message to the driver, `setMuted(muted)` mutes the page.
 */
export function keepListening({ ptt, office, t, notice, setMuted }) {
  if (state.onDuty) return
  state.onDuty = true
  const keepAlive = new Audio(quietWav())
  keepAlive.loop = true
  keepAlive.play().then(() => { state.playing = true }).catch((err) => { state.error = err.message })

  const session = globalThis.navigator?.mediaSession
  const describe = (speaker) => {
    if (!session || typeof MediaMetadata === 'undefined') return
    session.metadata = new MediaMetadata({
      title: speaker ? t('keep.speaking').replace('{name}', speaker) : t('keep.standing_by'),
      artist: office ?? '',
      album: 'Heartline PTT',
    })
    session.playbackState = 'playing'
  }
  describe(null)
  if (session) {
    const on = (action, handler) => {
      try {
        session.setActionHandler(action, handler)
      } catch {
        // Not every browser knows every action.
      }
    }
    on('pause', () => {
      setMuted(true)
      session.playbackState = 'paused'
    })
    on('play', () => {
      setMuted(false)
      session.playbackState = 'playing'
    })
  }
  ptt.on('session_started', (s) => describe(s.speaker?.name))
  ptt.on('session_ended', () => describe(null))

  // Page Lifecycle: a frozen page hears nothing; on resume the driver is told (the reconnect lists the missed calls).
  document.addEventListener('freeze', () => { state.frozenAt = Date.now() })
  document.addEventListener('resume', () => {
    state.resumed++
    notice(t('keep.resumed'))
    if (keepAlive.paused) keepAlive.play().catch(() => {})
  })
}
