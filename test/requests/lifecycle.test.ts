import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { OutboxMessage, RequestEvent, ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import {
  acceptRequest, IllegalTransitionError, REQUEST_STATUSES, resolveRequest, returnRequest, transferRequest, transition, TRANSITIONS, canTransition, rateRequest,
} from '../../src/requests/index.js'
import { ForbiddenError } from '../../src/errors.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, staffNamed, T0 } from '../helpers/fixtures.js'

describeEachDb('request lifecycle', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(T0)
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  const events = (requestId: number) => db.getRepository(RequestEvent).find({ where: { requestId }, order: { id: 'ASC' } })

  it('creates and dispatches to the grid leader of the named building, with SLA deadlines and notifications', async () => {
    const li = await resident(db, communityId, '李阿姨')
    const r = await fileRequest(db, clock, communityId, { reporterId: li.id, roomTopic: '幸福里3号楼业主群' })
    const wang = await staffNamed(db, '王芳')
    expect(r.status).toBe('dispatched')
    expect(r.assigneeStaffId).toBe(wang.id)
    expect(r.acceptDueAt!.getTime() - clock.now().getTime()).toBe(4 * 3600_000)
    expect(r.resolveDueAt!.getTime() - clock.now().getTime()).toBe(72 * 3600_000)
    expect((await events(r.id)).map((e) => e.type)).toEqual(['created', 'dispatch'])
    const out = await db.getRepository(OutboxMessage).find({ where: { requestId: r.id } })
    expect(out.map((o) => [o.channel, o.target]).sort()).toEqual([['wechat_dm', '王芳'], ['wechat_room', '幸福里3号楼业主群']])
    expect(out.find((o) => o.channel === 'wechat_room')!.text).toContain(`工单号 ${r.no}`)
    expect(out.find((o) => o.channel === 'wechat_room')!.text).not.toMatch(/1[3-9]\d{9}/)
  })

  it('runs the closed loop: accept → resolve → rate closes it, with an event per transition', async () => {
    const li = await resident(db, communityId, '张大爷')
    const r = await fileRequest(db, clock, communityId, { reporterId: li.id })
    const wang = await staffNamed(db, '王芳')
    await inTransaction(db, (em) => acceptRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private' }))
    await inTransaction(db, (em) => resolveRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private', note: '已换灯泡' }))
    const closed = await inTransaction(db, (em) => rateRequest(em, clock, { requestId: r.id, residentId: li.id, rating: 'satisfied', channel: 'private' }))
    expect(closed.status).toBe('closed')
    expect(closed.rating).toBe('satisfied')
    expect((await events(r.id)).map((e) => e.toStatus).filter(Boolean)).toEqual(['new', 'dispatched', 'accepted', 'resolved', 'closed'])
  })

  it('an illegal transition fails with a domain error and changes nothing', async () => {
    const r = await fileRequest(db, clock, communityId)
    const before = await events(r.id)
    await expect(inTransaction(db, (em) => transition(em, clock, { requestId: r.id, action: 'close', actor: { type: 'system', id: null }, channel: 'system' })))
      .rejects.toBeInstanceOf(IllegalTransitionError)
    const after = await db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })
    expect(after.status).toBe('dispatched')
    expect(await events(r.id)).toHaveLength(before.length)
  })

  it('exactly one of two concurrent accepts wins', async () => {
    const r = await fileRequest(db, clock, communityId)
    const wang = await staffNamed(db, '王芳')
    const results = await Promise.allSettled([0, 1].map(() => inTransaction(db, (em) => acceptRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private' }))))
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1)
    const failed = results.find((x) => x.status === 'rejected') as PromiseRejectedResult
    expect(failed.reason).toBeInstanceOf(IllegalTransitionError)
    expect((await events(r.id)).filter((e) => e.type === 'accept')).toHaveLength(1)
  })

  it('退单 goes back to the 书记, who re-dispatches it with 转派', async () => {
    const r = await fileRequest(db, clock, communityId, { building: '5' })
    const liu = await staffNamed(db, '刘强')
    const zhao = await staffNamed(db, '赵书记')
    const returned = await inTransaction(db, (em) => returnRequest(em, clock, { requestId: r.id, staff: liu, channel: 'private', reason: '不是本网格的' }))
    expect(returned.status).toBe('returned')
    expect(returned.assigneeStaffId).toBeNull()
    const dm = await db.getRepository(OutboxMessage).findOneByOrFail({ requestId: r.id, target: '赵书记' })
    expect(dm.text).toContain('不是本网格的')
    await expect(inTransaction(db, (em) => transferRequest(em, clock, { requestId: r.id, staff: liu, channel: 'private', to: '王芳' }))).rejects.toBeInstanceOf(ForbiddenError)
    const again = await inTransaction(db, (em) => transferRequest(em, clock, { requestId: r.id, staff: zhao, channel: 'private', to: '王芳' }))
    expect(again.status).toBe('dispatched')
    expect(again.assigneeStaffId).toBe((await staffNamed(db, '王芳')).id)
  })

  it('only the assignee may accept', async () => {
    const r = await fileRequest(db, clock, communityId, { building: '3' })
    const liu = await staffNamed(db, '刘强')
    await expect(inTransaction(db, (em) => acceptRequest(em, clock, { requestId: r.id, staff: liu, channel: 'private' }))).rejects.toBeInstanceOf(ForbiddenError)
  })

  it('an unsatisfied callback reopens (重办) to the same assignee and counts it', async () => {
    const res = await resident(db, communityId, '钱女士')
    const r = await fileRequest(db, clock, communityId, { reporterId: res.id })
    const wang = await staffNamed(db, '王芳')
    await inTransaction(db, (em) => resolveRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private' }))
    const reopened = await inTransaction(db, (em) => rateRequest(em, clock, { requestId: r.id, residentId: res.id, rating: 'unsatisfied', words: '还是不亮', channel: 'private' }))
    expect(reopened.status).toBe('reopened')
    expect(reopened.reopenCount).toBe(1)
    expect(reopened.assigneeStaffId).toBe(wang.id)
    const dms = await db.getRepository(OutboxMessage).find({ where: { requestId: r.id } })
    expect(dms.some((d) => d.target === '赵书记' && d.text.includes('还是不亮'))).toBe(true)
  })
})

it('the transition table only names known statuses, and every status but the terminal ones can move', () => {
  for (const t of Object.values(TRANSITIONS)) {
    for (const s of [...t.from, t.to]) expect(REQUEST_STATUSES).toContain(s)
  }
  const movable = REQUEST_STATUSES.filter((s) => Object.keys(TRANSITIONS).some((a) => canTransition(s, a as keyof typeof TRANSITIONS)))
  expect(movable.sort()).toEqual(['accepted', 'closed', 'dispatched', 'new', 'reopened', 'resolved', 'returned'])
})

describeEachDb('triage', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(T0)
  beforeAll(async () => { ({ db, close } = await openTestDb(kind)); communityId = await seedSampleCommunity(db) })
  afterAll(() => close())

  it('changing the category re-routes a request nobody has signed for (dispute → the mediator)', async () => {
    const { confirmTriage } = await import('../../src/requests/index.js')
    const r = await fileRequest(db, clock, communityId, { category: 'repair', building: '3' })
    const zhao = await staffNamed(db, '赵书记')
    const chen = await staffNamed(db, '陈明')
    const wang = await staffNamed(db, '王芳')
    await expect(inTransaction(db, (em) => confirmTriage(em, clock, { requestId: r.id, staff: wang, category: 'dispute', channel: 'api' }))).rejects.toBeInstanceOf(ForbiddenError)
    const t = await inTransaction(db, (em) => confirmTriage(em, clock, { requestId: r.id, staff: zhao, category: 'dispute', channel: 'api' }))
    expect(t.category).toBe('dispute')
    expect(t.needsTriage).toBe(false)
    expect(t.assigneeStaffId).toBe(chen.id)
    const dms = await db.getRepository(OutboxMessage).find({ where: { requestId: r.id } })
    const task = dms.find((d) => d.target === '陈明')!
    // The source stays the group it came from; the reason is its own line.
    expect(task.text).toMatch(/报告人：.+（(?!分诊)[^）]+）/)
    expect(task.text).not.toContain('分诊后改派）')
    expect(task.text).toContain('（书记分诊后改派给您）')
    expect(dms.some((d) => d.target === '王芳' && d.text.includes('改派'))).toBe(true)
  })
})
