// Medians over the repetitions in results/<time>/runs.jsonl, and the ratios Heartline ÷ Socket.IO and Heartline ÷ ws
// (below 1 means Heartline is faster). Writes results.json and results.md next to runs.jsonl.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const runs = fs.readFileSync(path.join(dir, 'runs.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const machine = fs.readFileSync(path.join(dir, 'machine.txt'), 'utf8');

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const metrics = {
  fanout: [['notify p50', (r) => r.notify_ms.p50], ['notify p99', (r) => r.notify_ms.p99], ['notify max', (r) => r.notify_ms.max],
    ['grant p50', (r) => r.grant_ms.p50], ['grant p99', (r) => r.grant_ms.p99], ['server CPU %', (r) => r.server && r.server.cpu_percent],
    ['RSS per connection (B)', (r) => r.server && r.server.rss_per_connection], ['missing', (r) => r.missing]],
  relay: [['frame p50', (r) => r.frame_ms.p50], ['frame p99', (r) => r.frame_ms.p99], ['frame max', (r) => r.frame_ms.max],
    ['delivered/s', (r) => r.delivered_per_second], ['server CPU %', (r) => r.server && r.server.cpu_percent], ['missing', (r) => r.missing]],
};

const groups = new Map();
for (const run of runs) {
  const key = `${run.workload}/${run.listeners}`;
  if (!groups.has(key)) groups.set(key, { workload: run.workload, listeners: run.listeners, targets: {} });
  const group = groups.get(key);
  (group.targets[run.target] ||= []).push(run);
}

const results = [];
for (const group of groups.values()) {
  const row = { workload: group.workload, listeners: group.listeners, medians: {}, ratios: {}, repetitions: {}, failed: {} };
  for (const [target, list] of Object.entries(group.targets)) {
    const ok = list.filter((r) => !r.failed);
    row.repetitions[target] = ok.length;
    row.failed[target] = list.length - ok.length;
    row.medians[target] = Object.fromEntries(metrics[group.workload].map(([name, pick]) => [name, median(ok.map((r) => {
      try { return pick(r); } catch { return null; }
    }))]));
  }
  const heartline = row.medians.heartline || {};
  for (const other of ['socketio', 'ws']) {
    const theirs = row.medians[other];
    if (!theirs) continue;
    row.ratios[`heartline/${other}`] = Object.fromEntries(Object.keys(heartline)
      .filter((name) => heartline[name] != null && theirs[name])
      .map((name) => [name, Math.round((heartline[name] / theirs[name]) * 100) / 100]));
  }
  results.push(row);
}
results.sort((a, b) => a.workload.localeCompare(b.workload) || a.listeners - b.listeners);
fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ machine, results }, null, 2));

const lines = ['# Peer comparison', '', '```', machine.trim(), '```', '',
  'Medians over the repetitions; latencies in ms. Ratios are Heartline ÷ other: below 1 means Heartline is lower (faster).', ''];
for (const row of results) {
  const names = metrics[row.workload].map(([name]) => name);
  lines.push(`## ${row.workload}, 1 office × ${row.listeners} listeners`, '');
  lines.push(`| server | reps | ${names.join(' | ')} |`, `|---|---|${names.map(() => '---').join('|')}|`);
  for (const target of ['heartline', 'socketio', 'ws']) {
    if (!row.medians[target]) continue;
    const reps = `${row.repetitions[target]}${row.failed[target] ? ` (+${row.failed[target]} failed)` : ''}`;
    lines.push(`| ${target} | ${reps} | ${names.map((n) => row.medians[target][n] ?? '–').join(' | ')} |`);
  }
  for (const [name, ratio] of Object.entries(row.ratios)) {
    lines.push(`| ${name} | | ${names.map((n) => ratio[n] ?? '–').join(' | ')} |`);
  }
  lines.push('');
}
fs.writeFileSync(path.join(dir, 'results.md'), lines.join('\n'));
console.log(lines.join('\n'));
