import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { inTransaction } from '../../src/db/transaction.js'
import { openTestDb, seedSampleCommunity, type DbKind } from '../helpers/db.js'
import { fileRequest, resident, staffNamed, T0 } from '../helpers/fixtures.js'

/** A migrated database with the sample community, a clock and shortcuts for the case-command tests. */
export async function caseWorld(kind: DbKind) {
  const { db, close } = await openTestDb(kind)
  const communityId = await seedSampleCommunity(db)
  const clock = new VirtualClock(T0)
  let n = 0
  const world = {
    db, close, communityId, clock,
    tx: <T>(fn: Parameters<typeof inTransaction<T>>[1]) => inTransaction(db, fn),
    staff: (wechat: string) => staffNamed(db, wechat),
    resident: (name?: string) => resident(db, communityId, name ?? `居民${++n}`),
    file: async (o: Parameters<typeof fileRequest>[3] = {}) => {
      const who = o.reporterId ?? (await world.resident()).id
      return fileRequest(db, clock, communityId, { ...o, reporterId: who })
    },
  }
  return world
}
export type CaseWorld = Awaited<ReturnType<typeof caseWorld>>
export const dbOf = (w: CaseWorld): DataSource => w.db
