// A server's CPU time and resident memory from /proc/<pid> (Linux), the same figures `heartline loadtest` reports.
'use strict';
const fs = require('node:fs');

const TICKS_PER_SECOND = 100; // USER_HZ

function sample(pid) {
  if (!pid) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
    return { at: performance.now(), cpuSeconds, rss };
  } catch {
    return null;
  }
}

/** CPU over [before, after] as % of one core; memory per connection = (loaded − baseline) / connections. */
function usage(baseline, loaded, before, after, connections) {
  if (!baseline || !loaded || !before || !after) return null;
  const seconds = (after.at - before.at) / 1000;
  return {
    cpu_percent: Math.round(((after.cpuSeconds - before.cpuSeconds) / seconds) * 1000) / 10,
    rss_baseline: baseline.rss, rss_loaded: loaded.rss,
    rss_per_connection: Math.round((loaded.rss - baseline.rss) / connections),
  };
}

module.exports = { sample, usage };
