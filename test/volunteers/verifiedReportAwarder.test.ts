import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { PointsEntry, ServiceRequest } from '../../src/db/entities/index.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { inTransaction } from '../../src/db/transaction.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { awardVerifiedReports } from '../../src/volunteers/verifiedReportAwarder.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { fileRequest, resident } from '../helpers/fixtures.js'
import { jobContext } from '../jobs/helpers.js'
import { seedVolunteerCommunity, volunteersYaml } from './fixture.js'

const local = (s: string) => new Date(`${s}+08:00`)

describeEachDb('verified reports earn points where the community counts them', (kind) => {
  let db: DataSource, url: string, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(local('2026-12-01T09:00:00'))
  beforeAll(async () => {
    ;({ db, url, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
  })
  afterAll(() => close())

  it('verified reports earn the reporter points once, however often and in however many instances the job runs', async () => {
    const job = jobNamed('verified_report_points')!
    const who = await resident(db, communityId, '报告人')
    const closed = await fileRequest(db, clock, communityId, { reporterId: who.id })
    const cancelled = await fileRequest(db, clock, communityId, { reporterId: who.id })
    await db.getRepository(ServiceRequest).update({ id: closed.id }, { status: 'closed', resolvedAt: clock.now(), closedAt: clock.now() })
    await db.getRepository(ServiceRequest).update({ id: cancelled.id }, { status: 'cancelled', closedAt: clock.now() })
    clock.set(local('2026-12-08T06:00:00'))
    const other = kind === 'mysql' ? await openDatabase(url, { migrate: false }) : db
    try {
      const [a, b] = await Promise.all([job.run(jobContext(db, clock, { DATA_ENCRYPTION_KEY: TEST_KEY }), clock.now()), job.run(jobContext(other, clock, { DATA_ENCRYPTION_KEY: TEST_KEY }), clock.now())])
      expect(a.acted + b.acted).toBe(1)
      clock.set(local('2026-12-09T06:00:00'))
      expect((await job.run(jobContext(db, clock, { DATA_ENCRYPTION_KEY: TEST_KEY }), clock.now())).acted).toBe(0)
    } finally {
      if (other !== db) await other.destroy()
    }
    expect(await db.getRepository(PointsEntry).findBy({ action: 'verified_report' })).toMatchObject([{ amount: 3, requestId: closed.id }])
  })

  it('awards nothing where verified_report is not in points.earn', async () => {
    await seedVolunteerCommunity(db, clock, volunteersYaml().replace('earn: [volunteering, verified_report]', 'earn: [volunteering]'))
    const who = await resident(db, communityId, '另一位')
    const r = await fileRequest(db, clock, communityId, { reporterId: who.id })
    await db.getRepository(ServiceRequest).update({ id: r.id }, { status: 'closed', resolvedAt: clock.now(), closedAt: clock.now() })
    expect(await inTransaction(db, (em) => awardVerifiedReports(em, clock, communityId))).toBe(0)
    expect(await db.getRepository(PointsEntry).countBy({ requestId: r.id })).toBe(0)
  })
})
