// How the one driver speaks to each server. Every adapter uses a raw `ws` socket and does the least possible work per
// received frame (a prefix or substring test, no JSON parse of pushes), so the driver's own cost is the same for all
// three servers and the comparison measures the servers. Socket.IO is spoken at the engine.io v4 / socket.io v5 wire
// level (what socket.io-client sends with transports: ['websocket']); see bench/README.md.
'use strict';
const crypto = require('node:crypto');

const b64url = (value) => Buffer.from(value).toString('base64url');

/** An HS256 JWT as Heartline expects (issuer and audience `heartline`). */
function heartlineToken(key, user, role, region, office) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({
    sub: user, name: user, role, region, office, iss: 'heartline', aud: 'heartline', iat: now, nbf: now, exp: now + 7200,
  }));
  const signature = crypto.createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** Sends a request whose reply is matched by id; `format` builds the frame from the id. */
function request(client, format) {
  const id = ++client.nextId;
  return new Promise((resolve, reject) => {
    client.pending.set(id, { resolve, reject });
    client.ws.send(format(id));
  });
}

function settle(client, id, error, result) {
  const pending = client.pending.get(id);
  if (!pending) return;
  client.pending.delete(id);
  if (error) pending.reject(new Error(error)); else pending.resolve(result);
}

const heartline = {
  name: 'heartline',
  url: (port) => `ws://127.0.0.1:${port}/ws`,
  async handshake(client, options) {
    const office = `${options.region}_${client.office}`;
    const token = heartlineToken(options.signingKey, client.user, client.speaker ? 'call_manager' : 'pickup_driver', options.region, client.office);
    await request(client, (id) => JSON.stringify({ id, cmd: 'connect', args: { token, client: 'bench/1' } }));
    await request(client, (id) => JSON.stringify({ id, cmd: 'subscribe', args: { channel: `ptt:${office}` } }));
  },
  classify(client, data, isBinary) {
    if (isBinary) return 'audio';
    const text = data.toString();
    if (text.includes('"push"')) {
      if (text.includes('"session_started"')) return 'started';
      if (text.includes('"session_ended"')) return 'ended';
      return 'other';
    }
    const reply = JSON.parse(text);
    settle(client, reply.id, reply.error && reply.error.code, reply.result);
    return 'reply';
  },
  press: (client) => request(client, (id) => `{"id":${id},"cmd":"ptt.press","args":{}}`).then((r) => r.epoch),
  release: (client, epoch) => request(client, (id) => `{"id":${id},"cmd":"ptt.release","args":{"epoch":${epoch}}}`),
  sendAudio: (client, frame) => client.ws.send(frame, { binary: true }),
};

const socketio = {
  name: 'socketio',
  url: (port, client) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&office=${client.office}&user=${client.user}`,
  handshake(client) {
    // engine.io "0{open}", then socket.io CONNECT "40" for the main namespace, answered "40{sid}".
    return new Promise((resolve) => { client.connected = resolve; });
  },
  classify(client, data, isBinary) {
    if (isBinary) return 'audio';
    const text = data.toString();
    if (text === '2') { client.ws.send('3'); return 'other'; }
    if (text.startsWith('42["session_started"')) return 'started';
    if (text.startsWith('42["session_ended"')) return 'ended';
    if (text.startsWith('451-["audio"')) return 'other'; // the attachment follows as the next binary frame
    if (text.startsWith('43')) {
      const bracket = text.indexOf('[');
      const [result] = JSON.parse(text.slice(bracket));
      settle(client, Number(text.slice(2, bracket)), result && result.error, result);
      return 'reply';
    }
    if (text.startsWith('0{')) client.ws.send('40');
    else if (text.startsWith('40') && client.connected) { client.connected(); client.connected = null; }
    return 'other';
  },
  press: (client) => request(client, (id) => `42${id}["press"]`).then((r) => r.epoch),
  release: (client, epoch) => request(client, (id) => `42${id}["release",${epoch}]`),
  sendAudio(client, frame) {
    client.ws.send('451-["audio",{"_placeholder":true,"num":0}]');
    client.ws.send(frame, { binary: true });
  },
};

const ws = {
  name: 'ws',
  url: (port, client) => `ws://127.0.0.1:${port}/?office=${client.office}&user=${client.user}`,
  handshake: async () => {},
  classify(client, data, isBinary) {
    if (isBinary) return 'audio';
    const text = data.toString();
    if (text.startsWith('{"type":"session_started"')) return 'started';
    if (text.startsWith('{"type":"session_ended"')) return 'ended';
    const reply = JSON.parse(text);
    settle(client, reply.id, reply.error, reply);
    return 'reply';
  },
  press: (client) => request(client, (id) => `{"id":${id},"cmd":"press"}`).then((r) => r.epoch),
  release: (client, epoch) => request(client, (id) => `{"id":${id},"cmd":"release","epoch":${epoch}}`),
  sendAudio: (client, frame) => client.ws.send(frame, { binary: true }),
};

module.exports = { heartline, socketio, ws };
