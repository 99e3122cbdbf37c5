// The Q&A comparison's driver (docs/benchmarks.md): USERS located users spread over Jeju (around the 11 regions'
// centres, the same seeded spread for both servers) connect to one server — Heartline's Q&A module or seed 003's
// Socket.IO design — then, after a warm-up of 250 questions that is not measured, questions arrive at RATE a second for
// SECONDS: create → tier-1 notification latency at every
// notified neighbour, server CPU; then typing fan-out in one room of ROOM members; and the server's own nearest-10
// lookup times. One JSON line on stdout.
//   node driver.js --target heartline|seed --port P --server-pid PID [--users 10000] [--rate 50] [--seconds 20]
//                  [--room 200] [--warmup 250] [--signing-key K]
'use strict';
const http = require('node:http');
const WebSocket = require('ws');
const { sample } = require('../proc');
const { parseArgs, sleep, jwt: sign, pool } = require('../drivers');

const args = parseArgs();
const target = args.target;
const port = Number(args.port);
const serverPid = Number(args['server-pid'] || 0);
const USERS = Number(args.users || 10000);
const RATE = Number(args.rate || 50);
const SECONDS = Number(args.seconds || 20);
const ROOM = Math.min(Number(args.room || 200), USERS);
const TYPINGS = 200;
const TYPING_WARMUP = 100;
const key = args['signing-key'];

// The regions' centres (as the server ships them); users are spread around them with σ ≈ 2.5 km.
const CENTRES = [[33.4626, 126.3305], [33.411, 126.2694], [33.4996, 126.5312], [33.5384, 126.6347], [33.5259, 126.8206], [33.4365, 126.918],
  [33.3264, 126.8311], [33.2796, 126.7194], [33.2541, 126.56], [33.253, 126.335], [33.2251, 126.25]];
let seed = 20261204;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const gaussian = () => Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
function place() {
  const [lat, lng] = CENTRES[Math.floor(random() * CENTRES.length)];
  return {
    lat: Math.min(33.59, Math.max(33.11, lat + (gaussian() * 2500) / 111320)),
    lng: Math.min(126.99, Math.max(126.11, lng + (gaussian() * 2500) / 92900)),
  };
}

const jwt = (claims) => sign(key, claims);

const sentAt = new Map(); // question number -> performance.now() at send
const tier1 = []; // create -> tier-1 notification, ms
const typingSentAt = []; // k -> performance.now()
const typingLatencies = [];
const typingLast = []; // k -> latency of the last member to see typing k (the whole fan-out), ms

function onQuestionNotified(body, tier) {
  if (tier !== 1) return;
  const n = Number(/^bench q (\d+)/.exec(body)?.[1]);
  const t0 = sentAt.get(n);
  if (t0 !== undefined) tier1.push(performance.now() - t0);
}

function onTyping(client) {
  const k = client.typingSeen++;
  if (typingSentAt[k] === undefined) return;
  const latency = performance.now() - typingSentAt[k];
  typingLatencies.push(latency);
  typingLast[k] = Math.max(typingLast[k] ?? 0, latency);
}

const heartline = {
  connect(id, at) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const client = { ws, id, nextId: 0, pending: new Map(), typingSeen: 0 };
      client.request = (cmd, cmdArgs) => new Promise((res, rej) => {
        const rid = ++client.nextId;
        client.pending.set(rid, { res, rej });
        ws.send(JSON.stringify({ id: rid, cmd, args: cmdArgs }));
      });
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"push":"signal"')) return onTyping(client);
        if (text.startsWith('{"push":"pub"')) {
          if (text.includes('"type":"notification"')) {
            const n = JSON.parse(text).data.notification;
            if (n.kind === 'question') onQuestionNotified(n.question.body, n.tier);
          }
          return;
        }
        if (text.includes('"push"')) return;
        const reply = JSON.parse(text);
        const pending = client.pending.get(reply.id);
        if (!pending) return;
        client.pending.delete(reply.id);
        if (reply.error) pending.rej(new Error(`${reply.error.code}: ${reply.error.message}`)); else pending.res(reply.result);
      });
      ws.on('error', reject);
      ws.on('open', async () => {
        try {
          await client.request('connect', { token: jwt({ sub: id, name: id, role: 'qna_user' }), client: 'bench/qna' });
          await client.request('subscribe', { channel: `qna:u.${id}` });
          await client.request('qna.location', { lat: at.lat, lng: at.lng });
          resolve(client);
        } catch (err) { reject(err); }
      });
    });
  },
  ask: (client, n, at) => client.request('qna.ask', { body: `bench q ${n}`, hashtags: [], lat: at.lat, lng: at.lng })
    .then((r) => r.question.id),
  join: (client, questionId) => client.request('subscribe', { channel: `qna:q.${questionId}` }),
  type: (client, questionId, k) => client.request('qna.typing', { question_id: questionId, typing: k % 2 === 0 }),
  async stats() {
    const admin = jwt({ sub: 'bench-admin', name: 'bench', role: 'admin' });
    const body = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/api/admin/stats', headers: { authorization: `Bearer ${admin}` } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
      }).on('error', reject);
    });
    const q = body.modules.qna;
    return { lookup_p50_ms: q.lookup_p50_ms, lookup_p99_ms: q.lookup_p99_ms, server_tier1_p50_ms: q.tier1_delay_p50_ms, server_tier1_p99_ms: q.tier1_delay_p99_ms };
  },
};

