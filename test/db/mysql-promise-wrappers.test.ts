import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { databaseKinds, openTestDb } from '../helpers/db.js'

interface PooledConnection { promise(): unknown; threadId: number }

// TypeORM asks each pooled connection for a promise wrapper on every statement; src/db/mysqlPromiseWrappers.ts
// keeps one per connection instead of mysql2's new wrapper (and require) per call.
describe.runIf(databaseKinds().includes('mysql'))('MySQL: one promise wrapper per pooled connection', () => {
  let db: DataSource
  let close: () => Promise<void>
  beforeAll(async () => { ({ db, close } = await openTestDb('mysql')) })
  afterAll(() => close())

  it('a connection answers every call with the same wrapper, another connection with its own; both still query', async () => {
    const a = db.createQueryRunner(), b = db.createQueryRunner()
    const [ca, cb] = (await Promise.all([a.connect(), b.connect()])) as PooledConnection[]
    expect(ca!.threadId).not.toBe(cb!.threadId)
    expect(ca!.promise()).toBe(ca!.promise())
    expect(cb!.promise()).not.toBe(ca!.promise())
    const [ra, rb] = await Promise.all([a.query('SELECT CONNECTION_ID() AS id'), b.query('SELECT CONNECTION_ID() AS id')])
    expect(Number(ra[0].id)).toBe(ca!.threadId)
    expect(Number(rb[0].id)).toBe(cb!.threadId)
    await Promise.all([a.release(), b.release()])
  })
})
