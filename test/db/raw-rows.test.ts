import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { RequestReporter, Resident, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { rawArrays, rawColumns, rawExecute, rawQuery, sqlDate } from '../../src/db/rawRows.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, T0 } from '../helpers/fixtures.js'

describeEachDb('raw rows read back as TypeORM reads them', (kind) => {
  let db: DataSource
  let close: () => Promise<void>
  let communityId: number
  const clock = new VirtualClock(T0)
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  it('a resident (JSON, boolean, nulls, dates), a staff member and a request equal what findOne hydrates', async () => {
    const li = await resident(db, communityId, '李阿姨', { vulnerability: ['living_alone_elderly'] as never, subscribeAllowed: true, phoneHash: 'h1', building: null })
    const staff = await db.getRepository(Staff).findOneByOrFail({ communityId, role: 'secretary' })
    await db.getRepository(Staff).update({ id: staff.id }, { active: false, boundAt: new Date('2026-11-20T01:02:03.456Z') })
    const filed = await fileRequest(db, clock, communityId, { reporterId: li.id })
    for (const [entity, id] of [[Resident, li.id], [Staff, staff.id], [ServiceRequest, filed.id]] as const) {
      const cols = rawColumns(db, entity as typeof Resident)
      const [row] = await rawQuery(db, `SELECT ${cols.select('t', 'x_')} FROM ${cols.table} t WHERE t.id = ?`, [id])
      const raw = cols.hydrate(row!, 'x_')
      const orm = await db.getRepository(entity as typeof Resident).findOneByOrFail({ id })
      expect(raw).toBeInstanceOf(entity)
      expect(raw).toStrictEqual(orm)
    }
    const picked = rawColumns(db, ServiceRequest, ['id', 'createdAt', 'needsTriage'])
    const [row] = await rawQuery(db, `SELECT ${picked.select('r', '')} FROM ${picked.table} r WHERE r.id = ?`, [filed.id])
    expect(picked.hydrate(row!, '')).toEqual(expect.objectContaining({ id: filed.id, createdAt: filed.createdAt, needsTriage: false }))
    expect(() => rawColumns(db, ServiceRequest, ['nope' as 'id'])).toThrow(/no column for nope/)
    // as arrays: the same entities, in order, and none from no rows
    const all = rawColumns(db, ServiceRequest)
    const { at, rows } = await rawArrays(db, `SELECT ${all.select('r', 'a_')}, 1 AS one FROM ${all.table} r ORDER BY r.id`)
    expect(all.hydrateAll(rows, at, 'a_')).toStrictEqual(await db.getRepository(ServiceRequest).find({ order: { id: 'ASC' } }))
    const none = await rawArrays(db, `SELECT ${all.select('r', 'a_')} FROM ${all.table} r WHERE r.id < 0`)
    expect(all.hydrateAll(none.rows, none.at, 'a_')).toEqual([])
  })

  it('rawExecute returns the inserted id and the affected count; dates bind as the column stores them', async () => {
    const at = new Date('2026-11-23T01:00:00.123Z')
    const a = await rawExecute(db, 'INSERT INTO rate_limit_hits (limit_key, at) VALUES (?, ?)', ['raw:test', sqlDate(db, at)])
    const b = await rawExecute(db, 'INSERT INTO rate_limit_hits (limit_key, at) VALUES (?, ?)', ['raw:test', sqlDate(db, new Date(at.getTime() + 1))])
    expect(b.insertId).toBe(a.insertId + 1)
    const later = await rawQuery(db, 'SELECT id FROM rate_limit_hits WHERE limit_key = ? AND at > ?', ['raw:test', sqlDate(db, at)])
    expect(later.map((r) => Number(r.id))).toEqual([b.insertId])
    expect((await rawExecute(db, 'DELETE FROM rate_limit_hits WHERE limit_key = ?', ['raw:test'])).affected).toBe(2)
    expect(await db.getRepository(RequestReporter).count()).toBeGreaterThan(0)
  })
})
