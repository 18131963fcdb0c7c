import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { Resident, ServiceRequest } from '../../src/db/entities/index.js'
import { openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, T0 } from '../helpers/fixtures.js'

// TypeORM writes number parameters into SQLite's SQL text; src/db/sqliteParameters.ts binds them instead, so a
// query keeps one statement whatever its ids (a new text per id made RSS grow with every message).
describe('SQLite: number parameters are bound, not written into the SQL', () => {
  let db: DataSource
  let close: () => Promise<void>
  let communityId: number
  const clock = new VirtualClock(T0)
  const prepared: string[] = []
  beforeAll(async () => {
    ;({ db, close } = await openTestDb('sqlite'))
    communityId = await seedSampleCommunity(db)
    const connection = (db.driver as unknown as { databaseConnection: { prepare(sql: string): unknown } }).databaseConnection
    const prepare = connection.prepare.bind(connection)
    connection.prepare = (sql: string) => { prepared.push(sql); return prepare(sql) }
  })
  afterAll(() => close())

  it('one statement text for look-ups by different ids, each finding its own row', async () => {
    const people = [await resident(db, communityId, '王大爷'), await resident(db, communityId, '李阿姨'), await resident(db, communityId, '张叔')]
    const before = prepared.length
    for (const p of people) expect((await db.getRepository(Resident).findOneByOrFail({ id: p.id })).wechatName).toBe(p.wechatName)
    const texts = new Set(prepared.slice(before))
    expect(texts.size).toBe(1)
    expect([...texts][0]).not.toMatch(new RegExp(`= ${people[1]!.id}\\b`))
  })

  it('integers are stored as INTEGER and fractions as REAL, as the literals were', async () => {
    const li = await resident(db, communityId, '刘奶奶')
    const filed = await fileRequest(db, clock, communityId, { reporterId: li.id })
    await db.getRepository(ServiceRequest).update({ id: filed.id }, { confidence: 0.37, reopenCount: 2 })
    const [row] = await db.query('SELECT typeof(confidence) AS c, confidence, typeof(reopen_count) AS r, reopen_count, typeof(reporter_resident_id) AS p FROM requests WHERE id = ?', [filed.id])
    expect(row).toEqual({ c: 'real', confidence: 0.37, r: 'integer', reopen_count: 2, p: 'integer' })
    const found = await db.getRepository(ServiceRequest).findOneByOrFail({ id: filed.id, reopenCount: 2, confidence: 0.37 })
    expect(found.reporterResidentId).toBe(li.id)
  })
})
