import { afterAll, beforeAll, expect, it } from 'vitest'
import { OutboxMessage, RequestEvent, ServiceRequest } from '../../src/db/entities/index.js'
import { ConflictError, ForbiddenError } from '../../src/errors.js'
import { addCoReporter, withdrawRequest } from '../../src/requests/index.js'
import { describeEachDb } from '../helpers/db.js'
import { caseWorld, type CaseWorld } from './caseFixtures.js'

describeEachDb('withdrawRequest (撤销 by the reporter)', (kind) => {
  let w: CaseWorld
  beforeAll(async () => { w = await caseWorld(kind) })
  afterAll(() => w.close())

  it('cancels the reporter\'s own request with kind withdrawn, the reason on the event, and tells the assignee', async () => {
    const li = await w.resident('李阿姨')
    const r = await w.file({ reporterId: li.id })
    const done = await w.tx((em) => withdrawRequest(em, w.clock, { no: r.no, communityId: w.communityId, residentId: li.id, reason: '已经好了', channel: 'private' }))
    expect(done.status).toBe('cancelled')
    const e = await w.db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'cancel' })
    expect(e).toMatchObject({ actorType: 'resident', actorId: li.id, fromStatus: 'dispatched', toStatus: 'cancelled', data: { reason: '已经好了', kind: 'withdrawn' } })
    const told = await w.db.getRepository(OutboxMessage).findBy({ requestId: r.id, target: '王芳' })
    expect(told.some((m) => m.text.includes('已由居民撤销（已经好了）'))).toBe(true)
    // twice: the state machine refuses
    await expect(w.tx((em) => withdrawRequest(em, w.clock, { requestId: r.id, communityId: w.communityId, residentId: li.id, channel: 'private' }))).rejects.toMatchObject({ code: 'illegal_transition' })
  })

  it('refuses someone else, and a request others reported too', async () => {
    const li = await w.resident()
    const other = await w.resident()
    const r = await w.file({ reporterId: li.id })
    await expect(w.tx((em) => withdrawRequest(em, w.clock, { requestId: r.id, communityId: w.communityId, residentId: other.id, channel: 'private' }))).rejects.toBeInstanceOf(ForbiddenError)
    await w.tx((em) => addCoReporter(em, w.clock, { requestId: r.id, residentId: other.id, source: 'group', text: '我家也是', channel: 'group', causeKey: 'co:w1' }))
    await expect(w.tx((em) => withdrawRequest(em, w.clock, { requestId: r.id, communityId: w.communityId, residentId: other.id, channel: 'private' }))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(w.tx((em) => withdrawRequest(em, w.clock, { requestId: r.id, communityId: w.communityId, residentId: li.id, channel: 'private' }))).rejects.toBeInstanceOf(ConflictError)
    expect((await w.db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })).status).toBe('dispatched')
  })
})
