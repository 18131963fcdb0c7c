import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { Digest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { runWeeklyDigest } from '../../src/jobs/digest.js'
import { volunteerDigestLines, volunteerFigures } from '../../src/volunteers/figures.js'
import { redeemPoints } from '../../src/volunteers/pointsRedeemer.js'
import { claimTask } from '../../src/volunteers/taskClaimer.js'
import { confirmTask } from '../../src/volunteers/taskConfirmer.js'
import { reportTaskDone } from '../../src/volunteers/taskReporter.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { staffNamed } from '../helpers/fixtures.js'
import { bindVolunteers, offeredTask, seedVolunteerCommunity, volunteerNamed } from './fixture.js'

const local = (s: string) => new Date(`${s}+08:00`)

describeEachDb('volunteer hours and points: the digest and the API share one computation', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(local('2026-11-30T09:00:00'))
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
  })
  afterAll(() => close())

  async function done(name: string, note: string) {
    const { task, resident: who } = await offeredTask(db, clock, communityId)
    const volunteer = await volunteerNamed(db, name)
    await inTransaction(db, async (em) => {
      await claimTask(em, clock, { taskId: task.id, volunteer })
      await reportTaskDone(em, clock, { taskId: task.id, volunteer, note })
      await confirmTask(em, clock, { taskId: task.id, communityId, by: { type: 'resident', resident: who } })
    })
  }

  it('counts hours, points earned by action and redeemed, and ranks the month', async () => {
    clock.set(local('2026-11-30T10:00:00')) // November
    await done('李晓', '3小时') // 22
    clock.set(local('2026-12-02T10:00:00'))
    await done('何军', '1小时') // 14
    await done('李晓', '半小时') // 12
    await done('何军', '2小时') // 18
    await inTransaction(db, async (em) => redeemPoints(em, clock, { communityId, actor: await staffNamed(db, '赵书记'), volunteerId: (await volunteerNamed(db, '何军')).id, points: 5, note: '毛巾', causeKey: 'f-1' }))
    await offeredTask(db, clock, communityId) // still waiting
    const f = await volunteerFigures(db.manager, { communityId, from: local('2026-11-30T00:00:00'), to: local('2026-12-07T00:00:00') })
    expect(f).toMatchObject({ volunteers: 3, bound: 3, offered: 5, done: 4, waiting: 1, hours: 6.5, earned: { volunteering: 66, verified_report: 0 }, redeemed: 5 })
    // December only: 李晓's 3 hours in November are not in this month's ranking.
    expect(f.month).toMatchObject({ year: 2026, month: 12 })
    expect(f.ranking.map((r) => [r.name, r.points, r.hours, r.tasks])).toEqual([['何军', 32, 3, 2], ['李晓', 12, 0.5, 1]])
    expect(f.ranking[0]!.balance).toBe(27)
    const lines = volunteerDigestLines(f)
    expect(lines[0]).toBe('【志愿服务】志愿者 3 人（已认证 3 人）；本周发出 5 件，完成 4 件，志愿时长 6.5 小时；发放爱心积分 66 分，兑换 5 分；1 件待认领。')
    expect(lines[1]).toBe('【12月积分榜】1. 何军 32 分（3 小时）  2. 李晓 12 分（0.5 小时）')
    // The weekly digest carries the same figures and lines.
    clock.set(local('2026-12-07T08:00:00'))
    await runWeeklyDigest({ db, clock, summarize: null }, clock.now())
    const digest = await db.getRepository(Digest).findOneByOrFail({ communityId })
    expect((digest.figures as unknown as { proactive: { volunteers: unknown } }).proactive.volunteers).toEqual(JSON.parse(JSON.stringify(f)))
    expect(digest.text).toContain(lines[1])
  })
})