const seedDesign = {
  connect(id, at) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&user=${id}`);
      const client = { ws, id, nextId: 0, pending: new Map(), typingSeen: 0 };
      client.emit = (event, body) => new Promise((res) => {
        const ackId = ++client.nextId;
        client.pending.set(ackId, res);
        ws.send(`42${ackId}${JSON.stringify([event, body])}`);
      });
      ws.on('message', async (data) => {
        const text = data.toString();
        if (text === '2') return ws.send('3');
        if (text.startsWith('0{')) return ws.send('40');
        if (text.startsWith('40')) {
          await client.emit('update_location', { latitude: at.lat, longitude: at.lng });
          return resolve(client);
        }
        if (text.startsWith('42["new_question_notification"')) {
          const payload = JSON.parse(text.slice(2))[1];
          return onQuestionNotified(payload.question.body, payload.tier);
        }
        if (text.startsWith('42["user_typing"')) return onTyping(client);
        if (text.startsWith('43')) {
          const bracket = text.indexOf('[');
          const ackId = Number(text.slice(2, bracket));
          const res = client.pending.get(ackId);
          client.pending.delete(ackId);
          if (res) res(JSON.parse(text.slice(bracket))[0]);
        }
      });
      ws.on('error', reject);
    });
  },
  ask: (client, n, at) => client.emit('create_question', { body: `bench q ${n}`, hashtags: [], location: { latitude: at.lat, longitude: at.lng } })
    .then((r) => r.question.id),
  join: (client, questionId) => client.emit('join_question', { questionId }),
  type: (client, questionId, k) => client.ws.send(`42${JSON.stringify(['typing_start', { questionId, at: k }])}`),
  stats: (client) => client.emit('stats', {}),
};

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const pick = (p) => (sorted.length ? +sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(2) : null);
  return { count: sorted.length, p50: pick(0.5), p99: pick(0.99), max: sorted.length ? +sorted.at(-1).toFixed(2) : null };
}

async function main() {
  const adapter = target === 'heartline' ? heartline : seedDesign;
  const result = { target, users: USERS, rate: RATE, seconds: SECONDS, room: ROOM };
  const places = Array.from({ length: USERS }, place);
  const clients = new Array(USERS);
  const t0 = performance.now();
  await pool(USERS, 50, async (i) => { clients[i] = await adapter.connect(`u${i}`, places[i]); });
  result.connect_seconds = Math.round(performance.now() - t0) / 1000;
  await sleep(5000);

  // Warm-up, not measured: WARMUP questions at RATE (both runtimes compile their hot paths), then a pause.
  const WARMUP = Number(args.warmup ?? 250);
  for (let n = 0; n < WARMUP; n++) {
    const i = Math.floor(random() * USERS);
    await adapter.ask(clients[i], -2 - n, places[i]);
    await sleep(1000 / RATE);
  }
  await sleep(3000);
  tier1.length = 0;

  // Questions at RATE a second from random users, each at its user's place.
  const before = sample(serverPid);
  const total = RATE * SECONDS;
  const askLatencies = [];
  const started = performance.now();
  const asks = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const i = Math.floor(random() * USERS);
    sentAt.set(n, performance.now());
    asks.push(adapter.ask(clients[i], n, places[i]).then(() => askLatencies.push(performance.now() - sentAt.get(n))));
  }
  await Promise.all(asks);
  await sleep(1500); // the last tier-1 notifications (tier 2 follows at 3 s)
  const after = sample(serverPid);
  result.questions = total;
  result.ask_reply_ms = summary(askLatencies);
  result.create_to_tier1_ms = summary(tier1);
  result.tier1_per_question = +(tier1.length / total).toFixed(2);
  if (before && after) {
    result.cpu_percent = Math.round(((after.cpuSeconds - before.cpuSeconds) / ((after.at - before.at) / 1000)) * 1000) / 10;
    result.rss_mb = Math.round(after.rss / 1048576);
  }
  await sleep(3000); // tier 2 of the last questions passes before the typing phase

  // Typing fan-out: ROOM members in one question's room; one types TYPINGS times at 20 a second.
  const roomId = await adapter.ask(clients[0], -1, places[0]);
  await pool(ROOM, 20, async (i) => { if (i > 0) await adapter.join(clients[i], roomId); });
  if (target === 'heartline') await adapter.join(clients[0], roomId);
  // Warm-up, not measured, as for the questions: the first typings run code neither server has run yet (a JIT's
  // tiers on one side, V8's on the other); a server that has been up for a while has them compiled.
  for (let k = 0; k < TYPING_WARMUP; k++) {
    adapter.type(clients[1], roomId, k);
    await sleep(50);
  }
  await sleep(1000);
  for (const c of clients.slice(0, ROOM)) c.typingSeen = 0;
  for (let k = 0; k < TYPINGS; k++) {
    typingSentAt[k] = performance.now();
    adapter.type(clients[1], roomId, k);
    await sleep(50);
  }
  await sleep(1000);
  result.typing_fanout_ms = summary(typingLatencies);
  // Per typing event: when its last member saw it. A slow event (every member late) and a slow fan-out (the last
  // ones late) look alike in the figure above; this one tells them apart.
  result.typing_last_member_ms = summary(typingLast.filter((v) => v !== undefined));
  result.typing_expected = TYPINGS * (ROOM - 1);
  result.server = await adapter.stats(clients[0]);
  for (const c of clients) c.ws.terminate();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => { console.error(err); process.exit(1); });
