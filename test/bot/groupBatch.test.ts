import { afterEach, beforeEach, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor, type Handled } from '../../bot/processor.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { InboxMessage, ServiceRequest } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import type { Classifier } from '../../src/intake/classifier/types.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }
const ROOM = '幸福里3号楼业主群'

// bot/groupBatch.ts: a burst of group texts is handled many at a time, in each chat's order, nothing lost.
describeEachDb('group texts in batches', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor
  const start = (classifier: Classifier = new OfflineClassifier()) => {
    processor = new InboxProcessor({ ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock: new VirtualClock(T0), logger: silentLogger }, classifier, storage: noFiles })
  }
  const say = (messageId: string, senderName: string, text: string, roomTopic = ROOM) => processor.receive({
    messageId, kind: 'text', roomTopic, roomId: null, senderName, senderId: `wxid-${senderName}`, text, payload: null,
  })
  beforeEach(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedSampleCommunity(db)
  })
  afterEach(async () => { processor.close(); await close() })

  it('keeps each chat in order around a message handled the usual way: "+1" joins the report before it, not the one after', async () => {
    start()
    const order: string[] = []
    processor.on('handled', (h: Handled) => order.push(h.messageId))
    const [report, plusOne, , later] = await Promise.all([
      say('a1', '张三', '3号楼2单元楼道灯坏了，晚上很黑'),
      say('a2', '李四', '+1'),
      say('a3', '王五', '早上好'),
      say('a4', '赵六', '3号楼电梯停了，按钮没反应'),
      say('b1', '钱七', '5号楼门口垃圾三天没人收了', '幸福里5号楼业主群'),
    ])
    expect(report.outcome).toBe('created')
    expect(plusOne).toMatchObject({ outcome: 'attached', requestId: report.requestId })
    expect(later.outcome).toBe('created')
    expect(later.requestId).not.toBe(report.requestId)
    expect(order.filter((m) => m.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4'])
    expect(await db.getRepository(InboxMessage).countBy({ status: 'processed' })).toBe(5)
  })

  it('a burst of plain reports and chatter costs a few statements per batch, not ten per report', async () => {
    start()
    let statements = 0
    const logger = db.logger
    ;(db as unknown as { logger: unknown }).logger = new Proxy(logger, {
      get: (target, prop, receiver) => (prop === 'logQuery' ? () => { statements++ } : Reflect.get(target, prop, receiver)),
    })
    const texts = ['3号楼2单元楼道灯坏了', '早上好', '5号楼电梯停了', '5号楼的电梯又停了，困人了', '东门门禁坏了', '谢谢大家', '3号楼楼上半夜拖椅子', '垃圾三天没人收了']
    const results = await Promise.all([
      processor.receive({ messageId: 'dm', kind: 'text', roomTopic: null, roomId: null, senderName: '路人', senderId: 'wxid-dm', text: '你好', payload: null }),
      ...Array.from({ length: 40 }, (_, i) => say(`p${i}`, `居民${i}`, texts[i % texts.length]!, i % 2 ? ROOM : '幸福里5号楼业主群')),
    ])
    expect(results.filter((h) => h.outcome === 'created').length).toBeGreaterThan(3)
    expect(results.filter((h) => h.outcome === 'attached').length).toBeGreaterThan(10)
    expect(await db.getRepository(InboxMessage).countBy({ status: 'processed' })).toBe(41)
    // One at a time that is ~10 statements a report (bench/queries.ts), 400 here; batched, each lane's ~20, the private
    // message's few, and one per sender new to the community (40 here)
    expect(statements).toBeLessThan(110)
  })

  it('a message delivered twice in a burst is handled once', async () => {
    start()
    const results = await Promise.all([
      say('d0', '孙八', '早上好'),
      say('d1', '周九', '5号楼1单元电梯坏了'),
      say('d1', '周九', '5号楼1单元电梯坏了'),
      say('d2', '吴十', '5号楼1单元的电梯又坏了'),
    ])
    expect(results.map((h) => h.outcome).sort()).toEqual(['attached', 'chatter', 'created', 'duplicate'])
    expect(await db.getRepository(InboxMessage).countBy({ messageId: 'd1' })).toBe(1)
    expect(await db.getRepository(ServiceRequest).count()).toBe(1)
  })

  it('a batch that cannot be filed together (the configuration changed under it) is handled one message at a time, nothing lost', async () => {
    const offline = new OfflineClassifier()
    let bumped = false
    // Another process edits the community while the burst is read: the batch's snapshot check refuses it.
    const classifier: Classifier = {
      method: offline.method,
      classify: async (input) => {
        if (!bumped && input.text.includes('电梯')) {
          bumped = true
          await db.query('UPDATE communities SET config_version = config_version + 1')
        }
        return offline.classify(input)
      },
    }
    start(classifier)
    const results = await Promise.all([
      say('s0', '郑一', '早上好'),
      say('s1', '王二', '3号楼电梯停了'),
      say('s2', '冯三', '3号楼的电梯停了，困人了'),
      say('s3', '陈四', '3号楼楼道灯坏了'),
    ])
    expect(bumped).toBe(true)
    expect(results.map((h) => h.outcome)).toEqual(['chatter', 'created', 'attached', 'created'])
    expect(results[2]!.requestId).toBe(results[1]!.requestId)
    expect(await db.getRepository(InboxMessage).countBy({ status: 'processed' })).toBe(4)
  })
})
