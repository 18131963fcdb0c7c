import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { RequestReporter, Resident, ServiceRequest } from '../../src/db/entities/index.js'
import { readMyRequests } from '../../miniprogram-api/routes/requests/list.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, T0 } from '../helpers/fixtures.js'

// resident_request_counts is kept by triggers: whatever writes request_reporters (intake, merges, splits, the
// console), and however rows leave (deleted, moved, cascaded with their request), each resident's count is the
// number of their reporter rows, and GET /api/requests' total is that count.
describeEachDb('resident_request_counts, kept by triggers', (kind) => {
  let db: DataSource
  let close: () => Promise<void>
  let communityId: number
  const clock = new VirtualClock(T0)
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  const stored = async (residentId: number) => (await db.query('SELECT n FROM resident_request_counts WHERE resident_id = ?', [residentId]))[0]?.n
  const counted = (residentId: number) => db.getRepository(RequestReporter).countBy({ residentId })
  const expectCounts = async (...ids: number[]) => {
    for (const id of ids) {
      const n = await counted(id)
      expect(Number(await stored(id))).toBe(n)
      expect((await readMyRequests(db, { caller: { residentId: id, staffId: null }, page: 1, pageSize: 2 })).total).toBe(n)
      expect((await readMyRequests(db, { caller: { residentId: id, staffId: null }, page: 9, pageSize: 2 })).total).toBe(n) // past the end
    }
  }

  it('a new resident starts at 0; filing, co-reporting, moving and deleting reporter rows keep the count', async () => {
    const li = await resident(db, communityId, '李阿姨')
    const zhang = await resident(db, communityId, '张大爷')
    expect(Number(await stored(li.id))).toBe(0)
    const a = await fileRequest(db, clock, communityId, { reporterId: li.id })
    const b = await fileRequest(db, clock, communityId, { reporterId: li.id })
    const c = await fileRequest(db, clock, communityId, { reporterId: zhang.id })
    await db.getRepository(RequestReporter).insert([
      { requestId: c.id, residentId: li.id, role: 'co_reporter', source: 'group', text: null, createdAt: clock.now() },
      { requestId: a.id, residentId: zhang.id, role: 'co_reporter', source: 'group', text: null, createdAt: clock.now() },
    ])
    expect(await counted(li.id)).toBe(3)
    await expectCounts(li.id, zhang.id)
    // a reporter row moved to another resident, one updated in place (callback state), one deleted
    await db.getRepository(RequestReporter).update({ requestId: b.id, residentId: li.id }, { residentId: zhang.id })
    await db.getRepository(RequestReporter).update({ requestId: c.id, residentId: li.id }, { callbackStatus: 'asked' as never })
    await expectCounts(li.id, zhang.id)
    expect(await counted(zhang.id)).toBe(3)
    await db.getRepository(RequestReporter).delete({ requestId: a.id, residentId: zhang.id })
    await expectCounts(li.id, zhang.id)
    // a request deleted takes its reporter rows with it (a foreign-key cascade, which MySQL runs without triggers)
    await db.getRepository(ServiceRequest).delete({ id: c.id })
    expect(await counted(li.id)).toBe(1)
    await expectCounts(li.id, zhang.id)
  })

  it('a status filter is counted on the requests; a resident without a count row is counted too', async () => {
    const wang = await resident(db, communityId, '王奶奶')
    const x = await fileRequest(db, clock, communityId, { reporterId: wang.id })
    await fileRequest(db, clock, communityId, { reporterId: wang.id })
    await db.getRepository(ServiceRequest).update({ id: x.id }, { status: 'closed' })
    expect((await readMyRequests(db, { caller: { residentId: wang.id, staffId: null }, statuses: ['closed'], page: 1, pageSize: 20 })).total).toBe(1)
    await db.query('DELETE FROM resident_request_counts WHERE resident_id = ?', [wang.id])
    expect((await readMyRequests(db, { caller: { residentId: wang.id, staffId: null }, page: 1, pageSize: 1 })).total).toBe(2)
    expect((await readMyRequests(db, { caller: { residentId: wang.id, staffId: null }, page: 5, pageSize: 1 })).total).toBe(2)
    // the resident's row goes with the resident
    await db.getRepository(Resident).delete({ id: wang.id })
    expect(await stored(wang.id)).toBeUndefined()
  })
})
