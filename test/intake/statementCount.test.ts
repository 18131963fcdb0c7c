import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { VirtualClock } from '../../src/clock.js'
import { configCache } from '../../src/community/cache.js'
import { InboxMessage } from '../../src/db/entities/index.js'
import { parseConfig } from '../../src/config.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

/** Counts the statements (not BEGIN/COMMIT) and transactions the database is sent, through TypeORM's logger hook. */
function countStatements(db: DataSource) {
  const seen = { statements: [] as string[], transactions: 0 }
  const logger = db.logger
  const original = logger.logQuery.bind(logger)
  logger.logQuery = (query, parameters, queryRunner) => {
    if (/^(BEGIN|START TRANSACTION)/i.test(query)) seen.transactions++
    else if (!/^(COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(query)) seen.statements.push(query)
    return original(query, parameters, queryRunner)
  }
  return { reset: () => { seen.statements = []; seen.transactions = 0 }, seen }
}

// Issue 12's targets for one group message through inbox → intake → request → outbox, once the process has its
// configuration cached: chatter 2 statements and no transaction (read the sender, then the inbox row written
// already processed), a new request ≤ 10 in one transaction with its inbox row (one commit per message).
// MySQL adds one for the merge-key row lock (intake_locks), which SQLite's single writer does not need.
describeEachDb('statements per message', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor, counter: ReturnType<typeof countStatements>
  const clock = new VirtualClock(T0)
  const lock = kind === 'mysql' ? 1 : 0
  let n = 0
  const say = (senderName: string, text: string) => processor.receive({
    messageId: `count-${kind}-${n++}`, kind: 'text', roomTopic: '幸福里3号楼业主群', roomId: null, senderName, senderId: `wxid-${senderName}`, text, payload: null,
  })
  async function measured(senderName: string, text: string) {
    counter.reset()
    const handled = await say(senderName, text)
    return { outcome: handled.outcome, statements: counter.seen.statements.length, transactions: counter.seen.transactions, sql: counter.seen.statements }
  }
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedSampleCommunity(db)
    processor = new InboxProcessor({ ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles })
    counter = countStatements(db)
    // The bot's room and contact lookups check every community's version once a second (CHECK_EVERY_MS), not per
    // message; here never, so what is counted is the per-message cost whatever the machine's speed.
    configCache(db).checkEveryMs = Infinity
    // The first message of a process loads the configuration cache.
    expect((await say('赵六', '收到，谢谢大家')).outcome).toBe('chatter')
  })
  afterAll(async () => { processor.close(); await close() })

  it('chatter: one read of the sender, one INSERT of the row already processed, no transaction', async () => {
    const plain = await measured('张三', '早上好，大家吃了吗')
    expect(plain.outcome).toBe('chatter')
    expect(plain.statements, plain.sql.join('\n')).toBeLessThanOrEqual(2)
    expect(plain.transactions).toBe(0)
    expect(await db.getRepository(InboxMessage).findOneByOrFail({ messageId: `count-${kind}-${n - 1}` })).toMatchObject({ status: 'processed' })
    // "不错" reads like a 回访 rating: a sender nobody asked costs nothing more.
    const ratingLike = await measured('张三', '今天天气真不错')
    expect(ratingLike.outcome).toBe('chatter')
    expect(ratingLike.statements, ratingLike.sql.join('\n')).toBeLessThanOrEqual(2)
    expect(ratingLike.transactions).toBe(0)
  })

  it('a new request from a first-time sender: at most 10 statements in 1 transaction', async () => {
    const created = await measured('李四', '3号楼2单元楼道灯坏了，晚上很黑')
    expect(created.outcome).toBe('created')
    expect(created.statements, created.sql.join('\n')).toBeLessThanOrEqual(10 + lock)
    expect(created.transactions).toBe(1)
    // The same report from a neighbour joins it, at the same cost.
    const attached = await measured('王五', '3号楼2单元楼道的灯坏了，一直不亮')
    expect(attached.outcome).toBe('attached')
    expect(attached.statements, attached.sql.join('\n')).toBeLessThanOrEqual(10 + lock)
    expect(attached.transactions).toBe(1)
  })
})
