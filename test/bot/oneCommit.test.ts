import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { InboxMessage, OutboxMessage, ServiceRequest } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

// Issue 12: a message is kept in the same commit as its work (bot/processor.ts receiveInOne). The guarantees of the
// inbox hold as before: a second delivery never acts twice, and two reports of one problem at once make one request.
describeEachDb('one commit per message', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor
  const clock = new VirtualClock(T0)
  const say = (messageId: string, senderName: string, text: string, roomTopic = '幸福里3号楼业主群') => processor.receive({
    messageId, kind: 'text', roomTopic, roomId: null, senderName, senderId: `wxid-${senderName}`, text, payload: null,
  })
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedSampleCommunity(db)
    processor = new InboxProcessor({ ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles })
  })
  afterAll(async () => { processor.close(); await close() })

  it('chatter written in one statement is still refused a second time by the inbox key', async () => {
    const first = await say('once-chatter', '张三', '早上好，大家吃了吗')
    expect(first.outcome).toBe('chatter')
    expect(first.inboxId).toEqual(expect.any(Number))
    const again = await say('once-chatter', '张三', '早上好，大家吃了吗')
    expect(again).toMatchObject({ outcome: 'duplicate', inboxId: first.inboxId })
    expect(await db.getRepository(InboxMessage).findBy({ messageId: 'once-chatter' })).toMatchObject([{ status: 'processed' }])
  })

  it('a report delivered twice makes one request and one acknowledgement; its row commits with the request', async () => {
    const first = await say('once-report', '李四', '5号楼1单元电梯坏了，关在里面出不来了没有，反正按钮没反应')
    expect(first.outcome).toBe('created')
    const row = await db.getRepository(InboxMessage).findOneByOrFail({ messageId: 'once-report' })
    expect(row).toMatchObject({ status: 'processed', requestId: first.requestId })
    const again = await say('once-report', '李四', '5号楼1单元电梯坏了，关在里面出不来了没有，反正按钮没反应')
    expect(again.outcome).toBe('duplicate')
    expect(await db.getRepository(ServiceRequest).countBy({ id: first.requestId! })).toBe(1)
    const acks = (await db.getRepository(OutboxMessage).find()).filter((o) => o.dedupeKey.startsWith(`inbox:${row.id}:`) && o.dedupeKey.endsWith(':ack'))
    expect(acks).toHaveLength(1)
  })

  it('two chats reporting the same problem together make one request, the other joins it (merging across chats; the lock race itself is not forced here)', async () => {
    const before = await db.getRepository(ServiceRequest).count()
    const [a, b] = await Promise.all([
      say('same-a', '王五', '2号楼楼道的灯坏了，晚上一片黑', '幸福里3号楼业主群'),
      say('same-b', '赵六', '2号楼楼道灯坏了，晚上黑乎乎的', '幸福里业主大群'),
    ])
    expect([a.outcome, b.outcome].sort()).toEqual(['attached', 'created'])
    expect(a.requestId).toBe(b.requestId)
    expect(await db.getRepository(ServiceRequest).count()).toBe(before + 1)
  })
})
