// The VoIP comparison's driver (docs/benchmarks.md): connects GUESTS guests to one server (Heartline's VoIP module, or
// seed 002's Socket.IO + Redis design), answers every liveness ping, measures the server's resident memory per
// connected guest and its CPU over an idle window that holds a ping round, then INVITES invite → incoming latencies
// (the callee's phone rings), and on Heartline the purge of PURGE stale guest records. One JSON line on stdout.
//   node driver.js --target heartline|seed --port P --server-pid PID [--guests 10000] [--invites 1000] [--idle 65]
//                  [--settle 15] [--signing-key K] [--purge 100000]
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const WebSocket = require('ws');
const { sample } = require('../proc');
const { parseArgs, sleep, jwt, pool } = require('../drivers');

const args = parseArgs();
const target = args.target;
const port = Number(args.port);
const serverPid = Number(args['server-pid'] || 0);
const GUESTS = Number(args.guests || 10000);
const INVITES = Number(args.invites || 1000);
const IDLE_SECONDS = Number(args.idle || 65);
const SETTLE_SECONDS = Number(args.settle || 15);
const PURGE = Number(args.purge || 0);
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function httpJson(method, path, body, token) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: {
      ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
        else resolve(text ? JSON.parse(text) : null);
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const ringing = new Map(); // callee id -> { resolve }

function heartlineGuest(guest) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const client = { ws, id: guest.guest_id, nextId: 0, pending: new Map() };
    client.request = (cmd, cmdArgs) => new Promise((res, rej) => {
      const id = ++client.nextId;
      client.pending.set(id, { res, rej });
      ws.send(JSON.stringify({ id, cmd, args: cmdArgs }));
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"push":"voip.ping"')) {
        const seq = JSON.parse(text).seq;
        ws.send(`{"id":${++client.nextId},"cmd":"voip.pong","args":{"seq":${seq}}}`);
        return;
      }
      if (text.includes('"push"')) {
        if (text.includes('"type":"incoming"')) {
          const waiter = ringing.get(client.id);
          if (waiter) waiter.resolve(JSON.parse(text).data.call_id);
        }
        return;
      }
      const reply = JSON.parse(text);
      const pending = client.pending.get(reply.id);
      if (!pending) return;
      client.pending.delete(reply.id);
      if (reply.error) pending.rej(new Error(reply.error.code)); else pending.res(reply.result);
    });
    ws.on('error', reject);
    ws.on('open', async () => {
      try {
        await client.request('connect', { token: guest.token, client: 'bench/voip' });
        await client.request('subscribe', { channel: `voip:${client.id}` });
        resolve(client);
      } catch (err) { reject(err); }
    });
  });
}

const heartline = {
  async connect(i) {
    const guest = await httpJson('POST', '/api/voip/guests', { name: `guest ${i}` });
    return heartlineGuest(guest);
  },
  invite: (caller, callee) => caller.request('voip.call', { to: callee.id, media: 'video' }),
  hangup: (caller, callId) => caller.request('voip.hangup', { call_id: callId }),
};

