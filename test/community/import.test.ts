import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { CommunityFileError, importCommunity, parseCommunityFile, readCommunityFile } from '../../src/community/import.js'
import { Building, ChatRoom, Community, Grid, Staff } from '../../src/db/entities/index.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'

const sample = readFileSync('examples/community.yaml', 'utf8')

describe('parseCommunityFile', () => {
  it('parses the shipped sample', () => {
    const doc = parseCommunityFile(sample)
    expect(doc.community).toBe('幸福里社区')
    expect(doc.timezone).toBe('Asia/Shanghai')
    expect(doc.grids[0]!.buildings).toEqual(['1', '2', '3'])
  })

  it.each([
    ['a missing secretary', sample.replace(/^secretary:.*$/m, ''), /community\.yaml(:\d+:\d+)?: secretary: /],
    ['a bad role', sample.replace('role: mediator', 'role: janitor'), /:\d+:\d+: staff\[0\]\.role: /],
    ['a room naming an unknown grid', sample.replace('grid: 第二网格 }', 'grid: 第九网格 }'), /rooms\[1\]\.grid: unknown grid "第九网格"/],
    ['a building in two grids', sample.replace('buildings: ["4", "5"', 'buildings: ["3", "5"'), /grids\[1\]\.buildings\[0\]: building "3" already belongs to grid "第一网格"/],
    ['a bad SLA duration', sample.replace('accept: PT15M', 'accept: 15min'), /sla\.urgent\.accept: an ISO-8601 duration/],
    ['a bad timezone', sample.replace('timezone: Asia/Shanghai', 'timezone: Mars/Base'), /timezone: an IANA timezone/],
    ['an unknown field', sample.replace('community: 幸福里社区', 'community: 幸福里社区\ncommunty_typo: x'), /Unrecognized key/],
    ['broken YAML', 'community: [unclosed', /YAML syntax error/],
  ])('rejects %s with file, line and path', (_name, text, pattern) => {
    let err: unknown
    try { parseCommunityFile(text, 'community.yaml') } catch (e) { err = e }
    expect(err).toBeInstanceOf(CommunityFileError)
    expect((err as CommunityFileError).problems.join('\n')).toMatch(pattern)
  })

  it('points at the line of the problem', () => {
    const text = sample.replace('role: mediator', 'role: janitor')
    const line = text.split('\n').findIndex((l) => l.includes('janitor')) + 1
    try { parseCommunityFile(text, 'c.yaml'); expect.unreachable() } catch (e) {
      expect((e as CommunityFileError).problems[0]).toContain(`c.yaml:${line}:`)
    }
  })

  it('a missing file is a precise error', async () => {
    await expect(readCommunityFile('no/such/file.yaml')).rejects.toThrow(/no\/such\/file\.yaml: cannot read file/)
  })
})

describeEachDb('importCommunity', (kind) => {
  let db: DataSource, close: () => Promise<void>
  beforeAll(async () => { ({ db, close } = await openTestDb(kind)) })
  afterAll(() => close())
  const snapshot = async () => JSON.stringify(await Promise.all([Community, Grid, Building, Staff, ChatRoom].map((e) => db.getRepository(e).find({ order: { id: 'ASC' } as never }))).then((rows) => rows.map((r) => r.map((x) => ({ ...x, updatedAt: undefined })))))

  it('imports the sample, and re-importing the same file changes nothing', async () => {
    const doc = parseCommunityFile(sample)
    const first = await importCommunity(db, doc, { encryptionKey: TEST_KEY })
    expect(first.created).toBeGreaterThan(20)
    const before = await snapshot()
    const second = await importCommunity(db, doc, { encryptionKey: TEST_KEY })
    expect(second).toMatchObject({ created: 0, updated: 0, deactivated: 0, communityId: first.communityId })
    expect(await snapshot()).toBe(before)
    const wang = await db.getRepository(Staff).findOneByOrFail({ wechat: '王芳' })
    expect(wang.phoneMasked).toBe('138****0001')
    expect(JSON.stringify(wang)).not.toContain('13800000001')
    const room = await db.getRepository(ChatRoom).findOneByOrFail({ topic: '幸福里3号楼业主群' })
    expect(room.gridId).toBe((await db.getRepository(Grid).findOneByOrFail({ name: '第一网格' })).id)
  })

  it('an update moves buildings, deactivates people who left, and changes routing', async () => {
    const changed = sample.replace('buildings: ["1", "2", "3"]', 'buildings: ["1", "2"]').replace('buildings: ["4", "5", "6", "7"]', 'buildings: ["3", "4", "5", "6", "7"]')
      .replace(/^  - \{ name: 周敏.*$/m, '').replace('dispute: mediator', 'dispute: social_worker')
    const s = await importCommunity(db, parseCommunityFile(changed), { encryptionKey: TEST_KEY })
    expect(s.updated).toBeGreaterThan(0)
    const b3 = await db.getRepository(Building).findOneByOrFail({ code: '3' })
    expect(b3.gridId).toBe((await db.getRepository(Grid).findOneByOrFail({ name: '第二网格' })).id)
    expect((await db.getRepository(Staff).findOneByOrFail({ wechat: '周敏' })).active).toBe(false)
    expect((await db.getRepository(Community).findOneByOrFail({ name: '幸福里社区' })).settings.routing).toEqual({ dispute: 'social_worker' })
  })

  it('a bad file changes nothing', async () => {
    const before = await snapshot()
    expect(() => parseCommunityFile(sample.replace('role: mediator', 'role: janitor'))).toThrow(CommunityFileError)
    expect(await snapshot()).toBe(before)
  })
})
