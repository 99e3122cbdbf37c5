// The driver app: the shared talking page plus what a phone on a dashboard mount needs — install (service worker
// for the app shell) and the screen kept on while on duty.
import { startTalkApp } from '/app/talk.js'
import { keepListening } from '/driver/keep-listening.js'
import { $ } from '/app/dom.js'
import { onLangChange, t } from '/app/i18n.js'

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/driver/sw.js', { scope: '/driver/' }).catch(() => {})
}

let wakeLock = null
let onDuty = false
/** What the wake lock did, for the curious (and the tests). */
const wakeState = { supported: 'wakeLock' in navigator, requested: 0, active: false, error: null }
globalThis.heartlineWakeLock = wakeState

async function keepScreenOn() {
  if (!onDuty || !wakeState.supported || wakeLock) return
  wakeState.requested++
  try {
    wakeLock = await navigator.wakeLock.request('screen')
    wakeState.active = true
    wakeLock.addEventListener('release', () => {
      wakeLock = null
      wakeState.active = false
    })
  } catch (err) {
    // Refused (battery saver, a hidden page, no permission): tried again when the page is visible.
    wakeState.error = err.message
  }
}

// The system releases the lock when the page is hidden; take it again on return.
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && keepScreenOn())

startTalkApp({
  app: 'driver',
  role: 'pickup_driver',
  appType: 'pickup_driver',
  onReady: ({ cues, ptt }) => {
    const duty = $('duty')
    const render = () => {
      duty.textContent = t(onDuty ? 'duty.on' : 'duty.start')
      duty.setAttribute('aria-pressed', String(onDuty))
      $('duty-hint').hidden = onDuty
    }
    duty.addEventListener('click', () => {
      // A gesture: audio and speech may start from now on.
      cues.unlock()
      onDuty = true
      keepScreenOn()
      keepListening({
        ptt, office: $('office').textContent, t,
        notice: (text) => { $('keep-notice').textContent = text },
        setMuted: (muted) => (muted ? cues.context.suspend() : cues.context.resume()).catch(() => {}),
      })
      render()
    })
    onLangChange(render)
    render()
  },
})
