import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { recordCorrection } from '../../src/corrections/correctionRecorder.js'
import { ClassificationCorrection, ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { confirmTriage } from '../../src/requests/admin.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, staffNamed, T0 } from '../helpers/fixtures.js'

describeEachDb('correction recorder', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(new Date(T0))
  beforeAll(async () => {
    ({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(async () => close())

  it('stores text, room, old and new labels, who and when for each kind', async () => {
    const req = await fileRequest(db, clock, communityId, { text: '楼下有人吵架', category: 'repair', urgency: 'normal', roomTopic: undefined })
    const secretary = await staffNamed(db, '赵书记')
    const changed = await inTransaction(db, (em) => recordCorrection(em, { request: req, kind: 'changed', category: 'dispute', staff: secretary, at: clock.now() }))
    expect(changed).toMatchObject({ text: '楼下有人吵架', kind: 'changed', oldCategory: 'repair', newCategory: 'dispute', oldUrgency: 'normal', newUrgency: 'normal', newIsRequest: true, staffId: secretary.id, staffRole: 'secretary' })
    const same = await inTransaction(db, (em) => recordCorrection(em, { request: req, kind: 'changed', category: 'repair', staff: secretary, at: clock.now() }))
    expect(same.kind).toBe('confirmed')
    const chatter = await inTransaction(db, (em) => recordCorrection(em, { request: req, kind: 'not_a_request', staff: null, at: clock.now() }))
    expect(chatter).toMatchObject({ newIsRequest: false, newCategory: null, newUrgency: null, staffId: null })
    const rows = await db.getRepository(ClassificationCorrection).find({ where: { requestId: req.id }, order: { id: 'ASC' } })
    expect(rows.map((r) => r.kind)).toEqual(['changed', 'confirmed', 'not_a_request'])
    expect(rows[0]!.createdAt.getTime()).toBe(clock.now().getTime())
  })

  it('triage by the 书记 records a correction (changed) and a confirmation', async () => {
    const req = await fileRequest(db, clock, communityId, { text: '5号楼楼下有人在烧东西，烟很大', category: 'environment', urgency: 'normal' })
    const secretary = await staffNamed(db, '赵书记')
    await inTransaction(db, (em) => confirmTriage(em, clock, { requestId: req.id, staff: secretary, category: 'safety', urgency: 'urgent', channel: 'miniprogram' }))
    await inTransaction(db, (em) => confirmTriage(em, clock, { requestId: req.id, staff: secretary, channel: 'miniprogram' }))
    const rows = await db.getRepository(ClassificationCorrection).find({ where: { requestId: req.id }, order: { id: 'ASC' } })
    expect(rows.map((r) => [r.kind, r.oldCategory, r.newCategory, r.newUrgency])).toEqual([
      ['changed', 'environment', 'safety', 'urgent'], ['confirmed', 'safety', 'safety', 'urgent'],
    ])
    expect((await db.getRepository(ServiceRequest).findOneByOrFail({ id: req.id })).category).toBe('safety')
  })
})
