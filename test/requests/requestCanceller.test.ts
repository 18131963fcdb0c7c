import { afterAll, beforeAll, expect, it } from 'vitest'
import { ClassificationCorrection, OutboxMessage, RequestEvent } from '../../src/db/entities/index.js'
import { ForbiddenError, ValidationError } from '../../src/errors.js'
import { cancelAsSecretary } from '../../src/requests/index.js'
import { computeStats } from '../../src/stats/rates.js'
import { describeEachDb } from '../helpers/db.js'
import { caseWorld, type CaseWorld } from './caseFixtures.js'

describeEachDb('cancelAsSecretary (the 书记 cancels)', (kind) => {
  let w: CaseWorld
  beforeAll(async () => { w = await caseWorld(kind) })
  afterAll(() => w.close())

  it('only the 书记, only with a reason; the reporter and the assignee are told; the request leaves the 三率', async () => {
    const zhao = await w.staff('赵书记')
    const wang = await w.staff('王芳')
    const keep = await w.file({ text: '3号楼楼道灯坏了' })
    const chatter = await w.file({ text: '今天天气不错', category: 'other' })
    const stats = () => computeStats(w.db.manager, { communityId: w.communityId, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), now: w.clock.now() })
    expect((await stats()).totals.received).toBe(2)

    await expect(w.tx((em) => cancelAsSecretary(em, w.clock, { requestId: chatter.id, staff: wang, channel: 'private', kind: 'not_a_request', reason: '闲聊' }))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(w.tx((em) => cancelAsSecretary(em, w.clock, { requestId: chatter.id, staff: zhao, channel: 'private', kind: 'not_a_request', reason: ' ' }))).rejects.toBeInstanceOf(ValidationError)
    const r = await w.tx((em) => cancelAsSecretary(em, w.clock, { requestId: chatter.id, staff: zhao, channel: 'api', kind: 'not_a_request', reason: '不是诉求，是闲聊' }))
    expect(r).toMatchObject({ status: 'cancelled', needsTriage: false })
    // The staff's verdict is kept as a labelled example for retraining.
    const corrections = await w.db.getRepository(ClassificationCorrection).find({ where: { requestId: chatter.id } })
    expect(corrections).toHaveLength(1)
    expect(corrections[0]).toMatchObject({ kind: 'not_a_request', oldIsRequest: true, newIsRequest: false, newCategory: null, staffId: zhao.id })
    const e = await w.db.getRepository(RequestEvent).findOneByOrFail({ requestId: chatter.id, type: 'cancel' })
    expect(e).toMatchObject({ actorType: 'staff', actorId: zhao.id, channel: 'api', data: { kind: 'not_a_request', reason: '不是诉求，是闲聊' } })
    const out = await w.db.getRepository(OutboxMessage).findBy({ requestId: chatter.id })
    expect(out.some((m) => m.target === '王芳' && m.text.includes('已被赵书记撤销'))).toBe(true)
    expect(out.some((m) => m.channel === 'wechat_dm' && m.target !== '王芳' && m.text.includes('不是需要办理的问题'))).toBe(true)

    const after = await stats()
    expect(after.totals).toMatchObject({ received: 1, cancelled: 1 })
    expect(after.rates.resolution.denominator).toBe(1)
    expect(after.rates.response.denominator).toBe(1)
    expect(keep.status).toBe('dispatched')
  })
})
