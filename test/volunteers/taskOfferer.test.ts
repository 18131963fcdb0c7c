import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { OutboxMessage, VolunteerTask, VolunteerTaskEvent } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { offerRequestToVolunteers } from '../../src/volunteers/taskOfferer.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { fileRequest, staffNamed } from '../helpers/fixtures.js'
import { bindVolunteers, offeredTask, seedVolunteerCommunity } from './fixture.js'

describeEachDb('offering a request to volunteers (志愿 12)', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
  })
  afterAll(() => close())
  const offer = async (requestId: number, wechat = '王芳') => {
    const staff = await staffNamed(db, wechat)
    return inTransaction(db, (em) => offerRequestToVolunteers(em, clock, { communityId, requestId, staff }))
  }

  it('offers a low-risk 助老 request once, to the bound volunteers of its grid only, with an event row', async () => {
    const { task, created, volunteers, request } = await offeredTask(db, clock, communityId)
    expect({ created, volunteers, status: task.status, kind: task.kind, gridId: task.gridId }).toMatchObject({ created: true, volunteers: 2, status: 'offered', kind: '代买药', gridId: request.gridId })
    const dms = (await db.getRepository(OutboxMessage).find()).filter((m) => m.dedupeKey.startsWith(`task-offer:${task.id}:`))
    expect(dms.map((m) => m.target).sort()).toEqual(['何军', '李晓']) // 钱芳 serves 第二网格
    expect(dms[0]!.text).toContain(`回复「认领 ${task.id}」`)
    expect(dms.every((m) => typeof m.payload?.contactId === 'string')).toBe(true) // to the bound contact
    const again = await offer(request.id)
    expect(again).toMatchObject({ created: false })
    expect(await db.getRepository(VolunteerTask).countBy({ requestId: request.id })).toBe(1)
    expect((await db.getRepository(VolunteerTaskEvent).findBy({ taskId: task.id })).map((e) => e.type)).toEqual(['offer'])
  })

  it.each(['urgent', 'high'] as const)('never offers a %s request, whoever asks (the 书记 too)', async (urgency) => {
    const r = await fileRequest(db, clock, communityId, { text: '独居老人摔倒了起不来', category: 'elderly_help', urgency })
    for (const who of ['王芳', '赵书记']) await expect(offer(r.id, who)).rejects.toMatchObject({ code: 'task_too_urgent' })
    expect(await db.getRepository(VolunteerTask).countBy({ requestId: r.id })).toBe(0)
  })

  it('refuses other categories, closed requests, staff of another grid, and a grid without volunteers', async () => {
    const repair = await fileRequest(db, clock, communityId, { category: 'repair' })
    await expect(offer(repair.id)).rejects.toMatchObject({ code: 'task_not_offerable' })
    const other = await fileRequest(db, clock, communityId, { category: 'elderly_help', text: '想请人送餐' })
    await expect(offer(other.id, '刘强')).rejects.toMatchObject({ code: 'not_assignee' })
    const grid3 = await fileRequest(db, clock, communityId, { category: 'elderly_help', building: '8', text: '想请人陪同就医' })
    await expect(offer(grid3.id, '赵书记')).rejects.toMatchObject({ code: 'no_volunteers' })
  })
})
