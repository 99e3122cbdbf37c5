// Seed 003's own design, for the comparison only (not part of the product): a Socket.IO 4.8 server whose
// LocationBasedNotification keeps users' last locations in a Map and finds who is near by haversine over every user
// (the seed's findUsersInRadius), and whose QuestionEvents tell tier 1 at once (the 10 nearest within 2 km) and tier 2
// after 3 s (within 5 km, setTimeout, as the seed's sendUltraFastNotifications). Rooms are Socket.IO rooms; typing is
// socket.to(room).emit. Questions are kept in memory (the seed's MongoDB is not part of the comparison). `stats`
// answers the lookup times it measured (performance.now() around findUsersInRadius + sort).
'use strict';
const { createServer } = require('node:http');
const crypto = require('node:crypto');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 5392);
// Tier 2's delay in ms (the seed's 3,000); 0 leaves tier 2 out, to time tier 1 alone.
const tier2DelayMs = Number(process.argv[3] ?? 3000);
const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 1e6 });
const sessions = new Map(); // userId -> socket id
const nearbyUsers = new Map(); // userId -> { latitude, longitude, updatedAt }
const lookups = [];

function calculateDistance(a, b) {
  const R = 6371e3;
  const p1 = (a.latitude * Math.PI) / 180;
  const p2 = (b.latitude * Math.PI) / 180;
  const dp = ((b.latitude - a.latitude) * Math.PI) / 180;
  const dl = ((b.longitude - a.longitude) * Math.PI) / 180;
  const h = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
  return R * 2 * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h));
}

function findUsersInRadius(center, radius) {
  const found = [];
  for (const [userId, location] of nearbyUsers) {
    const distance = calculateDistance(center, location);
    if (distance <= radius) found.push({ userId, distance });
  }
  return found;
}

function notify(question, tier, radius, limit) {
  const t0 = performance.now();
  const targets = findUsersInRadius(question.location, radius)
    .filter((u) => u.userId !== question.userId)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit);
  lookups.push(performance.now() - t0);
  const payload = { question, priority: tier === 1 ? 'IMMEDIATE' : 'QUICK', tier, sound: tier === 1 ? 'urgent' : 'normal' };
  for (const target of targets) {
    const socketId = sessions.get(target.userId);
    if (socketId) io.to(socketId).emit('new_question_notification', payload);
  }
}

io.on('connection', (socket) => {
  const userId = socket.handshake.query.user;
  sessions.set(userId, socket.id);
  socket.on('disconnect', () => sessions.delete(userId));
  socket.on('update_location', (location, ack) => {
    nearbyUsers.set(userId, { ...location, updatedAt: Date.now() });
    ack?.({ stored: true });
  });
  socket.on('create_question', (data, ack) => {
    const question = { id: crypto.randomUUID(), userId, body: data.body, location: data.location, hashtags: data.hashtags, createdAt: Date.now() };
    socket.join(`question:${question.id}`);
    notify(question, 1, 2000, 10);
    if (tier2DelayMs > 0) setTimeout(() => notify(question, 2, 5000, Infinity), tier2DelayMs);
    ack?.({ question });
  });
  socket.on('join_question', ({ questionId }, ack) => {
    socket.join(`question:${questionId}`);
    ack?.({ ok: true });
  });
  socket.on('typing_start', ({ questionId, at }) => {
    socket.to(`question:${questionId}`).emit('user_typing', { userId, questionId, at });
  });
  socket.on('stats', (_, ack) => {
    const sorted = [...lookups].sort((a, b) => a - b);
    const pick = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : 0);
    ack?.({ lookups: sorted.length, lookup_p50_ms: pick(0.5), lookup_p99_ms: pick(0.99) });
  });
});

http.listen(port, '127.0.0.1');
