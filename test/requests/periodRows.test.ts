import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { AT, requestsCreatedIn } from '../../src/requests/periodRows.js'
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
    for await (const batch of requestsCreatedIn(db, { communityId, from, to, batchSize: 2 })) seen.push(batch.map((r) => Number(r[AT.id])))
    expect(seen.flat()).toEqual(ids)
    expect(seen.every((b) => b.length <= 2)).toBe(true)
    expect(seen).toHaveLength(4)
  })

  it('reads on across the day-by-day reads: a row exactly at a day boundary, days apart, beyond a month apart', async () => {
    clock.advance(3_600_000)
    const from = clock.now()
    const ids: number[] = []
    // 0 (the start), +1 day exactly (the second day's first instant), +1 day 1 ms, +5 days, +40 days
    for (const at of [0, 86_400_000, 86_400_001, 5 * 86_400_000, 40 * 86_400_000]) {
      clock.set(new Date(from.getTime() + at))
      ids.push((await fileRequest(db, clock, communityId, { text: `第${ids.length}个问题` })).id)
    }
    const to = new Date(clock.now().getTime() + 1)
    const seen: number[] = []
    for await (const batch of requestsCreatedIn(db, { communityId, from, to, batchSize: 2 })) seen.push(...batch.map((r) => Number(r[AT.id])))
    expect(seen).toEqual(ids)
    const batches: number[][] = []
    for await (const batch of requestsCreatedIn(db, { communityId, from, to, batchSize: 1000 })) batches.push(batch.map((r) => Number(r[AT.id])))
    expect(batches.flat()).toEqual(ids)
  })

  it('reads each row as the cells the CSV writes: DATETIMEs as UTC text, ints as numbers, the flag as 0/1', async () => {
    clock.advance(86_400_000)
    const from = clock.now()
    const r = await fileRequest(db, clock, communityId, { text: '5号楼电梯坏了' })
    const [[row]] = await collect(requestsCreatedIn(db, { communityId, from, to: new Date(from.getTime() + 1) }))
    expect(row![AT.id]).toBe(r.id)
    expect(row![AT.no]).toBe(r.no)
    expect(row![AT.original_text]).toBe('5号楼电梯坏了')
    expect(row![AT.created_at]).toBe(from.toISOString().replace('T', ' ').replace('Z', ''))
    expect(row![AT.closed_at]).toBeNull()
    expect(Number(row![AT.needs_triage])).toBe(r.needsTriage ? 1 : 0)
    expect(row![AT.reopen_count]).toBe(0)
  })
})

describeEachDb('a period read stopped early', (kind) => {
  it('leaves no read behind: the pool serves the next export', async () => {
    const { db, close } = await openTestDb(kind)
    try {
      const communityId = await seedSampleCommunity(db)
      const clock = new VirtualClock(T0)
      const from = clock.now()
      for (let i = 0; i < 6; i++) { clock.advance(i % 2 ? 86_400_000 : 60_000); await fileRequest(db, clock, communityId, { text: `第${i}个问题` }) }
      const to = new Date(clock.now().getTime() + 1)
      for await (const batch of requestsCreatedIn(db, { communityId, from, to, batchSize: 1 })) { expect(batch).toHaveLength(1); break }
      const all = (await collect(requestsCreatedIn(db, { communityId, from, to, batchSize: 1 }))).flat()
      expect(all).toHaveLength(6)
    } finally {
      await close()
    }
  })
})

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
