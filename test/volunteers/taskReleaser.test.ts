import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { OutboxMessage, VolunteerTask } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { claimTask } from '../../src/volunteers/taskClaimer.js'
import { releaseTask } from '../../src/volunteers/taskReleaser.js'
import { importCommunity, parseCommunityFile } from '../../src/community/import.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { bindVolunteers, offeredTask, seedVolunteerCommunity, volunteerNamed, volunteersYaml } from './fixture.js'

describeEachDb('放弃: a volunteer gives a claimed task back', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    await bindVolunteers(db, clock, communityId)
  })
  afterAll(() => close())
  const claim = async (taskId: number, name: string) => inTransaction(db, async (em) => claimTask(em, clock, { taskId, volunteer: await volunteerNamed(db, name) }))

  it('放弃: only the claimer can give it up; it is offered again to the others', async () => {
    const { task } = await offeredTask(db, clock, communityId)
    await claim(task.id, '何军')
    await expect(inTransaction(db, async (em) => releaseTask(em, clock, { taskId: task.id, volunteer: await volunteerNamed(db, '李晓') }))).rejects.toMatchObject({ code: 'illegal_task_transition' })
    await inTransaction(db, async (em) => releaseTask(em, clock, { taskId: task.id, volunteer: await volunteerNamed(db, '何军') }))
    expect(await db.getRepository(VolunteerTask).findOneByOrFail({ id: task.id })).toMatchObject({ status: 'offered', volunteerId: null })
    const again = (await db.getRepository(OutboxMessage).find()).filter((m) => m.dedupeKey.startsWith(`task-offer:${task.id}:1`))
    expect(again.map((m) => m.target)).toEqual(['李晓'])
    await claim(task.id, '李晓')
  })

  it('a volunteer taken off the community file gives back what they had claimed', async () => {
    const { task } = await offeredTask(db, clock, communityId)
    await claim(task.id, '何军')
    const without = volunteersYaml().replace('  - { name: 何军, wechat: 何军, phone: "13700000001", grids: [第一网格] }\n', '')
    await importCommunity(db, parseCommunityFile(without), { encryptionKey: TEST_KEY, clock })
    expect(await db.getRepository(VolunteerTask).findOneByOrFail({ id: task.id })).toMatchObject({ status: 'offered', volunteerId: null })
    const again = (await db.getRepository(OutboxMessage).find()).filter((m) => m.dedupeKey.startsWith(`task-offer:${task.id}:1`))
    expect(again.map((m) => m.target)).toEqual(['李晓'])
  })
})
