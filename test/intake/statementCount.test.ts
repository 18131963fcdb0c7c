import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { recordMysqlStatements } from '../helpers/mysqlStatements.js'
import { countStatements, uncounted } from '../helpers/statements.js'
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

// Issue 12's targets for one group message through inbox → intake → request → outbox, once the process has its
// configuration cached: chatter 2 statements and no transaction (read the sender, then the inbox row written
// already processed), a new request ≤ 10 in one transaction with its inbox row (one commit per message).
// MySQL adds one for the merge-key row lock (intake_locks), which SQLite's single writer does not need.
describeEachDb('statements per message', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor, counter: ReturnType<typeof countStatements>
  let sent: { sql: string[] } | null
  const clock = new VirtualClock(T0)
  const lock = kind === 'mysql' ? 1 : 0
  let n = 0
  const say = (senderName: string, text: string, roomTopic: string | null = '幸福里3号楼业主群') => processor.receive({
    messageId: `count-${kind}-${n++}`, kind: 'text', roomTopic, roomId: null, senderName, senderId: `wxid-${senderName}`, text, payload: null,
  })
  async function measured(senderName: string, text: string, roomTopic?: string | null) {
    counter.reset()
    const sentBefore = sent?.sql.length ?? 0
    const handled = await say(senderName, text, roomTopic)
    // MySQL: the logger hook missed no statement the connections were sent
    if (sent) expect(uncounted(counter.seen.statements, sent.sql.slice(sentBefore))).toEqual([])
    return { outcome: handled.outcome, statements: counter.seen.statements.length, transactions: counter.seen.transactions, sql: counter.seen.statements }
  }
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedSampleCommunity(db)
    processor = new InboxProcessor({ ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles })
    counter = countStatements(db)
    sent = kind === 'mysql' ? recordMysqlStatements(db) : null
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

  it('a private repeat of one\'s own open report: the co_reported event inserted under its guard, no merge lock', async () => {
    const created = await measured('孙七', '6号楼电梯坏了，一直停在一楼不动', null)
    expect(created.outcome).toBe('created')
    // The building comes from their earlier request (no place named): MySQL reads them and their home before
    // intake, finds their open request lock-free and records the repeat under the event INSERT's guard (13 → 12:
    // no separate locking SELECT); SQLite takes the locked path, 13.
    const again = await measured('孙七', '电梯坏了，一直停在一楼不动', null)
    expect(again.outcome).toBe('attached')
    expect(again.statements, again.sql.join('\n')).toBeLessThanOrEqual(kind === 'mysql' ? 12 : 13)
    expect(again.transactions).toBe(1)
    if (kind === 'mysql') {
      expect(again.sql.filter((q) => /^INSERT INTO `request_events` .* WHERE EXISTS .* LOCK IN SHARE MODE\)$/.test(q)), again.sql.join('\n')).toHaveLength(1)
      expect(again.sql.some((q) => /intake_locks|^SELECT .* LOCK IN SHARE MODE$/.test(q)), again.sql.join('\n')).toBe(false)
    }
  })
})
