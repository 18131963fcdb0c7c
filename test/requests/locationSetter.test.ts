import { afterAll, beforeAll, expect, it } from 'vitest'
import { OutboxMessage, RequestEvent } from '../../src/db/entities/index.js'
import { ForbiddenError, ValidationError } from '../../src/errors.js'
import { acceptRequest, setRequestLocation } from '../../src/requests/index.js'
import { describeEachDb } from '../helpers/db.js'
import { caseWorld, type CaseWorld } from './caseFixtures.js'

describeEachDb('setRequestLocation (位置 12 7号楼3单元)', (kind) => {
  let w: CaseWorld
  beforeAll(async () => { w = await caseWorld(kind) })
  afterAll(() => w.close())

  it('a new grid re-routes the request (转派), resets 签收, tells both staff and keeps the old place on the event', async () => {
    const wang = await w.staff('王芳')
    const liu = await w.staff('刘强')
    const r = await w.file({ building: '3' })
    await w.tx((em) => acceptRequest(em, w.clock, { requestId: r.id, staff: wang, channel: 'private' }))
    const { request, rerouted } = await w.tx((em) => setRequestLocation(em, w.clock, { requestId: r.id, communityId: w.communityId, by: { staff: wang }, building: '7号楼', unit: '3', channel: 'private' }))
    expect(rerouted?.id).toBe(liu.id)
    expect(request).toMatchObject({ building: '7', unit: '3', assigneeStaffId: liu.id, status: 'dispatched', acceptedAt: null })
    const e = await w.db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'location_set' })
    expect(e).toMatchObject({ actorType: 'staff', actorId: wang.id, data: { from: { building: '3', unit: null, room: null }, to: { building: '7', unit: '3', room: null } } })
    const t = await w.db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'transfer' })
    expect(t.data).toMatchObject({ from: wang.id, to: liu.id, reason: 'location' })
    expect((await w.db.getRepository(OutboxMessage).findBy({ requestId: r.id, target: '刘强' })).some((m) => m.text.includes(`【新工单 ${r.no}】`))).toBe(true)
  })

  it('the same grid changes only the place; the reporter may set it; others and unknown buildings are refused', async () => {
    const li = await w.resident()
    const stranger = await w.resident()
    const r = await w.file({ building: null, reporterId: li.id })
    const { request, rerouted } = await w.tx((em) => setRequestLocation(em, w.clock, { requestId: r.id, communityId: w.communityId, by: { residentId: li.id }, building: '3', channel: 'group' }))
    expect(rerouted?.name).toBe('王芳')
    expect(request.building).toBe('3')
    const again = await w.tx((em) => setRequestLocation(em, w.clock, { requestId: r.id, communityId: w.communityId, by: { residentId: li.id }, building: '2', unit: '1', channel: 'group' }))
    expect(again.rerouted).toBeNull()
    expect(again.request).toMatchObject({ building: '2', unit: '1' })
    await expect(w.tx((em) => setRequestLocation(em, w.clock, { requestId: r.id, communityId: w.communityId, by: { residentId: stranger.id }, building: '3', channel: 'group' }))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(w.tx((em) => setRequestLocation(em, w.clock, { requestId: r.id, communityId: w.communityId, by: { residentId: li.id }, building: '99', channel: 'group' }))).rejects.toBeInstanceOf(ValidationError)
  })
})
