import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { DEFAULT_POINTS_RULE } from '../../src/community/settings.js'
import { OutboxMessage, PointsAccount, PointsEntry, Resident, VolunteerTaskEvent } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import type { Confirmer } from '../../src/volunteers/confirmer.js'
import { claimTask } from '../../src/volunteers/taskClaimer.js'
import { confirmTask, volunteeringPoints } from '../../src/volunteers/taskConfirmer.js'
import { reportTaskDone } from '../../src/volunteers/taskReporter.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { resident, staffNamed } from '../helpers/fixtures.js'
import { bindVolunteers, offeredTask, seedVolunteerCommunity, volunteerNamed } from './fixture.js'

describeEachDb('完成 and the resident\'s 确认: points when the resident confirms', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
  })
  afterAll(() => close())
  const claimed = async () => {
    const t = await offeredTask(db, clock, communityId)
    await inTransaction(db, async (em) => claimTask(em, clock, { taskId: t.task.id, volunteer: await volunteerNamed(db, '何军') }))
    return t
  }
  const report = async (taskId: number, note: string | null, name = '何军') =>
    inTransaction(db, async (em) => reportTaskDone(em, clock, { taskId, volunteer: await volunteerNamed(db, name), note }))
  const confirm = (taskId: number, by: Confirmer) => inTransaction(db, (em) => confirmTask(em, clock, { taskId, communityId, by }))
  const balance = async () => (await db.getRepository(PointsAccount).findOneBy({ holderType: 'volunteer', holderId: (await volunteerNamed(db, '何军')).id }))?.balance ?? 0

  it('only the claimer reports it done; the resident is asked; nothing is awarded before the confirmation', async () => {
    const { task, resident: who } = await claimed()
    await expect(report(task.id, null, '李晓')).rejects.toMatchObject({ code: 'illegal_task_transition' })
    const before = await balance()
    const { reply } = await report(task.id, '1.5小时 药已送到')
    expect(reply).toBe(`已记录：志愿任务 #${task.id} 完成，用时 1.5 小时。居民确认后积分到账。`)
    const ask = (await db.getRepository(OutboxMessage).find()).find((m) => m.dedupeKey.startsWith(`task-report:${task.id}:`))!
    expect([ask.target, ask.text]).toEqual([who.wechatName, `志愿者 何军 说已帮您办好「代买药」（志愿任务 #${task.id}）。\n办好了请回复「确认 ${task.id}」；没有办好请回复「没办好 ${task.id}」。`])
    expect(await balance()).toBe(before)
    // Someone else cannot confirm it for her.
    const stranger = await resident(db, communityId, '路人甲')
    await expect(confirm(task.id, { type: 'resident', resident: stranger })).rejects.toMatchObject({ code: 'task_not_yours' })
    const r = await confirm(task.id, { type: 'resident', resident: who })
    expect(r.points).toBe(10 + 4 * 1.5)
    expect(await balance()).toBe(before + 16)
    const entries = await db.getRepository(PointsEntry).findBy({ taskId: task.id })
    expect(entries).toMatchObject([{ amount: 16, action: 'volunteering', hours: 1.5 }])
    const told = (await db.getRepository(OutboxMessage).find()).find((m) => m.dedupeKey.startsWith(`task-confirm:${task.id}`))!
    expect(told.text).toContain(`您获得 16 爱心积分，当前共 ${before + 16} 分`)
    // A second 确认 is refused by the state machine and awards nothing.
    await expect(confirm(task.id, { type: 'resident', resident: who })).rejects.toMatchObject({ code: 'illegal_task_transition' })
    expect(await db.getRepository(PointsEntry).countBy({ taskId: task.id })).toBe(1)
    expect((await db.getRepository(VolunteerTaskEvent).find({ where: { taskId: task.id }, order: { id: 'ASC' } })).map((e) => e.type)).toEqual(['offer', 'claim', 'report', 'confirm'])
  })

  it('hours default to the community rule when the volunteer does not say', async () => {
    const { task, resident: who } = await claimed()
    await report(task.id, '已送到家')
    expect((await confirm(task.id, { type: 'resident', resident: who })).points).toBe(10 + 4 * 1) // default_hours: 1
  })

  it('a resident without WeChat is confirmed by the grid\'s staff after a call; staff of another grid may not', async () => {
    const { task } = await claimed()
    await db.getRepository(Resident).update({ id: task.residentId! }, { wechatName: null })
    const { reply } = await report(task.id, '2小时')
    expect(reply).toContain('网格员确认后积分到账')
    const ask = (await db.getRepository(OutboxMessage).find()).find((m) => m.dedupeKey.startsWith(`task-report:${task.id}:`))!
    expect(ask.target).toBe('王芳')
    await expect(confirm(task.id, { type: 'staff', staff: await staffNamed(db, '刘强') })).rejects.toMatchObject({ code: 'task_not_yours' })
    expect((await confirm(task.id, { type: 'staff', staff: await staffNamed(db, '王芳') })).points).toBe(18)
  })

  it('the community decides which actions earn points', () => {
    expect(volunteeringPoints(DEFAULT_POINTS_RULE, 2)).toBe(20)
    expect(volunteeringPoints({ ...DEFAULT_POINTS_RULE, earn: ['verified_report'] }, 2)).toBe(0)
  })
})
