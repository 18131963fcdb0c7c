import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { requestsCreatedIn } from '../../src/requests/periodRows.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, T0 } from '../helpers/fixtures.js'

describeEachDb('requests of a period, read in keyset batches', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(T0)
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  it('yields every request of [from, to) once, oldest first, ties broken by id, across batch boundaries', async () => {
    const from = clock.now()
    const ids: number[] = []
    // Three share one created_at so a batch boundary falls inside a tie.
    for (const step of [0, 0, 0, 60_000, 0, 60_000, 60_000]) {
      clock.advance(step)
      ids.push((await fileRequest(db, clock, communityId, { text: `第${ids.length}个问题` })).id)
    }
    clock.advance(60_000)
    await fileRequest(db, clock, communityId, { text: '期外的问题' })
    const to = clock.now()
    const seen: number[][] = []
    for await (const batch of requestsCreatedIn(db.manager, { communityId, from, to, batchSize: 2 })) seen.push(batch.map((r) => r.id))
    expect(seen.flat()).toEqual(ids)
    expect(seen.every((b) => b.length <= 2)).toBe(true)
    expect(seen).toHaveLength(4)
  })

  it('reads on past the day-by-day horizons: a row exactly at one, days apart, beyond a month apart', async () => {
    clock.advance(3_600_000)
    const from = clock.now()
    const ids: number[] = []
    // 0 (the start), +1 day exactly (the first horizon), +1 day 1 ms, +5 days, +40 days (past the 32-day widest step)
    for (const at of [0, 86_400_000, 86_400_001, 5 * 86_400_000, 40 * 86_400_000]) {
      clock.set(new Date(from.getTime() + at))
      ids.push((await fileRequest(db, clock, communityId, { text: `第${ids.length}个问题` })).id)
    }
    const to = new Date(clock.now().getTime() + 1)
    const seen: number[] = []
    for await (const batch of requestsCreatedIn(db.manager, { communityId, from, to, batchSize: 2 })) seen.push(...batch.map((r) => r.id))
    expect(seen).toEqual(ids)
    const batches: number[][] = []
    for await (const batch of requestsCreatedIn(db.manager, { communityId, from, to, batchSize: 1000 })) batches.push(batch.map((r) => r.id))
    expect(batches.flat()).toEqual(ids)
  })
})
