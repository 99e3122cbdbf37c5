// Drives a running Heartline server (Testing environment) through what a day of use leaves in its database:
// connections that ended and some still open, a push-to-talk session that ended and one that is still on the air
// (the speaker's disconnect action is stored), channel publications, presence, events, a webinar with sessions.
// make-fixtures.sh runs it against the server of the commit it names, then kills that server with SIGKILL so the
// fixture also holds what a crash leaves behind. Usage: node scenario.mjs http://127.0.0.1:PORT
import WebSocket from 'ws';

const base = process.argv[2];
const wsUrl = base.replace('http', 'ws') + '/ws';

async function post(path, body, token) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

const token = async (user, role, office = 'o1') =>
  (await post('/api/auth/dev-token', { user_id: user, name: 'Name ' + user, role, region_id: 'r1', office_id: office })).token;

function connect(tok, appType) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'heartline.v1');
    let next = 1;
    const waiting = new Map();
    const pushes = [];
    const client = {
      ws, pushes,
      request(cmd, args) {
        const id = next++;
        ws.send(JSON.stringify({ id, cmd, args }));
        return new Promise((res, rej) => {
          waiting.set(id, { res, rej });
          setTimeout(() => rej(new Error('timeout ' + cmd)), 5000);
        });
      },
    };
    ws.on('message', (data, binary) => {
      if (binary) return;
      const frame = JSON.parse(data.toString());
      if (frame.id && waiting.has(frame.id)) {
        const w = waiting.get(frame.id);
        waiting.delete(frame.id);
        frame.error ? w.rej(new Error(JSON.stringify(frame.error))) : w.res(frame.result);
      } else pushes.push(frame);
    });
    ws.on('open', async () => {
      try {
        client.connect = await client.request('connect', { token: tok, client: 'fixture/1', device: 'fixture', app_type: appType });
        resolve(client);
      } catch (e) { reject(e); }
    });
    ws.on('error', reject);
  });
}

function audio(epoch, seq) {
  const frame = Buffer.alloc(13 + 40, 7);
  frame[0] = 1;
  frame.writeBigInt64BE(BigInt(epoch), 1);
  frame.writeUInt32BE(seq, 9);
  return frame;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const admin = await token('a1', 'admin');
const d1 = await connect(await token('d1', 'call_manager'), 'call_manager');
const u1 = await connect(await token('u1', 'pickup_driver'), 'pickup_driver');
const u2 = await connect(await token('u2', 'pickup_driver'), 'pickup_driver');
const x1 = await connect(await token('x1', 'pickup_driver', 'o2'), 'pickup_driver');
for (const c of [d1, u1, u2]) await c.request('subscribe', { channel: 'ptt:r1_o1' });
await x1.request('subscribe', { channel: 'ptt:r1_o2' });
await d1.request('subscribe', { channel: 'presence:r1_o1' });
await d1.request('subscribe', { channel: 'office:r1_o1/chat' });
await d1.request('publish', { channel: 'office:r1_o1/chat', data: { text: '안녕하세요' } });
await u1.request('publish', { channel: 'office:r1_o1/chat', data: { text: 'hello' } });

// A whole transmission: press, audio, a listener's latency report, release.
const first = await d1.request('ptt.press', {});
for (let i = 0; i < 5; i++) d1.ws.send(audio(first.epoch, i));
await sleep(200);
await u1.request('ptt.report', { session_id: first.session_id, notify_ms: 12.5 });
await d1.request('ptt.release', { epoch: first.epoch });
await sleep(400);

// u2 leaves for good; a busy press; then u1 goes on the air and stays there until the crash.
u2.ws.close(1000);
await sleep(200);
const second = await u1.request('ptt.press', {});
u1.ws.send(audio(second.epoch, 1));
await x1.request('ptt.press', {}); // another office: a second session on the air at the crash
const preempting = await d1.request('ptt.press', {}); // a call manager pre-empts the driver
const busy = await u1.request('ptt.press', {}).catch((e) => ({ error: e.message }));
d1.ws.send(audio(preempting.epoch, 1));

// A webinar with a signed-in viewer and a guest.
const now = Date.now();
const webinar = await post('/api/webinars', {
  title: '고객 설명회', webinar_start_time: new Date(now - 3600_000).toISOString(),
  webinar_scheduled_end_time: new Date(now + 3600_000).toISOString(), agency_id: 'ag1',
}, admin);
const viewer = await token('v1', 'viewer');
await post(`/api/webinars/${webinar.id}/access/track`, { session_key: 'session_fixture_v1' }, viewer);
await post(`/api/webinars/${webinar.id}/presence/ping`, { session_key: 'session_fixture_v1', view_state: { is_visible: true } }, viewer);
const guest = await post(`/api/webinars/${webinar.id}/access/track`, { session_key: 'session_fixture_g1' });
await post(`/api/webinars/${webinar.id}/access/exit`, { session_key: 'session_fixture_g1', viewer_token: guest.viewer_token });

// Let the background writers commit before the crash.
await sleep(1500);
console.log(JSON.stringify({ webinar: webinar.id, preempted: second.session_id, on_air: preempting.session_id, busy }));
process.exit(0);
