// The fan-out and relay workloads done the way a Socket.IO 4 application would: one room per office, a floor held
// in memory, `press`/`release` with acknowledgements, `session_started`/`session_ended` emitted to the room, and audio
// as a binary event forwarded to the room. Not part of the product: bench/run.sh starts it for the comparison.
'use strict';
const { createServer } = require('node:http');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 5182);
const http = createServer();
// Defaults kept (perMessageDeflate off, ping every 25 s); the driver connects with the websocket transport only.
const io = new Server(http, { maxHttpBufferSize: 1e6 });
const floors = new Map(); // office -> { speaker: socket.id, epoch, sessionId }
let lastEpoch = 0;

io.on('connection', (socket) => {
  const office = String(socket.handshake.query.office || 'o1');
  const user = String(socket.handshake.query.user || socket.id);
  socket.join(office);

  socket.on('press', (ack) => {
    const floor = floors.get(office);
    if (floor && floor.speaker !== socket.id) {
      if (typeof ack === 'function') ack({ error: 'floor_busy', speaker: floor.user });
      return;
    }
    const epoch = ++lastEpoch;
    const session = { speaker: socket.id, user, epoch, sessionId: 's_' + epoch };
    floors.set(office, session);
    socket.to(office).emit('session_started', {
      type: 'session_started', session_id: session.sessionId, office, epoch,
      speaker: { user_id: user, name: user, app_type: 'call_manager' }, started_at: Date.now(),
    });
    if (typeof ack === 'function') ack({ session_id: session.sessionId, epoch });
  });

  socket.on('release', (epoch, ack) => {
    const floor = floors.get(office);
    const released = !!floor && floor.speaker === socket.id && floor.epoch === epoch;
    if (released) {
      floors.delete(office);
      socket.to(office).emit('session_ended', { type: 'session_ended', session_id: floor.sessionId, epoch, reason: 'released', ended_at: Date.now() });
    }
    if (typeof ack === 'function') ack({ released });
  });

  socket.on('audio', (frame) => {
    const floor = floors.get(office);
    if (floor && floor.speaker === socket.id) socket.to(office).emit('audio', frame);
  });

  socket.on('disconnect', () => {
    const floor = floors.get(office);
    if (floor && floor.speaker === socket.id) {
      floors.delete(office);
      socket.to(office).emit('session_ended', { type: 'session_ended', session_id: floor.sessionId, epoch: floor.epoch, reason: 'disconnected', ended_at: Date.now() });
    }
  });
});

http.listen(port, '127.0.0.1', () => console.log(`socket.io ${require('socket.io/package.json').version} on 127.0.0.1:${port}`));
