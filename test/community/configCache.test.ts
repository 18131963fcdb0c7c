import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { cachedCommunity, configCache } from '../../src/community/cache.js'
import { updateGrid, updateStaff } from '../../src/community/manage.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { ChatRoom, Grid, Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { runIntake } from '../../src/intake/run.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { resident, T0 } from '../helpers/fixtures.js'
import { intakeDeps, stubClassifier } from '../helpers/intake.js'
import { countStatements } from '../helpers/statements.js'

const classifier = stubClassifier([{ match: /灯/, result: { category: 'repair', location: { building: '3', unit: null, room: null } } }])

// Two processes on one database, played by two DataSources (each has its own cache): a change made through one
// is seen by the other at its next check of communities.config_version.
describeEachDb('configuration cache across processes', (kind) => {
  let a: DataSource, b: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(T0)
  let n = 0
  beforeAll(async () => {
    if (kind === 'sqlite') {
      // An in-memory database is private to its connection: two processes share a file.
      const dir = mkdtempSync(join(tmpdir(), 'jiesu-cache-'))
      a = await openDatabase(`sqlite:${join(dir, 'shared.db')}`)
      b = await openDatabase(`sqlite:${join(dir, 'shared.db')}`, { migrate: false })
      close = async () => { await a.destroy(); await b.destroy(); rmSync(dir, { recursive: true, force: true }) }
    } else {
      const opened = await openTestDb(kind)
      a = opened.db
      b = await openDatabase(opened.url, { migrate: false })
      close = async () => { await b.destroy(); await opened.close() }
    }
    communityId = await seedSampleCommunity(a)
  })
  afterAll(() => close())

  const gridOf3 = async (db: DataSource) => db.getRepository(Grid).findOneByOrFail({ communityId, name: '第一网格' })
  const staffNamed = (db: DataSource, wechat: string) => db.getRepository(Staff).findOneByOrFail({ communityId, wechat })
  const report = async (db: DataSource) => {
    clock.advance(7 * 24 * 3600_000) // past the merge window: each report is a request of its own
    const li = await resident(db, communityId, `住户${n}`)
    const r = await runIntake(intakeDeps(db, clock, classifier), {
      communityId, source: 'group', text: `${n++}号楼道的灯坏了`, residentId: li.id, causeKey: `cache:${n}`, acknowledge: 'none', hints: { building: '3' },
    })
    if (r.kind !== 'created') throw new Error(`expected created, got ${r.kind}`)
    return r.request
  }

  it('a snapshot cached in one process is replaced after another changes the configuration', async () => {
    const before = await cachedCommunity(a.manager, communityId)
    const again = await cachedCommunity(a.manager, communityId)
    expect(again).toBe(before) // served from the cache
    const grid = await gridOf3(b)
    const liu = await staffNamed(b, '刘强')
    await inTransaction(b, (em) => updateGrid(em, { communityId, gridId: grid.id, leaderStaffId: liu.id }))
    const after = await cachedCommunity(a.manager, communityId)
    expect(after).not.toBe(before)
    expect(after.grids.find((g) => g.id === grid.id)?.leaderStaffId).toBe(liu.id)
    expect(after.configVersion).toBeGreaterThan(before.configVersion)
  })

  it("intake in one process routes by the other's change, even when it had the old snapshot cached", async () => {
    const grid = await gridOf3(a)
    const [wang, liu] = [await staffNamed(a, '王芳'), await staffNamed(a, '刘强')]
    await inTransaction(a, (em) => updateGrid(em, { communityId, gridId: grid.id, leaderStaffId: wang.id }))
    expect((await report(a)).assigneeStaffId).toBe(wang.id) // a has the snapshot cached now
    await inTransaction(b, (em) => updateGrid(em, { communityId, gridId: grid.id, leaderStaffId: liu.id }))
    expect((await report(a)).assigneeStaffId).toBe(liu.id)
    await inTransaction(b, (em) => updateGrid(em, { communityId, gridId: grid.id, leaderStaffId: wang.id }))
    expect((await report(a)).assigneeStaffId).toBe(wang.id)
  })

  it("the bot's room and contact lookups see another process's change at their next check", async () => {
    const cache = configCache(a)
    cache.checkEveryMs = 0 // every lookup checks
    await b.getRepository(ChatRoom).insert({ communityId, topic: '幸福里新建业主群', gridId: null, wechatRoomId: null })
    expect((await cache.rooms()).map((r) => r.topic)).toContain('幸福里新建业主群')
    const chen = await staffNamed(b, '陈明')
    await inTransaction(b, (em) => updateStaff(em, { communityId, staffId: chen.id, active: false }, { encryptionKey: TEST_KEY }))
    expect((await cache.staffOf(communityId)).find((s) => s.id === chen.id)?.active).toBe(false)
    cache.checkEveryMs = Infinity // never: a change elsewhere is not seen…
    await inTransaction(b, (em) => updateStaff(em, { communityId, staffId: chen.id, active: true }, { encryptionKey: TEST_KEY }))
    expect((await cache.staffOf(communityId)).find((s) => s.id === chen.id)?.active).toBe(false)
    // …but one made in this process is, at once.
    await inTransaction(a, (em) => updateStaff(em, { communityId, staffId: chen.id, name: '陈明' }, { encryptionKey: TEST_KEY }))
    expect((await cache.staffOf(communityId)).find((s) => s.id === chen.id)?.active).toBe(true)
    cache.checkEveryMs = 1000
  })

  it('lookups at the same moment share one check of the versions (a burst), unless the cache was invalidated after it began', async () => {
    const cache = configCache(a)
    cache.checkEveryMs = 0 // every lookup checks
    await cache.rooms()
    const counter = countStatements(a)
    const versionReads = () => counter.seen.statements.filter((q) => q.startsWith('SELECT id, config_version AS v FROM communities')).length
    counter.reset()
    const burst = await Promise.all(Array.from({ length: 20 }, () => cache.rooms()))
    expect(versionReads()).toBe(1)
    expect(burst.every((rooms) => rooms.length === burst[0]!.length && rooms.length > 0)).toBe(true)
    counter.reset()
    const early = cache.rooms()
    cache.invalidate(communityId) // as a change made in this process does: the lookups after it read again
    const late = cache.rooms()
    await Promise.all([early, late])
    expect(versionReads()).toBe(2)
    cache.checkEveryMs = 1000
  })

  it('a change rolled back leaves no trace in the cache', async () => {
    const grid = await gridOf3(a)
    const [wang, liu] = [await staffNamed(a, '王芳'), await staffNamed(a, '刘强')]
    expect((await cachedCommunity(a.manager, communityId)).grids.find((g) => g.id === grid.id)?.leaderStaffId).toBe(wang.id)
    await expect(inTransaction(a, async (em) => {
      await updateGrid(em, { communityId, gridId: grid.id, leaderStaffId: liu.id })
      // Read inside the transaction: the uncommitted change, which must not outlive it.
      expect((await cachedCommunity(em, communityId)).grids.find((g) => g.id === grid.id)?.leaderStaffId).toBe(liu.id)
      throw new Error('abandoned')
    })).rejects.toThrow('abandoned')
    expect((await cachedCommunity(a.manager, communityId)).grids.find((g) => g.id === grid.id)?.leaderStaffId).toBe(wang.id)
    expect((await report(a)).assigneeStaffId).toBe(wang.id)
  })
})
