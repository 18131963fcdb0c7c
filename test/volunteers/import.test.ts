import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { importCommunity, parseCommunityFile } from '../../src/community/import.js'
import { DEFAULT_POINTS_RULE } from '../../src/community/settings.js'
import { Community, Grid, Volunteer } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { redeemBindCode } from '../../src/people/staffIdentity.js'
import { issueVolunteerBindCode, issueVolunteerCodesForUnbound, redeemVolunteerBindCode, volunteerForContact } from '../../src/volunteers/identity.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { seedVolunteerCommunity, volunteersYaml } from './fixture.js'

it('the schema checks volunteers: known grids, their own WeChat, not listed twice', () => {
  const bad = (extra: string) => () => parseCommunityFile(volunteersYaml(extra))
  expect(bad('volunteers:\n  - { name: 甲, wechat: 甲, grids: [第九网格] }\n')).toThrow(/volunteers\[0\]\.grids\[0\]: unknown grid "第九网格"/)
  expect(bad('volunteers:\n  - { name: 甲, wechat: 王芳, grids: [第一网格] }\n')).toThrow(/belongs to staff member "王芳"/)
  expect(bad('volunteers:\n  - { name: 甲, wechat: 甲, grids: [第一网格] }\n  - { name: 乙, wechat: 甲, grids: [第二网格] }\n')).toThrow(/listed twice/)
  expect(bad('volunteers:\n  - { name: 甲, wechat: 甲, grids: [] }\n')).toThrow(/at least one grid/)
  expect(bad('points: { earn: [gossip] }\n')).toThrow(/points\.earn\[0\]/)
})

describeEachDb('volunteers in the community file', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
  })
  afterAll(() => close())
  const reimport = (yaml: string) => importCommunity(db, parseCommunityFile(yaml), { encryptionKey: TEST_KEY, clock })

  it('imports volunteers with their grids and the points rule; the same file again changes nothing', async () => {
    const grids = new Map((await db.getRepository(Grid).find()).map((g) => [g.name, g.id]))
    const vs = await db.getRepository(Volunteer).find({ order: { id: 'ASC' } })
    expect(vs.map((v) => [v.name, v.gridIds])).toEqual([['何军', [grids.get('第一网格')]], ['李晓', [grids.get('第一网格'), grids.get('第二网格')].sort((a, b) => a! - b!)], ['钱芳', [grids.get('第二网格')]]])
    expect(vs[0]!.phoneMasked).toMatch(/^137\*{4}0001$/)
    const c = await db.getRepository(Community).findOneByOrFail({ id: communityId })
    expect(c.settings.points).toEqual({ earn: ['volunteering', 'verified_report'], volunteering: { perTask: 10, perHour: 4 }, defaultHours: DEFAULT_POINTS_RULE.defaultHours, verifiedReport: 3 })
    expect(await reimport(volunteersYaml())).toMatchObject({ created: 0, updated: 0, deactivated: 0 })
  })

  it('binds with a one-time code like staff: the display name grants nothing; leaving the file ends the binding', async () => {
    const he = await db.getRepository(Volunteer).findOneByOrFail({ name: '何军' })
    expect(await volunteerForContact(db.manager, { contactId: null, remark: null })).toBeNull()
    const codes = await inTransaction(db, (em) => issueVolunteerCodesForUnbound(em, clock, { communityId }))
    expect(codes.map((c) => c.name)).toEqual(['何军', '李晓', '钱芳'])
    const mine = codes[0]!
    // A volunteer's code is not a staff code.
    await expect(inTransaction(db, (em) => redeemBindCode(em, clock, { code: mine.code, contactId: 'c-he', recentFailures: 0 }))).rejects.toMatchObject({ code: 'bind_code_invalid' })
    expect(await inTransaction(db, (em) => redeemVolunteerBindCode(em, clock, { code: '000000' === mine.code ? '000001' : '000000', contactId: 'c-he', recentFailures: 0 }))).toBeNull()
    const bound = await inTransaction(db, (em) => redeemVolunteerBindCode(em, clock, { code: mine.code, contactId: 'c-he', recentFailures: 0 }))
    expect(bound!.volunteer.id).toBe(he.id)
    expect(await inTransaction(db, (em) => redeemVolunteerBindCode(em, clock, { code: mine.code, contactId: 'c-other', recentFailures: 0 }))).toBeNull() // used
    expect((await volunteerForContact(db.manager, { contactId: 'c-he' }))!.id).toBe(he.id)
    expect((await volunteerForContact(db.manager, { contactId: 'c-new', remark: bound!.remark }))!.id).toBe(he.id) // the puppet changed its id
    await expect(inTransaction(db, (em) => redeemVolunteerBindCode(em, clock, { code: mine.code, contactId: 'x', recentFailures: 5 }))).rejects.toMatchObject({ code: 'bind_attempts_exceeded' })
    const without = volunteersYaml().replace('  - { name: 何军, wechat: 何军, phone: "13700000001", grids: [第一网格] }\n', '')
    expect(await reimport(without)).toMatchObject({ deactivated: 1 })
    expect(await db.getRepository(Volunteer).findOneByOrFail({ id: he.id })).toMatchObject({ active: false, wechatContactId: null })
    expect(await volunteerForContact(db.manager, { contactId: 'c-new' })).toBeNull()
    await expect(inTransaction(db, (em) => issueVolunteerBindCode(em, clock, { communityId, volunteerId: he.id }))).rejects.toMatchObject({ code: 'volunteer_inactive' })
    await reimport(volunteersYaml())
    expect(await db.getRepository(Volunteer).findOneByOrFail({ id: he.id })).toMatchObject({ active: true, wechatContactId: null })
  })
})
