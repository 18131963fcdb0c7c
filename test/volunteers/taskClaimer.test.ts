import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { OutboxMessage, ServiceRequest, VolunteerTask, VolunteerTaskEvent } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { claimTask } from '../../src/volunteers/taskClaimer.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { bindVolunteers, offeredTask, seedVolunteerCommunity, volunteerNamed } from './fixture.js'

describeEachDb('认领: the first volunteer gets it', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
  })
  afterAll(() => close())
  const claim = async (taskId: number, name: string) => inTransaction(db, async (em) => claimTask(em, clock, { taskId, volunteer: await volunteerNamed(db, name) }))

  it('of two volunteers claiming at once exactly one wins; the other is told in Chinese it is taken', async () => {
    for (let round = 0; round < 5; round++) {
      const { task } = await offeredTask(db, clock, communityId)
      const results = await Promise.allSettled([claim(task.id, '何军'), claim(task.id, '李晓')])
      const won = results.filter((r) => r.status === 'fulfilled')
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(1)
      expect(lost[0]!.reason).toMatchObject({ code: 'task_already_claimed' })
      expect(lost[0]!.reason.message).toContain(`志愿任务 #${task.id} 已经被其他志愿者认领了`)
      const row = await db.getRepository(VolunteerTask).findOneByOrFail({ id: task.id })
      const winner = (won[0] as PromiseFulfilledResult<{ task: VolunteerTask }>).value.task
      expect(row).toMatchObject({ status: 'claimed', volunteerId: winner.volunteerId })
      expect((await db.getRepository(VolunteerTaskEvent).findBy({ taskId: task.id, type: 'claim' }))).toHaveLength(1)
    }
  })

  it('tells the winner where to go and the request\'s staff who took it; a volunteer of another grid cannot claim', async () => {
    const { task } = await offeredTask(db, clock, communityId)
    await expect(claim(task.id, '钱芳')).rejects.toMatchObject({ code: 'task_other_grid' })
    const { reply } = await claim(task.id, '何军')
    expect(reply).toContain(`您已认领志愿任务 #${task.id}（代买药）`)
    expect(reply).toContain('地点：3号楼')
    const told = (await db.getRepository(OutboxMessage).find()).filter((m) => m.dedupeKey.startsWith(`task-claim:${task.id}`))
    expect(told.map((m) => [m.target, m.text])).toEqual([['王芳', `【志愿服务 #${task.id}】代买药 已由志愿者 何军 认领，工单仍由您跟进。`]])
  })

  it('a task whose request staff finished meanwhile is cancelled on 认领 instead of sending anyone', async () => {
    const { task, request } = await offeredTask(db, clock, communityId)
    await db.getRepository(ServiceRequest).update({ id: request.id }, { status: 'closed', resolvedAt: clock.now(), closedAt: clock.now() })
    const { reply } = await claim(task.id, '何军')
    expect(reply).toBe(`志愿任务 #${task.id} 对应的工单已经办结或撤销，不用再去了，谢谢您！`)
    expect(await db.getRepository(VolunteerTask).findOneByOrFail({ id: task.id })).toMatchObject({ status: 'cancelled', volunteerId: null })
  })
})
