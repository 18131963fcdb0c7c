import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { MAX_INBOX_ATTEMPTS } from '../../src/inbox/inbox.js'
import { InboxProcessor } from '../../bot/processor.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { InboxMessage, OutboxMessage } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'
import { bindWechat } from '../helpers/staff.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

// The processor without Wechaty: what happens when processing itself fails.
describeEachDb('inbox processing failures', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor
  const clock = new VirtualClock(T0)
  let failing = true
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedSampleCommunity(db)
    processor = new InboxProcessor({
      ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger },
      classifier: new OfflineClassifier(), storage: noFiles,
      runIntake: async () => { if (failing) throw new Error('database went away'); return { kind: 'chatter', classification: null as never } },
    })
  })
  afterAll(() => close())

  it('keeps the message, records the error and the attempts, retries, and gives up after the limit', async () => {
    const handled = await processor.receive({
      messageId: `fail-${kind}`, kind: 'text', roomTopic: '幸福里3号楼业主群', roomId: null, senderName: '李阿姨', senderId: null, text: '3号楼楼道灯坏了', payload: null,
    })
    expect(handled).toMatchObject({ outcome: 'failed', error: 'database went away' })
    const row = () => db.getRepository(InboxMessage).findOneByOrFail({ messageId: `fail-${kind}` })
    expect(await row()).toMatchObject({ status: 'pending', attempts: 1, error: 'database went away', text: '3号楼楼道灯坏了' })

    for (let i = 1; i < MAX_INBOX_ATTEMPTS; i++) await processor.processPending()
    expect(await row()).toMatchObject({ status: 'failed', attempts: MAX_INBOX_ATTEMPTS })
    expect(await processor.processPending()).toBe(0)

    // One bad message does not stop the next one.
    failing = false
    await bindWechat(db, clock, '王芳', 'wxid-wangfang')
    const next = await processor.receive({
      messageId: `help-${kind}`, kind: 'text', roomTopic: null, roomId: null, senderName: '王芳', senderId: 'wxid-wangfang', text: '帮助', payload: null,
    })
    expect(next.outcome).toBe('help')
    const replies = await db.getRepository(OutboxMessage).find({ where: { dedupeKey: `inbox:${next.inboxId}:reply` } })
    expect(replies).toHaveLength(1)
    expect(replies[0]).toMatchObject({ channel: 'wechat_dm', target: '王芳' })
    expect(replies[0]!.text).toContain('接单 12')
  })
})
