import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backoffDelay } from '../../../src/Heartline.Server/wwwroot/sdk/heartline.js'

const options = { initialMs: 500, maxMs: 20000 }
const almostOne = 1 - Number.EPSILON

test('backoffDelay: the ceiling doubles from initialMs with each failure', () => {
  assert.equal(backoffDelay(0, options, () => almostOne), 499)
  assert.equal(backoffDelay(1, options, () => almostOne), 999)
  assert.equal(backoffDelay(3, options, () => almostOne), 3999)
})

test('backoffDelay: the ceiling never exceeds maxMs', () => {
  assert.equal(backoffDelay(6, options, () => almostOne), 19999)
  assert.equal(backoffDelay(60, options, () => almostOne), 19999)
  assert.equal(backoffDelay(10_000, options, () => almostOne), 19999)
})

test('backoffDelay: full jitter reaches down to zero', () => {
  for (const failures of [0, 1, 5, 100]) assert.equal(backoffDelay(failures, options, () => 0), 0)
})

test('backoffDelay: with Math.random every delay is an integer within [0, ceiling)', () => {
  for (let failures = 0; failures < 12; failures++) {
    const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** failures)
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(failures, options)
      assert.ok(Number.isInteger(delay) && delay >= 0 && delay < ceiling, `failures=${failures}: ${delay}`)
    }
  }
})
