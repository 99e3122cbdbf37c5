// Drives /sdk/webinar.js against a running Heartline server with a minimal browser stand-in, and prints what
// happened as JSON for WebinarSdkTests. Usage: node webinar-sdk-check.mjs <base-url> <webinar-id>
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [base, webinarId] = process.argv.slice(2);
const sdkPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../src/Heartline.Server/wwwroot/sdk/webinar.js');

// Browser stand-ins: localStorage, document visibility, navigator.sendBeacon (refusing, as when its queue is full).
const store = new Map();
globalThis.localStorage = {
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};
const listeners = new Map();
globalThis.document = {
  visibilityState: 'visible',
  referrer: 'https://partner.example/',
  hasFocus: () => true,
  addEventListener: (type, fn) => listeners.set(type, fn),
  removeEventListener: (type) => listeners.delete(type),
};
const beacons = [];
Object.defineProperty(globalThis, 'navigator', {
  value: { sendBeacon: (url, body) => { beacons.push({ url, body: String(body) }); return false; } },
  configurable: true,
});
const fetches = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (url, options = {}) => {
  fetches.push({ url: String(url).replace(base, ''), keepalive: options.keepalive === true, contentType: options.headers?.['Content-Type'] });
  return realFetch(url, options);
};

const { WebinarWatch } = await import(pathToFileURL(sdkPath).href);
const events = [];
const watch = new WebinarWatch({ webinarId, baseUrl: base, onEvent: (e) => events.push(e.type) });
const tracked = await watch.start();
const firstKey = watch.sessionKey;
const ping = await watch.ping();

// The page is hidden: exit through sendBeacon, which refuses, so fetch with keepalive takes over.
document.visibilityState = 'hidden';
await listeners.get('visibilitychange')();
// Shown again: a new session with a new key.
document.visibilityState = 'visible';
await listeners.get('visibilitychange')();
const secondKey = watch.sessionKey;
await watch.stop();
const beaconsOfFirstFlow = beacons.length;
const fetchesOfFirstFlow = fetches.length;

// Two tabs of one browser share localStorage: each has its own session, both are the same viewer, and one tab's
// exit leaves the other's session open.
const tabA = new WebinarWatch({ webinarId, baseUrl: base });
const tabB = new WebinarWatch({ webinarId, baseUrl: base });
const trackedA = await tabA.start();
const trackedB = await tabB.start();
await tabA.stop();
const pingB = await tabB.ping();
await tabB.stop();

// A tab opened in the background does not track until it is first shown.
document.visibilityState = 'hidden';
const background = new WebinarWatch({ webinarId, baseUrl: base });
const fetchesBefore = fetches.length;
const backgroundStart = await background.start();
const fetchesWhileHidden = fetches.length - fetchesBefore;
document.visibilityState = 'visible';
await listeners.get('visibilitychange')();
const backgroundKey = background.sessionKey;
await background.stop();

console.log(JSON.stringify({
  tracked: tracked.status,
  viewerToken: localStorage.getItem('heartline.webinar.viewer_token'),
  storageKeys: [...store.keys()],
  firstKey,
  secondKey,
  interval: tracked.heartbeat_interval_seconds,
  pingCollecting: ping.collecting,
  beacons: beacons.slice(0, beaconsOfFirstFlow).map((b) => ({ path: b.url.replace(base, ''), body: JSON.parse(b.body) })),
  fetches: fetches.slice(0, fetchesOfFirstFlow),
  events,
  tabs: {
    keyA: trackedA.session_key, keyB: trackedB.session_key, statusA: trackedA.status, statusB: trackedB.status,
    newTokenB: trackedB.viewer_token ?? null, pingB: pingB?.session?.status ?? null,
  },
  background: { start: backgroundStart, fetchesWhileHidden, key: backgroundKey },
}));
