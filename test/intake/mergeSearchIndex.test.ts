import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { seedRequests } from '../../bench/seed.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { Grid } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

// The merge search of every incoming report (intake's findDuplicate) reads the requests of its category and building
// in the window through ix_requests_merge, not every request of the community in the window: shown by the plan of
// the statement intake actually sent, over a community with a year of requests (20,000, ~160 in the window).
describeEachDb('the merge search uses its index', (kind) => {
  let db: DataSource, close: () => Promise<void>
  const clock = new VirtualClock(T0)
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    const communityId = await seedSampleCommunity(db)
    const grids = await db.getRepository(Grid).findBy({ communityId })
    await seedRequests(db, { communityId, gridIds: grids.map((g) => g.id), n: 20_000, now: clock.now() })
    // InnoDB's statistics as they would be by now; SQLite plans without any, as jiesu never runs ANALYZE there
    if (kind === 'mysql') await db.query('ANALYZE TABLE requests')
  }, 60_000)
  afterAll(async () => close())

  it('the statement that looks for an open request to merge into is planned on ix_requests_merge', async () => {
    const sent: { sql: string; parameters: unknown[] }[] = []
    const logger = db.logger
    const original = logger.logQuery.bind(logger)
    logger.logQuery = (sql, parameters, runner) => { sent.push({ sql, parameters: (parameters ?? []) as unknown[] }); return original(sql, parameters, runner) }
    const processor = new InboxProcessor({ ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles })
    try {
      const handled = await processor.receive({ messageId: 'merge-index-1', kind: 'text', roomTopic: '幸福里3号楼业主群', roomId: null, senderName: '李阿姨', senderId: 'wxid-li', text: '3号楼楼道灯坏了，麻烦派人看看', payload: null })
      expect(handled.outcome).toMatch(/^(created|attached)$/)
    } finally {
      logger.logQuery = original
      processor.close()
    }
    // MySQL: the raw statement joining communities to the candidates; SQLite: TypeORM's find of up to 20 candidates
    const search = sent.filter((s) => /\brequests\b/.test(s.sql) && /category/.test(s.sql) && /LIMIT 20\b/.test(s.sql) && /^SELECT/i.test(s.sql))
    expect(search.map((s) => s.sql)).toHaveLength(1)
    const { sql, parameters } = search[0]!
    if (kind === 'mysql') {
      const plan: { table: string; key: string | null }[] = await db.query(`EXPLAIN ${sql}`, parameters)
      expect(plan.find((p) => p.table === 'r')?.key).toBe('ix_requests_merge')
    } else {
      const plan: { detail: string }[] = await db.query(`EXPLAIN QUERY PLAN ${sql}`, parameters)
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX ix_requests_merge/)
    }
  })
})
