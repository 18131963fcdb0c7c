import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { CareResident, CareVisit, CareVisitEvent, OutboxMessage } from '../../src/db/entities/index.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { inTransaction } from '../../src/db/transaction.js'
import { noteResidentContact, recordVisit, transitionVisit } from '../../src/care/visits.js'
import { IllegalVisitTransitionError } from '../../src/care/visitStateMachine.js'
import { runDailyTodo } from '../../src/jobs/dailyTodo.js'
import { runWeeklyDigest } from '../../src/jobs/digest.js'
import { careDigestLines, careFigures } from '../../src/care/figures.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { staffNamed } from '../helpers/fixtures.js'
import { jobContext } from '../jobs/helpers.js'
import { seedCareCommunity } from './fixture.js'

const DAY = 86_400_000
const local = (s: string) => new Date(`${s}+08:00`)

describeEachDb('care visits', (kind) => {
  let db: DataSource, url: string, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(local('2026-11-23T07:00:00'))
  const job = jobNamed('care_visits')!
  const ctx = () => jobContext(db, clock, { DATA_ENCRYPTION_KEY: TEST_KEY })
  const visitsOf = async (name: 0 | 1 | 2) => {
    const cr = (await db.getRepository(CareResident).find({ order: { id: 'ASC' } }))[name]!
    return db.getRepository(CareVisit).find({ where: { careResidentId: cr.id }, order: { id: 'ASC' } })
  }
  beforeAll(async () => {
    ;({ db, url, close } = await openTestDb(kind))
    communityId = await seedCareCommunity(db, clock)
  })
  afterAll(() => close())

  it('schedules each roster resident one interval out, once, however often the job runs', async () => {
    clock.set(local('2026-11-23T08:00:00'))
    const first = await job.run(ctx(), clock.now())
    expect(first.details).toMatchObject({ scheduled: 3, flagged: 0, escalated: 0 })
    expect((await job.run(ctx(), clock.now())).skipped).toBe(true) // same scheduled time: watermark
    expect((await visitsOf(0))[0]).toMatchObject({ status: 'scheduled', dueAt: new Date(clock.now().getTime() + 7 * DAY) })
    expect((await visitsOf(1))[0]!.dueAt).toEqual(new Date(clock.now().getTime() + 28 * DAY)) // 三级: the community's P28D
    expect((await visitsOf(2))[0]!.dueAt).toEqual(new Date(clock.now().getTime() + 14 * DAY))
    clock.set(local('2026-11-24T08:00:00'))
    expect((await job.run(ctx(), clock.now())).details).toMatchObject({ scheduled: 0 })
  })

  it('lists visits due in the grid leader\'s daily to-do and flags a door knock once the interval has passed', async () => {
    clock.set(local('2026-11-30T08:00:00')) // 张奶奶 due today 08:00
    expect((await job.run(ctx(), clock.now())).details).toMatchObject({ flagged: 1, escalated: 0 })
    expect((await visitsOf(0))[0]!.status).toBe('overdue')
    clock.set(local('2026-11-30T08:30:00'))
    await runDailyTodo({ db, clock, encryptionKey: TEST_KEY }, clock.now())
    const todos = await db.getRepository(OutboxMessage).find({ order: { id: 'ASC' } })
    const wang = todos.find((o) => o.dedupeKey.startsWith('todo:') && o.target === '王芳')!
    expect(wang.text).toContain('【今日走访】1 位关爱对象待走访，其中 1 位已超期未见，请上门敲门')
    expect(wang.text).toContain('🚪需敲门 张奶奶（一级，3号楼1单元302）')
    expect(wang.text).not.toContain('李爷爷') // due in four weeks
    expect(todos.find((o) => o.target === '刘强')).toBeUndefined() // 陈阿婆 not due yet
    // No roster data ever goes to a group.
    expect(todos.filter((o) => o.channel === 'wechat_room' && /张奶奶|李爷爷|陈阿婆/.test(o.text))).toEqual([])
  })

  it('escalates a visit overdue by more than half its interval to the 书记, once, even from two instances', async () => {
    clock.set(local('2026-12-03T20:00:00')) // 3.5 days after due: not yet
    let s = await job.run(ctx(), clock.now())
    expect(s.details).toMatchObject({ escalated: 0 })
    clock.set(local('2026-12-04T08:00:00')) // 4 days > 3.5
    const other = kind === 'mysql' ? await openDatabase(url, { migrate: false }) : db
    try {
      const [a, b] = await Promise.all([job.run(ctx(), clock.now()), job.run(jobContext(other, clock, { DATA_ENCRYPTION_KEY: TEST_KEY }), clock.now())])
      expect([a, b].filter((r) => r.skipped).length).toBe(1)
      expect([a, b].find((r) => !r.skipped)!.details).toMatchObject({ escalated: 1 })
    } finally {
      if (other !== db) await other.destroy()
    }
    s = await job.run(ctx(), new Date(clock.now().getTime() + 60_000))
    expect(s.details).toMatchObject({ escalated: 0 })
    const dms = (await db.getRepository(OutboxMessage).find()).filter((o) => o.dedupeKey.startsWith('care-escalate:'))
    expect(dms).toHaveLength(1)
    expect(dms[0]).toMatchObject({ channel: 'wechat_dm', target: '赵书记' })
    expect(dms[0]!.text).toContain('【走访超期】第一网格的关爱对象 张奶奶（一级，3号楼1单元302）')
    expect(dms[0]!.text).toContain('网格员：王芳')
    const visit = (await visitsOf(0))[0]!
    const events = await db.getRepository(CareVisitEvent).find({ where: { visitId: visit.id }, order: { id: 'ASC' } })
    expect(events.map((e) => e.type)).toEqual(['schedule', 'flag_overdue', 'escalate'])
  })

  it('a visit closes the open one, records the note encrypted, and schedules the next; transitions are guarded', async () => {
    const wang = await staffNamed(db, '王芳')
    const cr = (await db.getRepository(CareResident).find({ order: { id: 'ASC' } }))[0]!
    const open = (await visitsOf(0))[0]!
    const { visit, recorded } = await inTransaction(db, (em) => recordVisit(em, clock, { careResidentId: cr.id, staffId: wang.id, note: '血压偏高，已提醒按时吃药', causeKey: 'test:v1', encryptionKey: TEST_KEY }))
    expect(recorded).toBe(true)
    expect(visit).toMatchObject({ id: open.id, status: 'done', visitorStaffId: wang.id, openFor: null })
    expect(visit.noteEncrypted).not.toContain('血压')
    const again = await inTransaction(db, (em) => recordVisit(em, clock, { careResidentId: cr.id, staffId: wang.id, note: 'x', causeKey: 'test:v1', encryptionKey: TEST_KEY }))
    expect(again.recorded).toBe(false)
    const all = await visitsOf(0)
    expect(all).toHaveLength(2)
    expect(all[1]).toMatchObject({ status: 'scheduled', dueAt: new Date(clock.now().getTime() + 7 * DAY) })
    await expect(inTransaction(db, (em) => transitionVisit(em, clock, { visitId: open.id, action: 'escalate', actor: { type: 'system', id: null } })))
      .rejects.toBeInstanceOf(IllegalVisitTransitionError)
  })

  it('the resident\'s own contact restarts the clock and clears the door-knock flag', async () => {
    const chen = (await db.getRepository(CareResident).find({ order: { id: 'ASC' } }))[2]!
    clock.set(local('2026-12-08T08:00:00')) // 陈阿婆 (二级) was due 12-07 08:00
    await job.run(ctx(), clock.now())
    expect((await visitsOf(2))[0]!.status).toBe('overdue')
    clock.set(local('2026-12-08T10:00:00'))
    expect(await inTransaction(db, (em) => noteResidentContact(em, clock, { careResidentId: chen.id, via: 'own_report' }))).toBe(true)
    const v = (await visitsOf(2))[0]!
    expect(v).toMatchObject({ status: 'scheduled', overdueAt: null, dueAt: new Date(clock.now().getTime() + 14 * DAY) })
    expect((await db.getRepository(CareResident).findOneByOrFail({ id: chen.id })).lastContactAt).toEqual(clock.now())
  })

  it('counts visits due and done by grid, and residents not seen, for the digest', async () => {
    const f = await careFigures(db.manager, { communityId, from: local('2026-11-23T00:00:00'), to: local('2026-12-14T00:00:00') })
    expect(f.visitsByGrid).toEqual([
      { gridId: expect.any(Number), grid: '第一网格', due: 2, done: 1, doneOnTime: 0 }, // 张奶奶: due 11-30 done late; the next due 12-11
      { gridId: expect.any(Number), grid: '第二网格', due: 0, done: 0, doneOnTime: 0 }, // 陈阿婆 heard from: now due 12-22
      { gridId: expect.any(Number), grid: '第三网格', due: 0, done: 0, doneOnTime: 0 },
    ])
    expect(f).toMatchObject({ rosterSize: 3, notSeen: 0, escalated: 0 })
    clock.set(local('2026-12-21T08:00:00'))
    await job.run(ctx(), clock.now()) // 李爷爷 (due 12-21 08:00) and 张奶奶 (12-11, escalated) not seen
    const later = await careFigures(db.manager, { communityId, from: local('2026-12-14T00:00:00'), to: local('2026-12-21T00:00:00') })
    expect(later).toMatchObject({ notSeen: 2, escalated: 1 })
    expect(careDigestLines(later)[0]).toBe('【关爱走访】关爱对象 3 人；超期未见 2 人（其中 1 人已上报书记）。')
    clock.set(local('2026-12-21T08:00:00'))
    await runWeeklyDigest({ db, clock, summarize: null }, clock.now())
    const digest = (await db.getRepository(OutboxMessage).find()).find((o) => o.dedupeKey.startsWith('digest:'))!
    expect(digest.text).toContain('【关爱走访】关爱对象 3 人；超期未见 2 人')
    expect(digest.text).not.toMatch(/张奶奶|李爷爷|陈阿婆/)
  })
})
