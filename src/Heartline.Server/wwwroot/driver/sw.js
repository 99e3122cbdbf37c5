// The driver app's shell, cached for a start without network. Network first, so a deployment shows at once; the
// cache answers only when the network does not. The API and the WebSocket are never cached.
// The network request bypasses a fresh HTTP cache entry (cache: 'no-cache' revalidates with the server), so after a
// deployment an old /sdk/*.js kept by the browser's HTTP cache never loads next to a new page.
const CACHE = 'heartline-driver-v2'
const SHELL = [
  '/driver/', '/driver/driver.js', '/driver/keep-listening.js', '/driver/manifest.webmanifest', '/driver/icon.svg', '/driver/icon-192.png',
  '/driver/icon-512.png', '/lib/opus-decoder.min.js',
  '/app/style.css', '/app/talk.js', '/app/audio.js', '/app/capture-worklet.js', '/app/cues.js', '/app/dom.js', '/app/i18n.js',
  '/app/session.js', '/sdk/accounts.js', '/sdk/heartline.js', '/sdk/ptt.js', '/sdk/ptt-cues.js', '/sdk/ptt-media.js',
]

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('heartline-driver-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()))
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return
  event.respondWith(fetch(event.request, { cache: 'no-cache' })
    .then((response) => {
      if (response.ok) {
        const copy = response.clone()
        caches.open(CACHE).then((cache) => cache.put(event.request, copy))
      }
      return response
    })
    .catch(() => caches.match(event.request, { ignoreSearch: true })))
})
