import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { inTransaction } from '../../src/db/transaction.js'
import { runDailyTodo } from '../../src/jobs/dailyTodo.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { acceptRequest, resolveRequest, returnRequest } from '../../src/requests/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, staffNamed } from '../helpers/fixtures.js'
import { jobContext, outboxWith } from './helpers.js'

const local = (s: string) => new Date(`2026-11-${s}:00+08:00`)

describeEachDb('daily to-do', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(local('23T09:00'))
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  it('sends each staff member with open tasks one DM, overdue first, and skips everyone else', async () => {
    const [wang, liu] = [await staffNamed(db, '王芳'), await staffNamed(db, '刘强')]
    clock.set(local('23T09:00'))
    const overdueAccept = await fileRequest(db, clock, communityId, { text: '3号楼楼道灯坏了' }) // 签收 due 23日 13:00
    clock.set(local('23T10:00'))
    const done = await fileRequest(db, clock, communityId, { text: '2号楼门禁坏了', building: '2' })
    await inTransaction(db, (em) => resolveRequest(em, clock, { requestId: done.id, staff: wang, channel: 'private' }))
    clock.set(local('24T07:00'))
    const accepted = await fileRequest(db, clock, communityId, { text: '1号楼水管滴水', building: '1', urgency: 'high' }) // 办结 due 25日 07:00
    await inTransaction(db, (em) => acceptRequest(em, clock, { requestId: accepted.id, staff: wang, channel: 'private' }))
    clock.set(local('24T07:01'))
    const fresh = await fileRequest(db, clock, communityId, { text: '3号楼垃圾桶满了', urgency: 'low' }) // 签收 due 25日 07:01
    const returned = await fileRequest(db, clock, communityId, { text: '5号楼噪音', building: '5' })
    await inTransaction(db, (em) => returnRequest(em, clock, { requestId: returned.id, staff: liu, channel: 'private', reason: '不是我们网格' }))

    clock.set(local('24T08:30'))
    const summary = await runDailyTodo({ db, clock }, clock.now())
    const todos = await outboxWith(db, 'todo:')
    expect(todos.map((o) => o.target).sort()).toEqual(['王芳', '赵书记'].sort()) // 刘强, 张伟, 孙丽 … have nothing open
    expect(summary.acted).toBe(2)
    const text = todos.find((o) => o.target === '王芳')!.text
    expect(text.split('\n')[0]).toBe('【今日待办】王芳，早上好！您有 3 件工单待处理，其中 1 件已超时：')
    const order = [overdueAccept, accepted, fresh].map((r) => text.indexOf(`工单 ${r.no}｜`))
    expect(order.every((i) => i > 0)).toBe(true)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(text).toContain('⚠️已超时')
    expect(text).toContain('11月25日 07:00 前办结')
    expect(text).not.toContain(`工单 ${done.no}｜`)
    const secretary = todos.find((o) => o.target === '赵书记')!.text
    expect(secretary).toContain(`工单 ${returned.no}｜`)
    expect(secretary).toContain('待转派')

    // Again the same day, or through the registry twice: nothing more. The next day: a new list.
    await runDailyTodo({ db, clock }, clock.now())
    const job = jobNamed('daily_todo')!
    await job.run(jobContext(db, clock), clock.now())
    await job.run(jobContext(db, clock), clock.now())
    expect(await outboxWith(db, 'todo:')).toHaveLength(2)
    clock.set(local('25T08:30'))
    await job.run(jobContext(db, clock), clock.now())
    expect(await outboxWith(db, 'todo:')).toHaveLength(4)
  })
})
