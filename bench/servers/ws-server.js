// The floor of the comparison: a bare `ws` server doing the least that the workloads need — rooms as sets of sockets,
// a press answered and broadcast as one pre-serialized frame, binary audio forwarded as is. No auth, no history,
// no queues. Not part of the product: bench/run.sh starts it for the comparison.
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 5183);
const wss = new WebSocketServer({ host: '127.0.0.1', port });
const rooms = new Map(); // office -> Set<socket>
const floors = new Map(); // office -> { speaker, epoch }
let lastEpoch = 0;

function broadcast(office, except, data, binary) {
  for (const peer of rooms.get(office)) if (peer !== except) peer.send(data, { binary });
}

wss.on('connection', (socket, request) => {
  const url = new URL(request.url, 'http://x');
  const office = url.searchParams.get('office') || 'o1';
  const user = url.searchParams.get('user') || 'anonymous';
  if (!rooms.has(office)) rooms.set(office, new Set());
  rooms.get(office).add(socket);

  socket.on('message', (data, isBinary) => {
    const floor = floors.get(office);
    if (isBinary) {
      if (floor && floor.speaker === socket) broadcast(office, socket, data, true);
      return;
    }
    const command = JSON.parse(data);
    if (command.cmd === 'press') {
      if (floor && floor.speaker !== socket) {
        socket.send(JSON.stringify({ id: command.id, error: 'floor_busy' }));
        return;
      }
      const epoch = ++lastEpoch;
      floors.set(office, { speaker: socket, epoch });
      broadcast(office, socket, JSON.stringify({ type: 'session_started', office, epoch, speaker: user, started_at: Date.now() }), false);
      socket.send(JSON.stringify({ id: command.id, epoch }));
    } else if (command.cmd === 'release') {
      const released = !!floor && floor.speaker === socket && floor.epoch === command.epoch;
      if (released) {
        floors.delete(office);
        broadcast(office, socket, JSON.stringify({ type: 'session_ended', epoch: command.epoch, reason: 'released' }), false);
      }
      socket.send(JSON.stringify({ id: command.id, released }));
    }
  });

  socket.on('close', () => {
    rooms.get(office).delete(socket);
    const floor = floors.get(office);
    if (floor && floor.speaker === socket) floors.delete(office);
  });
});

wss.on('listening', () => console.log(`ws ${require('ws/package.json').version} on 127.0.0.1:${port}`));
