import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { mock, PuppetMock } from 'wechaty-puppet-mock'
import { getBotStatus, startBot, type BotHandle } from '../../bot/runtime.js'
import { recordInbox } from '../../src/inbox/inbox.js'
import { systemClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import type { AppContext } from '../../src/context.js'
import { InboxMessage, OutboxMessage, ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'

/** Polls a condition (the bot's outbox loop runs on real timers); fails after a generous limit. */
async function until(what: string, cond: () => Promise<boolean> | boolean, limitMs = 15_000) {
  const deadline = Date.now() + limitMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describeEachDb('bot runtime (npm start / npm run bot)', (kind) => {
  let db: DataSource, close: () => Promise<void>, ctx: AppContext
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedSampleCommunity(db)
    ctx = { config: parseConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock: systemClock, logger: silentLogger }
  })
  afterAll(() => close())

  it('cannot log in: keeps running, reports why and when it retries', async () => {
    const bot = await startBot(ctx, { classifier: new OfflineClassifier(), puppet: 'wechaty-puppet-not-installed', sessionName: null, printQr: false })
    try {
      const status = bot.status()
      expect(status.state).toBe('error')
      expect(status.lastError).toContain('wechaty-puppet-not-installed')
      expect(Date.parse(status.retryAt!)).toBeGreaterThan(Date.now())
    } finally {
      await bot.stop()
    }
    expect(getBotStatus().state).toBe('disabled')
  })

  it('processes messages kept before a restart without WeChat, and sends once logged in', async () => {
    // A message received just before the previous process died.
    const kept = await inTransaction(db, (em) => recordInbox(em, systemClock, {
      messageId: `restart-${kind}`, kind: 'text', roomTopic: '幸福里3号楼业主群', roomId: null, senderName: '李阿姨', senderId: null,
      text: '3号楼楼道灯坏了', payload: null,
    }))
    const mocker = new mock.Mocker()
    const puppet = new PuppetMock({ mocker })
    let bot: BotHandle | null = null
    try {
      bot = await startBot(ctx, { classifier: new OfflineClassifier(), puppet, sessionName: null, printQr: false })
      await until('the kept message is processed', async () => (await db.getRepository(InboxMessage).findOneByOrFail({ id: kept.id })).status === 'processed')
      const request = await db.getRepository(ServiceRequest).findOneByOrFail({ originalText: '3号楼楼道灯坏了' })
      expect(bot.status().state).not.toBe('logged_in')
      // Not logged in: the acknowledgement waits in the outbox.
      expect(await db.getRepository(OutboxMessage).countBy({ requestId: request.id, status: 'sent' })).toBe(0)

      const said: string[] = []
      const user = mocker.createContact({ name: '社区小助手' })
      const wang = mocker.createContact({ name: '王芳' })
      const li = mocker.createContact({ name: '李阿姨' })
      mocker.createRoom({ topic: '幸福里3号楼业主群', memberIdList: [user.id, wang.id, li.id] })
      ;(user as unknown as NodeJS.EventEmitter).on('message', (m: mock.MessageMock) => {
        if (m.payload.talkerId === user.id) said.push(m.payload.text ?? '')
      })
      mocker.login(user)
      await until('logged in', () => bot!.status().state === 'logged_in')
      expect(getBotStatus()).toMatchObject({ state: 'logged_in', user: '社区小助手' })
      await until('the acknowledgement and the task are sent', () => said.length >= 2)
      expect(said.some((t) => t.startsWith('@李阿姨 ') && t.includes(`工单号 ${request.no}`))).toBe(true)
      expect(said.some((t) => t.includes(`【新工单 ${request.no}】`))).toBe(true)
    } finally {
      await bot?.stop()
    }
  })
})