const seed = {
  connect(i) {
    return new Promise((resolve, reject) => {
      const id = crypto.randomUUID();
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&guest=${id}&name=guest${i}`);
      const client = { ws, id, nextId: 0, pending: new Map() };
      client.emit = (event, body) => new Promise((res) => {
        const ackId = ++client.nextId;
        client.pending.set(ackId, res);
        ws.send(`42${ackId}${JSON.stringify([event, body])}`);
      });
      ws.on('message', (data) => {
        const text = data.toString();
        if (text === '2') { ws.send('3'); return; }
        if (text.startsWith('0{')) { ws.send('40'); return; }
        if (text.startsWith('42["guest:registered"')) { resolve(client); return; }
        if (text.startsWith('42["guest:ping"')) {
          const [, body] = JSON.parse(text.slice(2));
          ws.send(`42${JSON.stringify(['guest:pong', { seq: body.seq }])}`);
          return;
        }
        if (text.startsWith('42["call:incoming"')) {
          const waiter = ringing.get(client.id);
          if (waiter) waiter.resolve(JSON.parse(text.slice(2))[1].call_id);
          return;
        }
        if (text.startsWith('43')) {
          const bracket = text.indexOf('[');
          const res = client.pending.get(Number(text.slice(2, bracket)));
          client.pending.delete(Number(text.slice(2, bracket)));
          if (res) res(JSON.parse(text.slice(bracket))[0]);
        }
      });
      ws.on('error', reject);
    });
  },
  invite: (caller, callee) => caller.emit('call:invite', { to: callee.id, media: 'video' }),
  hangup: (caller, callId) => caller.emit('call:hangup', { call_id: callId }),
};

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null;
}

async function main() {
  const adapter = target === 'heartline' ? heartline : seed;
  const result = { target, label: args.label || target, guests: GUESTS, invites: INVITES };
  await sleep(500);
  const baseline = sample(serverPid);
  const clients = new Array(GUESTS);
  const connectStarted = performance.now();
  await pool(GUESTS, 50, async (i) => { clients[i] = await adapter.connect(i); });
  result.connect_seconds = Math.round(performance.now() - connectStarted) / 1000;
  // Idle with the seed's settings: after the connect storm has settled (queued writes, collections), a window that
  // holds a ping round (every 60 s) and two liveness checks (30 s).
  await sleep(SETTLE_SECONDS * 1000);
  const before = sample(serverPid);
  await sleep(IDLE_SECONDS * 1000);
  const after = sample(serverPid);
  if (baseline && after) {
    result.rss_baseline_mb = Math.round(baseline.rss / 1048576);
    result.rss_loaded_mb = Math.round(after.rss / 1048576);
    result.rss_per_guest_kb = Math.round((after.rss - baseline.rss) / GUESTS / 102.4) / 10;
    const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
    result.idle_cpu_percent = Math.round((cpuSeconds / ((after.at - before.at) / 1000)) * 1000) / 10;
    result.idle_cpu_us_per_guest_per_s = Math.round((cpuSeconds * 1e6) / GUESTS / ((after.at - before.at) / 1000) * 100) / 100;
  }
  const alive = clients.filter((c) => c.ws.readyState === WebSocket.OPEN).length;
  result.still_connected = alive;
  // Invite → the callee's incoming event, each pair once, 10 at a time.
  const latencies = [];
  await pool(Math.min(INVITES, Math.floor(GUESTS / 2)), 10, async (i) => {
    const caller = clients[2 * i];
    const callee = clients[2 * i + 1];
    const rang = new Promise((resolve) => ringing.set(callee.id, { resolve }));
    const t0 = performance.now();
    const [reply] = await Promise.all([adapter.invite(caller, callee), rang]);
    latencies.push(performance.now() - t0);
    ringing.delete(callee.id);
    await adapter.hangup(caller, reply.call_id);
  });
  latencies.sort((a, b) => a - b);
  result.invite_ringing_ms = { p50: +percentile(latencies, 50).toFixed(2), p99: +percentile(latencies, 99).toFixed(2), max: +latencies.at(-1).toFixed(2) };
  for (const client of clients) client.ws.terminate();
  if (target === 'heartline' && PURGE > 0) {
    // Stale guests: admitted and never connected; then one purge of everything not connected since a minute from now.
    await pool(PURGE, 64, (i) => httpJson('POST', '/api/voip/guests', { name: `stale ${i}` }));
    const admin = jwt(args['signing-key'], { sub: 'bench-admin', name: 'bench', role: 'admin' });
    const before = new Date(Date.now() + 60_000).toISOString();
    const t0 = performance.now();
    const removed = await httpJson('DELETE', `/auth/guest/cleanup?before=${encodeURIComponent(before)}`, undefined, admin);
    result.purge = { records: removed.removed, ms: Math.round(performance.now() - t0) };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  agent.destroy();
}

main().catch((err) => { console.error(err); process.exit(1); });
