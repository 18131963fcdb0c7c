import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { RateLimitHit } from '../../src/db/entities/index.js'
import { RateLimitedError, RateLimiter } from '../../miniprogram-api/middleware/rateLimit.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'

// Two limiters, each on its own connection (pool) to one database, as two API processes are: the limit is one
// limit across them. SQLite: two connections to one file; MySQL/MariaDB: two pools.
describeEachDb('the write rate limit, shared through the database', (kind) => {
  const dbs: DataSource[] = []
  let close: () => Promise<void>
  const clock = new VirtualClock(T0)
  let limiters: RateLimiter[]
  beforeAll(async () => {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'jiesu-rl-'))
      const url = `sqlite:${join(dir, 'shared.db')}`
      dbs.push(await openDatabase(url), await openDatabase(url, { migrate: false }))
      close = async () => { for (const db of dbs) await db.destroy(); rmSync(dir, { recursive: true, force: true }) }
    } else {
      const t = await openTestDb(kind)
      dbs.push(t.db, await openDatabase(t.url, { migrate: false }))
      close = async () => { await dbs[1]!.destroy(); await t.close() }
    }
    limiters = dbs.map((db) => new RateLimiter({ db, clock, windowMs: 60_000 }))
  })
  afterAll(() => close())

  const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof RateLimitedError ? `429 ${Math.ceil(e.retryAfterMs / 1000)}s` : `error ${e}`))

  it('admits `limit` hits in any window whichever process takes them, then refuses with the wait until the oldest leaves', async () => {
    const take = (i: number) => outcome(limiters[i % 2]!.take([{ key: 'writes:user:1', limit: 3 }]))
    expect(await take(0)).toBe('ok')
    clock.advance(10_000)
    expect([await take(1), await take(2)]).toEqual(['ok', 'ok'])
    expect(await take(3)).toBe('429 50s')
    expect(await take(4)).toBe('429 50s')
    clock.advance(50_000) // the first hit leaves the window
    expect(await take(5)).toBe('ok')
    expect(await take(6)).toBe('429 10s')
  })

  it('a refusal on one key records no hit on the others, so the refused call costs the caller nothing', async () => {
    clock.advance(120_000)
    const both = (i: number) => outcome(limiters[i % 2]!.take([{ key: 'writes:ip:9', limit: 10 }, { key: 'writes:user:9', limit: 1 }]))
    expect(await both(0)).toBe('ok')
    expect(await both(1)).toBe('429 60s')
    expect(await both(0)).toBe('429 60s')
    const hits = await dbs[1]!.getRepository(RateLimitHit).countBy({ limitKey: 'writes:ip:9' })
    expect(hits).toBe(1)
  })

  it('concurrent takes of the last slots from both processes never admit more than the limit', async () => {
    clock.advance(120_000)
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => outcome(limiters[i % 2]!.take([{ key: 'writes:user:race', limit: 5 }]))))
    const admitted = results.filter((r) => r === 'ok').length
    expect(admitted).toBeLessThanOrEqual(5)
    expect(results.every((r) => r === 'ok' || r.startsWith('429'))).toBe(true)
    // Racers may all be refused (each counts the others' hits), but every refused hit is taken back.
    expect(await dbs[0]!.getRepository(RateLimitHit).countBy({ limitKey: 'writes:user:race' })).toBe(admitted)
    expect(await outcome(limiters[1]!.take([{ key: 'writes:user:race', limit: 5 }]))).toBe(admitted < 5 ? 'ok' : '429 60s')
  })
})
