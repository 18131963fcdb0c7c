import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { runSlaCheck } from '../../src/jobs/sla.js'
import { acceptRequest, rateRequest, resolveRequest, returnRequest, transferRequest } from '../../src/requests/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, staffNamed, T0 } from '../helpers/fixtures.js'
import { at, eventsOf, HOUR, jobContext, MIN, outboxWith } from './helpers.js'

describeEachDb('SLA job', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(T0)
  const deps = () => ({ db, clock })
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  it('reminds the assignee once at the accept deadline and escalates to the deputy and the 书记 at twice the window', async () => {
    clock.set(T0)
    const r = await fileRequest(db, clock, communityId) // building 3 → 第一网格: 王芳, deputy 孙丽; normal: 签收 4 h
    const base = r.dispatchedAt!
    at(clock, base, 4 * HOUR - MIN)
    await runSlaCheck(deps())
    expect(await outboxWith(db, 'sla:', r.id)).toHaveLength(0)

    at(clock, base, 4 * HOUR)
    const first = await runSlaCheck(deps())
    expect(first.details).toMatchObject({ reminders: 1, escalations: 0 })
    const reminder = await outboxWith(db, `sla:accept:remind:${r.id}:`, r.id)
    expect(reminder.map((o) => [o.channel, o.target])).toEqual([['wechat_dm', '王芳']])
    expect(reminder[0]!.text).toContain(`工单 ${r.no}`)
    expect(reminder[0]!.text).toContain('签收提醒')
    const reminded = await db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })
    expect(reminded.acceptRemindedAt!.getTime()).toBe(clock.now().getTime())
    expect((await eventsOf(db, r.id, 'sla_reminder')).map((e) => e.data?.phase)).toEqual(['accept'])

    // Later passes before 2× send nothing more.
    for (const dt of [4 * HOUR, 5 * HOUR, 8 * HOUR - MIN]) { at(clock, base, dt); await runSlaCheck(deps()) }
    expect(await outboxWith(db, 'sla:', r.id)).toHaveLength(1)

    at(clock, base, 8 * HOUR)
    await runSlaCheck(deps())
    const escalation = await outboxWith(db, `sla:accept:escalate:${r.id}:`, r.id)
    expect(escalation.map((o) => o.target).sort()).toEqual(['孙丽', '王芳', '赵书记'].sort())
    expect(escalation.find((o) => o.target === '赵书记')!.text).toMatch(/^【催办】工单 \d+/)
    expect(escalation.find((o) => o.target === '赵书记')!.text).toContain('王芳')
    const events = await eventsOf(db, r.id, 'sla_escalation')
    expect(events).toHaveLength(1)
    expect(events[0]!.data).toMatchObject({ phase: 'accept' })

    // A "restart": a fresh job invocation through the registry, same database, later time: nothing new.
    const ctx = jobContext(db, clock)
    at(clock, base, 9 * HOUR)
    await jobNamed('sla')!.run(ctx, clock.now())
    at(clock, base, 10 * HOUR)
    await jobNamed('sla')!.run(ctx, clock.now())
    expect(await outboxWith(db, 'sla:', r.id)).toHaveLength(4)
    expect(await eventsOf(db, r.id, 'sla_reminder')).toHaveLength(1)
  })

  it('two instances racing write one reminder (claims), and the job lock lets only one run', async () => {
    clock.set('2026-11-24T09:00:00+08:00') // after the previous test's runs: the job's watermark only moves forward
    const r = await fileRequest(db, clock, communityId, { building: '5' }) // 第二网格 刘强
    at(clock, r.dispatchedAt!, 4 * HOUR + MIN)
    // Without the lock: the guarded UPDATE decides.
    await Promise.all([runSlaCheck(deps()), runSlaCheck(deps())])
    expect(await outboxWith(db, `sla:accept:remind:${r.id}`, r.id)).toHaveLength(1)
    expect(await eventsOf(db, r.id, 'sla_reminder')).toHaveLength(1)

    // With the lock and watermark, through the registry: one of two simultaneous firings does the work.
    const r2 = await fileRequest(db, clock, communityId, { building: '5' })
    at(clock, r2.dispatchedAt!, 4 * HOUR)
    const job = jobNamed('sla')!
    const when = clock.now()
    const results = await Promise.all([job.run(jobContext(db, clock), when), job.run(jobContext(db, clock), when)])
    expect(results.filter((x) => x.skipped)).toHaveLength(1)
    expect(results.filter((x) => !x.skipped)[0]!.acted).toBeGreaterThanOrEqual(1)
    expect(await outboxWith(db, `sla:accept:remind:${r2.id}`, r2.id)).toHaveLength(1)
  })

  it('does the same for the resolve deadline once accepted', async () => {
    clock.set(T0)
    const r = await fileRequest(db, clock, communityId, { urgency: 'urgent', text: '3号楼电梯困人' }) // 签收 15 min, 办结 2 h
    const wang = await staffNamed(db, '王芳')
    at(clock, r.dispatchedAt!, 5 * MIN)
    await inTransaction(db, (em) => acceptRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private' }))
    at(clock, r.dispatchedAt!, 2 * HOUR)
    await runSlaCheck(deps())
    const remind = await outboxWith(db, `sla:resolve:remind:${r.id}`, r.id)
    expect(remind.map((o) => o.target)).toEqual(['王芳'])
    expect(remind[0]!.text).toContain('办结提醒')
    expect(remind[0]!.priority).toBe(0)
    expect(await outboxWith(db, 'sla:accept', r.id)).toHaveLength(0) // accepted in time
    at(clock, r.dispatchedAt!, 4 * HOUR - MIN)
    await runSlaCheck(deps())
    expect(await outboxWith(db, `sla:resolve:escalate:${r.id}`, r.id)).toHaveLength(0)
    at(clock, r.dispatchedAt!, 4 * HOUR)
    await runSlaCheck(deps())
    expect((await outboxWith(db, `sla:resolve:escalate:${r.id}`, r.id)).map((o) => o.target).sort()).toEqual(['孙丽', '王芳', '赵书记'].sort())
    expect((await eventsOf(db, r.id)).filter((e) => e.type.startsWith('sla_')).map((e) => [e.type, e.data?.phase]))
      .toEqual([['sla_reminder', 'resolve'], ['sla_escalation', 'resolve']])
  })

  it('a request re-dispatched after 退单, or reopened after 重办, gets a new reminder round', async () => {
    clock.set(T0)
    const r = await fileRequest(db, clock, communityId, { building: '5' })
    const liu = await staffNamed(db, '刘强'), zhao = await staffNamed(db, '赵书记')
    at(clock, r.dispatchedAt!, 4 * HOUR)
    await runSlaCheck(deps())
    await inTransaction(db, (em) => returnRequest(em, clock, { requestId: r.id, staff: liu, channel: 'private', reason: '不归我管' }))
    await inTransaction(db, (em) => transferRequest(em, clock, { requestId: r.id, staff: zhao, channel: 'private', to: '王芳' }))
    clock.advance(4 * HOUR)
    await runSlaCheck(deps())
    const reminders = await outboxWith(db, `sla:accept:remind:${r.id}`, r.id)
    expect(reminders.map((o) => o.target)).toEqual(['刘强', '王芳'])

    const li = await resident(db, communityId, '李大妈')
    const r2 = await fileRequest(db, clock, communityId, { reporterId: li.id })
    const wang = await staffNamed(db, '王芳')
    at(clock, r2.dispatchedAt!, 4 * HOUR)
    await runSlaCheck(deps())
    await inTransaction(db, (em) => resolveRequest(em, clock, { requestId: r2.id, staff: wang, channel: 'private' }))
    await inTransaction(db, (em) => rateRequest(em, clock, { requestId: r2.id, residentId: li.id, rating: 'unsatisfied', channel: 'private' }))
    clock.advance(4 * HOUR)
    await runSlaCheck(deps())
    expect(await outboxWith(db, `sla:accept:remind:${r2.id}`, r2.id)).toHaveLength(2)
  })

  it('does not wake staff at night for a normal request: the notice waits until 08:00', async () => {
    clock.set('2026-11-24T20:00:00+08:00')
    const r = await fileRequest(db, clock, communityId, { building: '8' }) // 第三网格 张伟, due 00:00
    clock.set('2026-11-25T00:00:00+08:00')
    await runSlaCheck(deps())
    const [row] = await outboxWith(db, `sla:accept:remind:${r.id}`, r.id)
    expect(row!.target).toBe('张伟')
    expect(row!.nextAttemptAt.toISOString()).toBe(new Date('2026-11-25T08:00:00+08:00').toISOString())
  })
  it('a request the 书记 holds himself is escalated to nobody: his 催办 does not claim it was reported to anyone', async () => {
    clock.set(T0)
    const r = await fileRequest(db, clock, communityId, { building: null, text: '小区里有个地方一直漏水' })
    expect(r.assigneeStaffId).toBe((await staffNamed(db, '赵书记')).id)
    at(clock, r.dispatchedAt!, 8 * HOUR)
    await runSlaCheck(deps())
    const escalation = await outboxWith(db, `sla:accept:escalate:${r.id}:`, r.id)
    expect(escalation.map((o) => o.target)).toEqual(['赵书记'])
    expect(escalation[0]!.text).not.toContain('已报告')
    expect(escalation[0]!.text).toContain('请立即处理，或改派给网格员')
  })
})
