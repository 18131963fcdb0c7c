import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { OutboxMessage, VolunteerTask } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { claimTask } from '../../src/volunteers/taskClaimer.js'
import { reportTaskDone } from '../../src/volunteers/taskReporter.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { bindVolunteers, offeredTask, seedVolunteerCommunity, volunteerNamed } from './fixture.js'

describeEachDb('完成 12: the volunteer reports a task done', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
  })
  afterAll(() => close())
  const report = async (taskId: number, note: string | null, name = '何军') =>
    inTransaction(db, async (em) => reportTaskDone(em, clock, { taskId, volunteer: await volunteerNamed(db, name), note }))

  it('only after a claim, only by the claimer, once; hours from the note or the default; the resident is asked', async () => {
    const { task, resident } = await offeredTask(db, clock, communityId)
    await expect(report(task.id, '1小时')).rejects.toMatchObject({ code: 'illegal_task_transition' }) // not claimed
    await inTransaction(db, async (em) => claimTask(em, clock, { taskId: task.id, volunteer: await volunteerNamed(db, '何军') }))
    await expect(report(task.id, '1小时', '李晓')).rejects.toMatchObject({ code: 'illegal_task_transition' })
    await report(task.id, '用了30分钟，药已送到')
    expect(await db.getRepository(VolunteerTask).findOneByOrFail({ id: task.id })).toMatchObject({ status: 'reported', hours: 0.5, reportNote: '用了30分钟，药已送到' })
    await expect(report(task.id, '再报一次')).rejects.toMatchObject({ code: 'illegal_task_transition' })
    const asked = (await db.getRepository(OutboxMessage).find()).filter((m) => m.dedupeKey.startsWith(`task-report:${task.id}:`))
    expect(asked.map((m) => m.target)).toEqual([resident.wechatName])
    const other = await offeredTask(db, clock, communityId)
    await inTransaction(db, async (em) => claimTask(em, clock, { taskId: other.task.id, volunteer: await volunteerNamed(db, '何军') }))
    const { reply } = await report(other.task.id, null)
    expect(reply).toBe(`已记录：志愿任务 #${other.task.id} 完成，用时 1 小时。居民确认后积分到账。`) // default_hours
  })
})
