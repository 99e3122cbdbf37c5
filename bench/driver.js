// One driver for the three servers: connects one speaker and M listeners to one office, then runs
//   fanout: R rounds of press → every listener receives session_started (per-listener latency from the press send),
//   relay:  the speaker streams 20 ms audio frames for D seconds (per-frame latency from a send timestamp in the payload).
// Prints one JSON line. Usage: node driver.js --target heartline|socketio|ws --port P --workload fanout|relay
//   [--listeners 500] [--rounds 30] [--warmup 5] [--duration 10] [--rate 50] [--server-pid PID] [--signing-key K]
'use strict';
const WebSocket = require('ws');
const protocols = require('./protocols');
const { sample, usage } = require('./proc');

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const options = {
  target: args.target, port: Number(args.port), workload: args.workload || 'fanout',
  listeners: Number(args.listeners || 500), rounds: Number(args.rounds || 30), warmup: Number(args.warmup || 5),
  intervalMs: Number(args['interval-ms'] || 100), duration: Number(args.duration || 10), rate: Number(args.rate || 50),
  payload: Number(args.payload || 80), timeoutMs: Number(args['timeout-ms'] || 10000),
  serverPid: args['server-pid'] ? Number(args['server-pid']) : null,
  signingKey: args['signing-key'] || '', region: 'bench', office: `o${process.pid}`,
};
const protocol = protocols[options.target];
if (!protocol || !options.port) { console.error('usage: see the header of driver.js'); process.exit(2); }

const now = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;
const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));
const state = { firstRecorded: 0, pressAt: 0n, recording: false, started: [], frames: [], expectStarted: 0, expectEnded: 0, onAll: null, onEnded: null, delivered: 0 };

function open(index) {
  const speaker = index < 0;
  const client = { office: options.office, user: speaker ? 'speaker' : `l${index}`, speaker, nextId: 0, pending: new Map() };
  client.ws = new WebSocket(protocol.url(options.port, client), { perMessageDeflate: false });
  client.ws.on('message', (data, isBinary) => {
    const at = now();
    const kind = protocol.classify(client, data, isBinary);
    if (speaker) return;
    if (kind === 'started') {
      if (state.recording) state.started.push(ms(at - state.pressAt));
      if (--state.expectStarted === 0 && state.onAll) state.onAll();
    } else if (kind === 'ended') {
      if (--state.expectEnded === 0 && state.onEnded) state.onEnded();
    } else if (kind === 'audio' && data.length >= 21) {
      // Warm-up frames still in flight when recording starts are not counted.
      if (state.recording && data.readUInt32BE(9) > state.firstRecorded) {
        state.frames.push(ms(at - data.readBigInt64LE(13)));
        state.delivered++;
      }
    }
  });
  return new Promise((resolve, reject) => {
    client.ws.once('error', reject);
    client.ws.once('open', () => protocol.handshake(client, options).then(() => resolve(client), reject));
  });
}

async function connectAll() {
  const listeners = [];
  for (let i = 0; i < options.listeners; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(i + 100, options.listeners); j++) batch.push(open(j));
    listeners.push(...await Promise.all(batch));
  }
  return { speaker: await open(-1), listeners };
}

function waitFor(setter, timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    setter(() => { clearTimeout(timer); resolve(true); });
  });
}

async function fanout(speaker) {
  const grants = [];
  let missing = 0;
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    state.recording = round >= options.warmup;
    state.expectStarted = options.listeners;
    state.expectEnded = options.listeners;
    const all = waitFor((done) => { state.onAll = done; }, options.timeoutMs);
    state.pressAt = now();
    const epoch = await protocol.press(speaker);
    if (state.recording) grants.push(ms(now() - state.pressAt));
    if (!await all) missing += state.expectStarted;
    const ended = waitFor((done) => { state.onEnded = done; }, options.timeoutMs);
    await protocol.release(speaker, epoch);
    await ended;
    await sleep(options.intervalMs);
  }
  return { notify_ms: summarize(state.started), grant_ms: summarize(grants), missing };
}

async function relay(speaker) {
  const epoch = await protocol.press(speaker);
  const frame = Buffer.alloc(13 + Math.max(options.payload, 8));
  frame[0] = 1;
  frame.writeBigUInt64BE(BigInt(epoch), 1);
  const interval = 1000 / options.rate;
  const warmupFrames = options.rate; // the first second is not recorded
  state.firstRecorded = warmupFrames;
  const total = warmupFrames + Math.round(options.duration * options.rate);
  const start = performance.now();
  let measuredFrom = 0n;
  const lag = [];
  for (let k = 0; k < total; k++) {
    const wait = start + k * interval - performance.now();
    if (wait > 0) await sleep(wait);
    else lag.push(-wait);
    if (k === warmupFrames) { state.recording = true; measuredFrom = now(); }
    frame.writeUInt32BE(k + 1, 9);
    frame.writeBigInt64LE(now(), 13);
    protocol.sendAudio(speaker, frame);
  }
  const sent = total - warmupFrames;
  const expected = sent * options.listeners;
  const drainStart = Date.now();
  while (state.delivered < expected && Date.now() - drainStart < 2000) await sleep(20);
  const seconds = ms(now() - measuredFrom) / 1000;
  state.recording = false;
  await protocol.release(speaker, epoch);
  return {
    frame_ms: summarize(state.frames), frames_sent: sent, expected, delivered: state.delivered,
    delivered_per_second: Math.round(state.delivered / seconds), late_sends: lag.length, missing: expected - state.delivered,
  };
}

function summarize(values) {
  if (values.length === 0) return { count: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (v) => Math.round(v * 1000) / 1000;
  return {
    count: sorted.length, mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]),
  };
}

async function main() {
  const baseline = sample(options.serverPid);
  const { speaker, listeners } = await connectAll();
  await sleep(500);
  const loaded = sample(options.serverPid);
  const before = sample(options.serverPid);
  const result = options.workload === 'relay' ? await relay(speaker) : await fanout(speaker);
  const after = sample(options.serverPid);
  const server = usage(baseline, loaded, before, after, listeners.length + 1);
  for (const client of [speaker, ...listeners]) client.ws.terminate();
  console.log(JSON.stringify({ target: options.target, workload: options.workload, listeners: options.listeners, ...result, server }));
}

const deadline = setTimeout(() => { console.error('driver: overall time limit reached'); process.exit(1); },
  60_000 + options.rounds * options.timeoutMs + options.duration * 1000);
deadline.unref();
main().then(() => process.exit(0), (error) => { console.error(`driver: ${error.message}`); process.exit(1); });
