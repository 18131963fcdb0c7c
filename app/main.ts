import type { Server } from 'node:http'
import { systemClock } from '../src/clock.js'
import { ConfigError, loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/dataSource.js'
import { importCommunityOnFirstStart } from '../src/bootstrap.js'
import { createLogger } from '../src/logger.js'
import type { AppContext } from '../src/context.js'
import { createApi, createWechatClient } from '../miniprogram-api/server.js'
import { SubscribeMessageSender } from '../miniprogram-api/wechat/subscribeSender.js'
import { OutboxWorker } from '../src/outbox/worker.js'
import { OutboxLoop } from '../bot/outboxLoop.js'
import { startScheduler } from './scheduler.js'
import { getBotStatus, startBot } from '../bot/runtime.js'
import { createClassifier } from '../src/intake/classifierFactory.js'

/** `npm start`: the HTTP API, the scheduled jobs and the bot, on one database. */
async function main() {
  let config
  try {
    config = await loadConfig()
  } catch (e) {
    if (e instanceof ConfigError) { console.error(e.message); process.exit(1) }
    throw e
  }
  const logger = createLogger(config.LOG_LEVEL)
  const db = await openDatabase(config.DATABASE_URL)
  logger.info({ database: config.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@') }, 'database ready')
  await importCommunityOnFirstStart(db, config, logger)
  const ctx: AppContext = { config, db, clock: systemClock, logger }

  // One WeChat client (and one cached access token) for mini-program login and subscribe messages.
  const wechat = createWechatClient(ctx)
  // /healthz is public: it shows the bot's state only; the QR link is for the 书记 at /api/admin/bot.
  const api = createApi(ctx, { health: () => ({ bot: { state: config.BOT_ENABLED ? getBotStatus().state : 'disabled' } }), botStatus: () => ({ ...getBotStatus() }), wechat })
  // Mini-program subscribe messages leave through their own outbox worker (it claims only mp_subscribe rows),
  // independent of the bot's login. Without WECHAT_APPID/SECRET they wait in the outbox.
  const mpOutbox = wechat.configured
    ? new OutboxLoop({
      logger: logger.child({ component: 'mp-outbox' }), isReady: () => true, intervalMs: 2000,
      worker: new OutboxWorker({
        db, clock: systemClock, logger: logger.child({ component: 'mp-outbox' }),
        senders: { mp_subscribe: new SubscribeMessageSender({ wechat, db, config }) },
        throttle: { perChatIntervalMs: 0, perMinute: 600 },
      }),
    })
    : null
  await mpOutbox?.start()
  const server: Server = api.listen(config.PORT, config.HOST, () => logger.info({ port: config.PORT }, 'HTTP API listening'))
  const stopJobs = config.JOBS_ENABLED ? await startScheduler(ctx) : async () => undefined
  // The bot never throws for WeChat trouble: it logs, retries with backoff, and the API and jobs keep running.
  const bot = config.BOT_ENABLED ? await startBot(ctx, { classifier: createClassifier(config, logger) }) : null

  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    server.close()
    await stopJobs().catch(() => undefined)
    await bot?.stop().catch(() => undefined)
    await mpOutbox?.stop().catch(() => undefined)
    await db.destroy().catch(() => undefined)
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err)
  process.exit(1)
})
