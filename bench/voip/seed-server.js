// Seed 002's own design, for the comparison only (not part of the product): a Socket.IO 4.8 signalling server whose
// GuestConnectionManager keeps guests in memory and backs them up in Redis (ioredis), as the seed's README describes:
// registerGuest on connection (HSET guest_connection:{id}, HSET users:online), a heartbeat check every 30 s, a ping
// every 60 s answered by a pong, disconnect after 3 missed pings or 3 minutes, cleanup every 5 minutes, unregister on
// disconnect. A call invite looks the callee up in users:online, stores the call in Redis and emits call:incoming.
'use strict';
const { createServer } = require('node:http');
const crypto = require('node:crypto');
const { Server } = require('socket.io');
const Redis = require('ioredis');

const port = Number(process.argv[2] || 5382);
const redis = new Redis({ host: '127.0.0.1', port: Number(process.argv[3] || 6379), lazyConnect: false });
const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 1e6 });

const HEARTBEAT_MS = 30_000;
const PING_MS = 60_000;
const TIMEOUT_MS = 180_000;
const MAX_MISSED = 3;
const CLEANUP_MS = 300_000;

class GuestConnectionManager {
  constructor(server) {
    this.io = server;
    this.guests = new Map(); // guestId -> { socket, name, connectedAt, lastSeen, lastPingAt, awaiting, missed, seq }
    setInterval(() => this.heartbeat(), HEARTBEAT_MS).unref();
    setInterval(() => this.cleanup(), CLEANUP_MS).unref();
  }

  async registerGuest(socket) {
    const now = Date.now();
    const guest = { socket, name: socket.data.name, connectedAt: now, lastSeen: now, lastPingAt: now, awaiting: false, missed: 0, seq: 0 };
    this.guests.set(socket.data.guestId, guest);
    await redis.multi()
      .hset(`guest_connection:${socket.data.guestId}`, 'socketId', socket.id, 'name', guest.name, 'connectedAt', now, 'lastPing', now)
      .expire(`guest_connection:${socket.data.guestId}`, 3600)
      .hset('users:online', socket.data.guestId, socket.id)
      .exec();
  }

  async unregisterGuest(guestId) {
    this.guests.delete(guestId);
    await redis.multi().del(`guest_connection:${guestId}`).hdel('users:online', guestId).exec();
  }

  pong(guestId, seq) {
    const guest = this.guests.get(guestId);
    if (!guest) return;
    guest.lastSeen = Date.now();
    if (guest.awaiting && seq === guest.seq) { guest.awaiting = false; guest.missed = 0; }
    redis.hset(`guest_connection:${guestId}`, 'lastPing', guest.lastSeen).catch(() => {});
  }

  heartbeat() {
    const now = Date.now();
    for (const [guestId, guest] of this.guests) {
      if (now - guest.lastSeen >= TIMEOUT_MS) { guest.socket.disconnect(true); continue; }
      if (now - guest.lastPingAt < PING_MS) continue;
      if (guest.awaiting && ++guest.missed >= MAX_MISSED) { guest.socket.disconnect(true); continue; }
      guest.awaiting = true;
      guest.lastPingAt = now;
      guest.socket.emit('guest:ping', { seq: ++guest.seq });
    }
  }

  async cleanup() {
    const online = await redis.hkeys('users:online');
    const stale = online.filter((id) => !this.guests.has(id));
    if (stale.length) await redis.hdel('users:online', ...stale);
  }
}

const manager = new GuestConnectionManager(io);

io.on('connection', async (socket) => {
  socket.data.guestId = String(socket.handshake.query.guest || crypto.randomUUID());
  socket.data.name = String(socket.handshake.query.name || 'guest');
  await manager.registerGuest(socket);
  socket.emit('guest:registered', { guest_id: socket.data.guestId });

  socket.on('guest:pong', (body) => manager.pong(socket.data.guestId, body && body.seq));

  socket.on('call:invite', async (body, ack) => {
    const to = String(body && body.to);
    const target = await redis.hget('users:online', to);
    if (!target) { if (typeof ack === 'function') ack({ error: 'unreachable' }); return; }
    const callId = crypto.randomBytes(12).toString('hex');
    await redis.hset(`call:${callId}`, 'caller', socket.data.guestId, 'callee', to, 'media', String(body.media || 'video'), 'state', 'ringing', 'createdAt', Date.now());
    io.to(target).emit('call:incoming', { call_id: callId, from: { id: socket.data.guestId, name: socket.data.name }, media: body.media });
    if (typeof ack === 'function') ack({ call_id: callId, state: 'ringing' });
  });

  socket.on('call:hangup', async (body, ack) => {
    const callId = String(body && body.call_id);
    const call = await redis.hgetall(`call:${callId}`);
    await redis.del(`call:${callId}`);
    const other = call.caller === socket.data.guestId ? call.callee : call.caller;
    const target = other && await redis.hget('users:online', other);
    if (target) io.to(target).emit('call:ended', { call_id: callId, reason: 'hangup' });
    if (typeof ack === 'function') ack({});
  });

  socket.on('disconnect', () => { manager.unregisterGuest(socket.data.guestId).catch(() => {}); });
});

http.listen(port, '127.0.0.1');
