// The SDK's AccountSession against a real server (docs/accounts.md): sign-in errors by code, a client connected with
// getToken, one refresh however many callers ask at once (a refresh token is good for one use), a reused refresh token
// ending the sign-in, and sign-out.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { AccountSession } from '../../../src/Heartline.Server/wwwroot/sdk/accounts.js'
import { baseUrl, createClient, mintToken, uniqueId, withTimeout } from './helpers.mjs'

const clients = []
after(() => {
  for (const client of clients) client.close()
})

async function createDriver() {
  const login = uniqueId('acct').toLowerCase()
  const admin = await mintToken({ role: 'admin' })
  const response = await withTimeout(fetch(`${baseUrl}/api/admin/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ login, name: '이기사', password: 'driver-password', roles: ['pickup_driver'], claims: { region: 'r1', office: 'o1' } }),
  }), 5000, 'create account')
  assert.equal(response.status, 201, await response.text())
  return login
}

test('sign-in errors carry the server code', async () => {
  const login = await createDriver()
  await assert.rejects(AccountSession.signIn(login, 'wrong-password', { baseUrl }), { name: 'HeartlineError', code: 'invalid_credentials' })
  await assert.rejects(AccountSession.signIn('', '', { baseUrl }), { code: 'bad_request' })
})

test('a session connects a client, refreshes once for concurrent callers, and a reused refresh token ends it', async () => {
  const login = await createDriver()
  const kept = []
  const session = await withTimeout(AccountSession.signIn(login, 'driver-password', { baseUrl, onChange: (s) => kept.push(s) }), 5000, 'sign-in')
  assert.equal(session.user.user_id, login)
  assert.equal(kept.length, 1)

  const client = createClient({ getToken: () => session.getToken() })
  clients.push(client)
  const connected = await withTimeout(client.connect(), 5000, 'connect')
  assert.equal(connected.user.user_id, login)

  const first = session.toJSON()
  const [a, b, c] = await withTimeout(Promise.all([session.refresh(), session.refresh(), session.refresh()]), 5000, 'refresh')
  assert.equal(a, b)
  assert.equal(b, c)
  assert.notEqual(a.refresh_token, first.refresh_token)
  assert.equal(kept.length, 2, 'one rotation for three callers')

  // Someone replays the first refresh token: the server ends the whole sign-in, and this session learns it next time.
  const replay = new AccountSession(first, { baseUrl })
  await assert.rejects(replay.refresh(), { code: 'invalid_credentials' })
  await assert.rejects(session.refresh(), { code: 'invalid_credentials' })
  assert.equal(kept.at(-1), null, 'the ended sign-in is forgotten')
})

test('sign-out revokes the refresh token', async () => {
  const login = await createDriver()
  const session = await AccountSession.signIn(login, 'driver-password', { baseUrl })
  await withTimeout(session.signOut(), 5000, 'sign-out')
  await assert.rejects(new AccountSession(session.toJSON(), { baseUrl }).refresh(), { code: 'invalid_credentials' })
})
