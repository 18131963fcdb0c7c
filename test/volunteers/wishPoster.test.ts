import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { Grid, OutboxMessage, VolunteerTask } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { postWish } from '../../src/volunteers/wishPoster.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { resident } from '../helpers/fixtures.js'
import { bindVolunteers, seedVolunteerCommunity } from './fixture.js'

describeEachDb('心愿: a resident\'s wish offered to the grid\'s volunteers', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number, grid1: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
    grid1 = (await db.getRepository(Grid).findOneByOrFail({ name: '第一网格' })).id
  })
  afterAll(() => close())

  it('offers it once to the grid\'s volunteers and tells the grid leader', async () => {
    const who = await resident(db, communityId, '孙大爷')
    const post = () => inTransaction(db, (em) => postWish(em, clock, { communityId, residentId: who.id, text: '想请人周末陪我去医院复查', urgency: 'low', gridId: grid1, causeKey: 'inbox:1' }))
    const { task, created, volunteers } = await post()
    expect({ created, volunteers, kind: task.kind, source: task.source, status: task.status }).toEqual({ created: true, volunteers: 2, kind: '陪同就医', source: 'wish', status: 'offered' })
    expect(await post()).toMatchObject({ created: false })
    const out = await db.getRepository(OutboxMessage).find({ order: { id: 'ASC' } })
    expect(out.filter((m) => m.dedupeKey.startsWith(`task-offer:${task.id}:`)).map((m) => m.target).sort()).toEqual(['何军', '李晓'])
    expect(out.find((m) => m.dedupeKey.startsWith(`wish:${task.id}`))!.target).toBe('王芳')
  })

  it.each(['urgent', 'high'] as const)('never offers a %s wish', async (urgency) => {
    const who = await resident(db, communityId, `急${urgency}`)
    await expect(inTransaction(db, (em) => postWish(em, clock, { communityId, residentId: who.id, text: '我妈摔倒了起不来', urgency, gridId: grid1, causeKey: `inbox:${urgency}` })))
      .rejects.toMatchObject({ code: 'task_too_urgent' })
    expect(await db.getRepository(VolunteerTask).countBy({ residentId: who.id })).toBe(0)
  })
})
