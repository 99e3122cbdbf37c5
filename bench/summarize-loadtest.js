// Medians per run name over results/<time>-loadtest/runs.jsonl → summary.json (and printed).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const runs = fs.readFileSync(path.join(dir, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const median = (values) => {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const groups = {};
for (const run of runs) (groups[run.name] ||= []).push(run);
const summary = {};
for (const [name, list] of Object.entries(groups)) {
  const ok = list.filter((r) => !r.failed);
  const row = { runs: list.length, failed: list.length - ok.length, load: ok.map((r) => r.load) };
  for (const key of ['notify_ms', 'grant_ms', 'busy_ms', 'frame_ms', 'send_lag_ms', 'heartbeat_ms']) {
    if (ok.some((r) => r[key])) row[key] = Object.fromEntries(['p50', 'p95', 'p99', 'max'].map((q) => [q, median(ok.map((r) => r[key] && r[key][q]))]));
  }
  for (const key of ['connections', 'delivered_per_second', 'server_cpu_us_per_delivery', 'managed_heap_bytes_per_connection']) {
    if (ok.some((r) => r[key] != null)) row[key] = median(ok.map((r) => r[key]));
  }
  row.server_cpu_percent = median(ok.map((r) => r.server_usage && r.server_usage.cpu_percent));
  row.server_rss_per_connection = median(ok.map((r) => r.server_usage && r.server_usage.rss_bytes_per_connection));
  row.driver_cpu_percent = median(ok.map((r) => r.driver && r.driver.cpu_percent));
  row.all_checks_passed = ok.every((r) => r.checks.every((c) => c.passed));
  row.errors = ok.flatMap((r) => Object.entries(r.errors)).map(([k, n]) => `${k}: ${n}`);
  if (ok.some((r) => r.grants_per_round)) row.grants_per_round = [...new Set(ok.flatMap((r) => r.grants_per_round))];
  summary[name] = row;
}
fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
console.log(JSON.stringify(summary, null, 2));
