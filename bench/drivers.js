// Shared by the comparison drivers (voip/, qna/): command-line arguments, Heartline tokens signed with the server's
// key, a bounded-concurrency pool and sleep.
'use strict';
const crypto = require('node:crypto');

/** `--name value` pairs of the command line as an object. */
function parseArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(argv.reduce((pairs, value, i, all) =>
    (value.startsWith('--') ? [...pairs, [value.slice(2), all[i + 1]]] : pairs), []));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An HS256 token as Heartline validates it (issuer and audience `heartline`, two hours). */
function jwt(key, claims) {
  const b64url = (value) => Buffer.from(value).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iss: 'heartline', aud: 'heartline', iat: now, nbf: now, exp: now + 7200, ...claims }));
  return `${header}.${payload}.${crypto.createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url')}`;
}

/** Runs `work(i)` for i in [0, n) with at most `concurrency` at once. */
async function pool(n, concurrency, work) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, async () => {
    while (next < n) await work(next++);
  }));
}

module.exports = { parseArgs, sleep, jwt, pool };
