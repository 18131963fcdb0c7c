import { afterAll, beforeAll, expect, it } from 'vitest'
import { RequestEvent, RequestReporter } from '../../src/db/entities/index.js'
import { ValidationError } from '../../src/errors.js'
import { addCoReporter, splitRequest } from '../../src/requests/index.js'
import { describeEachDb } from '../helpers/db.js'
import { caseWorld, type CaseWorld } from './caseFixtures.js'

describeEachDb('splitRequest (拆分)', (kind) => {
  let w: CaseWorld
  beforeAll(async () => { w = await caseWorld(kind) })
  afterAll(() => w.close())

  it('one new request per part, with the reporters and place, dispatched, linked by events', async () => {
    const liu = await w.staff('刘强')
    const r = await w.file({ text: '5号楼电梯异响，楼道灯也坏了，门口还堆着垃圾', building: '5' })
    const co = await w.resident()
    await w.tx((em) => addCoReporter(em, w.clock, { requestId: r.id, residentId: co.id, source: 'group', text: '同上', channel: 'group', causeKey: 'co:s1' }))
    const { created } = await w.tx((em) => splitRequest(em, w.clock, {
      requestId: r.id, staff: liu, channel: 'private',
      parts: [{ text: '楼道灯坏了', category: 'repair', urgency: 'normal' }, { text: '门口堆着垃圾', category: 'environment', urgency: 'low' }],
    }))
    expect(created.map((c) => [c.originalText, c.category, c.building, c.status, c.assigneeStaffId])).toEqual([
      ['楼道灯坏了', 'repair', '5', 'dispatched', liu.id], ['门口堆着垃圾', 'environment', '5', 'dispatched', liu.id],
    ])
    for (const c of created) {
      const reps = await w.db.getRepository(RequestReporter).find({ where: { requestId: c.id }, order: { id: 'ASC' } })
      expect(reps.map((x) => x.residentId)).toEqual([r.reporterResidentId, co.id])
    }
    const split = await w.db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'split' })
    expect(split).toMatchObject({ actorType: 'staff', actorId: liu.id, data: { into: created.map((c) => c.no) } })
    expect(await w.db.getRepository(RequestEvent).countBy({ requestId: created[0]!.id, type: 'split_from' })).toBe(1)
  })

  it('needs at least one part and someone who holds the request', async () => {
    const liu = await w.staff('刘强')
    const wang = await w.staff('王芳')
    const r = await w.file({ building: '5' })
    await expect(w.tx((em) => splitRequest(em, w.clock, { requestId: r.id, staff: liu, channel: 'private', parts: [{ text: ' ', category: 'repair', urgency: 'normal' }] }))).rejects.toBeInstanceOf(ValidationError)
    await expect(w.tx((em) => splitRequest(em, w.clock, { requestId: r.id, staff: wang, channel: 'private', parts: [{ text: '灯坏了', category: 'repair', urgency: 'normal' }] }))).rejects.toMatchObject({ code: 'not_assignee' })
  })
})
