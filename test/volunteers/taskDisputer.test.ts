import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { OutboxMessage, PointsEntry, VolunteerTask, VolunteerTaskEvent } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { claimTask } from '../../src/volunteers/taskClaimer.js'
import { disputeTask } from '../../src/volunteers/taskDisputer.js'
import { reportTaskDone } from '../../src/volunteers/taskReporter.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { resident } from '../helpers/fixtures.js'
import { bindVolunteers, offeredTask, seedVolunteerCommunity, volunteerNamed } from './fixture.js'

describeEachDb('没办好 12: the resident says it was not done', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
  })
  afterAll(() => close())

  it('sends the task back to its volunteer, who is told; no points; only the helped resident may', async () => {
    const { task, resident: who } = await offeredTask(db, clock, communityId)
    const volunteer = await volunteerNamed(db, '何军')
    await inTransaction(db, async (em) => {
      await claimTask(em, clock, { taskId: task.id, volunteer })
      await reportTaskDone(em, clock, { taskId: task.id, volunteer, note: '送到了' })
    })
    const stranger = await resident(db, communityId, '隔壁')
    const dispute = (r: typeof who) => inTransaction(db, (em) => disputeTask(em, clock, { taskId: task.id, communityId, by: { type: 'resident', resident: r }, words: '药没送来' }))
    await expect(dispute(stranger)).rejects.toMatchObject({ code: 'task_not_yours' })
    const { reply } = await dispute(who)
    expect(reply).toBe(`收到，已告诉志愿者志愿任务 #${task.id} 还没办好。`)
    expect(await db.getRepository(VolunteerTask).findOneByOrFail({ id: task.id })).toMatchObject({ status: 'claimed', volunteerId: volunteer.id, reportedAt: null })
    const told = (await db.getRepository(OutboxMessage).find()).find((m) => m.dedupeKey.startsWith(`task-dispute:${task.id}:1`))!
    expect([told.target, told.text]).toEqual(['何军', `居民说志愿任务 #${task.id}（代买药）还没有办好，请联系居民或网格员，办好后再回复「完成 ${task.id}」。`])
    expect(await db.getRepository(PointsEntry).countBy({ taskId: task.id })).toBe(0)
    expect((await db.getRepository(VolunteerTaskEvent).findOneByOrFail({ taskId: task.id, type: 'dispute' })).data).toEqual({ words: '药没送来' })
    await expect(dispute(who)).rejects.toMatchObject({ code: 'illegal_task_transition' }) // nothing reported now
  })
})
