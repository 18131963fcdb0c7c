import { afterAll, beforeAll, expect, it } from 'vitest'
import { Attachment, OutboxMessage, RequestEvent, RequestReporter, ServiceRequest } from '../../src/db/entities/index.js'
import { ForbiddenError } from '../../src/errors.js'
import { mergeAsStaff, resolveRequest } from '../../src/requests/index.js'
import { describeEachDb } from '../helpers/db.js'
import { caseWorld, type CaseWorld } from './caseFixtures.js'

describeEachDb('mergeAsStaff (合并 12 到 9)', (kind) => {
  let w: CaseWorld
  beforeAll(async () => { w = await caseWorld(kind) })
  afterAll(() => w.close())

  it('moves reporters and photos; both sides get an event with the actor; the 回访 then asks every reporter', async () => {
    const wang = await w.staff('王芳')
    const into = await w.file({ text: '3号楼楼顶漏水' })
    const dup = await w.file({ text: '3号楼301天花板滴水' })
    await w.db.getRepository(Attachment).save({ requestId: dup.id, kind: 'image', storageKey: 'k/1.jpg', mime: 'image/jpeg', size: 10, uploaderType: 'resident', uploaderId: dup.reporterResidentId, createdAt: w.clock.now() })
    const { merged } = await w.tx((em) => mergeAsStaff(em, w.clock, { no: dup.no, intoNo: into.no, staff: wang, channel: 'private', reason: '同一处漏水' }))
    expect(merged).toMatchObject({ status: 'merged', mergedIntoId: into.id })
    const reporters = await w.db.getRepository(RequestReporter).find({ where: { requestId: into.id }, order: { id: 'ASC' } })
    expect(reporters.map((r) => [r.residentId, r.role])).toEqual([[into.reporterResidentId, 'reporter'], [dup.reporterResidentId, 'co_reporter']])
    expect(await w.db.getRepository(Attachment).countBy({ requestId: into.id })).toBe(1)
    const events = await w.db.getRepository(RequestEvent).find({ where: [{ requestId: dup.id, type: 'merge' }, { requestId: into.id, type: 'merged_in' }] })
    expect(events.map((e) => [e.type, e.actorType, e.actorId])).toEqual(expect.arrayContaining([['merge', 'staff', wang.id], ['merged_in', 'staff', wang.id]]))
    expect((await w.db.getRepository(OutboxMessage).findBy({ requestId: dup.id })).some((m) => m.text.includes(`已合并到工单 ${into.no} 办理`))).toBe(true)

    await w.tx((em) => resolveRequest(em, w.clock, { requestId: into.id, staff: wang, channel: 'private', note: '已修补' }))
    const callbacks = await w.db.getRepository(RequestReporter).find({ where: { requestId: into.id } })
    expect(callbacks.every((c) => c.callbackStatus === 'pending')).toBe(true)
  })

  it('refuses staff who hold neither, and a target that is no longer open', async () => {
    const zhang = await w.staff('张伟')
    const wang = await w.staff('王芳')
    const a = await w.file({ text: '2号楼门禁坏了' })
    const b = await w.file({ text: '2号楼单元门关不上' })
    await expect(w.tx((em) => mergeAsStaff(em, w.clock, { requestId: b.id, intoId: a.id, staff: zhang, channel: 'private' }))).rejects.toBeInstanceOf(ForbiddenError)
    await w.tx((em) => resolveRequest(em, w.clock, { requestId: a.id, staff: wang, channel: 'private', note: '已修' }))
    await expect(w.tx((em) => mergeAsStaff(em, w.clock, { requestId: b.id, intoId: a.id, staff: wang, channel: 'private' }))).rejects.toMatchObject({ code: 'merge_target_closed' })
    expect((await w.db.getRepository(ServiceRequest).findOneByOrFail({ id: b.id })).status).toBe('dispatched')
  })
})
