import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { canSeeCareResident, matchRosterName, rosterFor, type RosterEntryView } from '../../src/care/roster.js'
import { VirtualClock } from '../../src/clock.js'
import { CommunityFileError, importCommunity, parseCommunityFile } from '../../src/community/import.js'
import { loadCommunity } from '../../src/community/snapshot.js'
import { CareResident, CareVisit } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { ensureVisitsScheduled } from '../../src/care/visits.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { staffNamed } from '../helpers/fixtures.js'
import { careYaml, ROSTER_YAML, seedCareCommunity } from './fixture.js'

const problems = (yaml: string) => {
  try { parseCommunityFile(yaml, 'c.yaml'); return [] } catch (e) { return (e as CommunityFileError).problems }
}

it('validates the roster: types, grade, grid, duplicates and intervals', () => {
  expect(problems(careYaml(`care_roster:\n  - { name: 王大爷, types: [孤寡], building: 3, grade: 一级 }\n`)).join('\n')).toMatch(/care_roster\[0\]\.types\[0\]/)
  expect(problems(careYaml(`care_roster:\n  - { name: 王大爷, types: [独居], building: 3, grade: 四级 }\n`)).join('\n')).toMatch(/care_roster\[0\]\.grade/)
  expect(problems(careYaml(`care_roster:\n  - { name: 王大爷, types: [独居], building: 99, grade: 1 }\n`)).join('\n')).toMatch(/give the grid, or a building/)
  expect(problems(careYaml(`care_roster:\n  - { name: 王大爷, types: [独居], grid: 第九网格, grade: 1 }\n`)).join('\n')).toMatch(/unknown grid "第九网格"/)
  expect(problems(careYaml(`care_roster:\n  - { name: 王大爷, types: [独居], building: 3, grade: 1 }\n  - { name: 王大爷, types: [高龄], building: 3, grade: 2 }\n`)).join('\n')).toMatch(/listed twice/)
  expect(problems(careYaml(`care:\n  intervals: { 一级: PT36H }\n`)).join('\n')).toMatch(/whole number of days/)
  expect(problems(careYaml())).toEqual([])
})

it('tells namesakes apart by building', () => {
  const e = (id: number, building: string) => ({ id, name: '张奶奶', building, unit: null, room: null, types: ['独居'], contact: null, wechat: null, gridId: 1, grade: 1, active: true, lastContactAt: null }) as RosterEntryView
  const both = [e(1, '3'), e(2, '5')]
  expect(matchRosterName(both, '张奶奶').map((x) => x.id)).toEqual([1, 2])
  expect(matchRosterName(both, '5号楼张奶奶').map((x) => x.id)).toEqual([2])
  expect(matchRosterName(both, '5栋 张奶奶').map((x) => x.id)).toEqual([2])
  expect(matchRosterName(both, '李奶奶')).toEqual([])
})

describeEachDb('care roster', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedCareCommunity(db, clock)
  })
  afterAll(() => close())

  it('keeps personal details encrypted at rest, and the grade interval per community', async () => {
    const rows = await db.getRepository(CareResident).find({ order: { id: 'ASC' } })
    expect(rows).toHaveLength(3)
    expect(rows.map((r) => r.grade)).toEqual([1, 3, 2])
    const raw = JSON.stringify(await db.query('SELECT * FROM care_residents'))
    for (const secret of ['张奶奶', '李爷爷', '陈阿婆', '张明', '13900000101', '独居', '302']) expect(raw).not.toContain(secret)
    const community = (await loadCommunity(db.manager, communityId)).community
    expect(community.settings.care).toEqual({ intervalDays: { 3: 28 } })
  })

  it('re-importing the same file changes nothing; a resident left out is deactivated and their open visit cancelled', async () => {
    const again = await importCommunity(db, parseCommunityFile(careYaml()), { encryptionKey: TEST_KEY, clock })
    expect(again).toMatchObject({ created: 0, updated: 0, deactivated: 0 })
    await inTransaction(db, (em) => ensureVisitsScheduled(em, clock, communityId))
    const without = careYaml(ROSTER_YAML.replace(/  - \{ name: 李爷爷.*\n/, ''))
    const summary = await importCommunity(db, parseCommunityFile(without), { encryptionKey: TEST_KEY, clock })
    expect(summary).toMatchObject({ created: 0, updated: 0, deactivated: 1 })
    const li = (await db.getRepository(CareResident).find({ order: { id: 'ASC' } }))[1]!
    expect(li.active).toBe(false)
    expect(await db.getRepository(CareVisit).find({ where: { careResidentId: li.id } })).toMatchObject([{ status: 'cancelled', openFor: null }])
    // Back in the file: active again, and a grade change is an update.
    const back = await importCommunity(db, parseCommunityFile(careYaml().replace('grade: 一级', 'grade: 二级')), { encryptionKey: TEST_KEY, clock })
    expect(back).toMatchObject({ created: 0, updated: 2 })
    await importCommunity(db, parseCommunityFile(careYaml()), { encryptionKey: TEST_KEY, clock })
    // Moved to another grid in the file: the open visit follows.
    const c = await loadCommunity(db.manager, communityId)
    await importCommunity(db, parseCommunityFile(careYaml().replace('grade: 一级', 'grade: 一级\n    grid: 第二网格')), { encryptionKey: TEST_KEY, clock })
    const zhang = (await db.getRepository(CareResident).find({ order: { id: 'ASC' } }))[0]!
    expect(zhang.gridId).toBe(c.grids[1]!.id)
    expect((await db.getRepository(CareVisit).findOneByOrFail({ openFor: zhang.id })).gridId).toBe(c.grids[1]!.id)
    await importCommunity(db, parseCommunityFile(careYaml()), { encryptionKey: TEST_KEY, clock })
  })

  it('shows the roster only to the 书记 and the grid\'s own staff', async () => {
    const c = await loadCommunity(db.manager, communityId)
    const names = async (wechat: string) => (await rosterFor(db.manager, c, await staffNamed(db, wechat), TEST_KEY)).map((e) => e.name)
    expect(await names('赵书记')).toEqual(['张奶奶', '李爷爷', '陈阿婆'])
    expect(await names('王芳')).toEqual(['张奶奶', '李爷爷'])
    expect(await names('孙丽')).toEqual(['张奶奶', '李爷爷']) // deputy of 第一网格
    expect(await names('刘强')).toEqual(['陈阿婆'])
    expect(await names('陈明')).toEqual([]) // mediator
    const zhang = (await rosterFor(db.manager, c, await staffNamed(db, '王芳'), TEST_KEY))[0]!
    expect(zhang).toMatchObject({ building: '3', unit: '1', room: '302', types: ['独居', '高龄'], contact: { name: '张明', phone: '13900000101', relation: '儿子' }, grade: 1 })
    const liu = await staffNamed(db, '刘强')
    expect(canSeeCareResident({ ...liu, active: false }, { gridId: c.grids[1]!.id, communityId }, c.grids)).toBe(false)
    expect(canSeeCareResident(liu, { gridId: c.grids[1]!.id, communityId: communityId + 1 }, c.grids)).toBe(false)
  })
})
