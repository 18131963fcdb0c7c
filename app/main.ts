import type { Server } from 'node:http'
import { systemClock } from '../src/clock.js'
import { createApi, createWechatClient } from '../miniprogram-api/server.js'
import { SubscribeMessageSender } from '../miniprogram-api/wechat/subscribeSender.js'
import { OutboxWorker } from '../src/outbox/worker.js'
import { OutboxLoop } from '../bot/outboxLoop.js'
import { startScheduler } from './scheduler.js'
import { boot, exitOnStartupError, onShutdown } from './boot.js'
import type { BotStatus } from '../bot/runtime.js'
import { createClassifier } from '../src/intake/classifierFactory.js'

/**
 * `npm start`: the HTTP API, the scheduled jobs and the bot, on one database. The API listens first: the bot
 * (Wechaty, a second or more to import) is loaded after it, so /healthz answers while the bot is still starting.
 */
async function main() {
  const ctx = await boot()
  const { config, db, logger } = ctx

  // One classifier for the bot and the API; one WeChat client (and cached access token) for login and subscribe messages.
  const classifier = createClassifier(config, logger)
  const wechat = createWechatClient(ctx)
  // /healthz is public: it shows the bot's state only; the QR link is for the 书记 at /api/admin/bot.
  let botStatus = (): BotStatus => ({ state: config.BOT_ENABLED ? 'starting' : 'disabled', puppet: '', since: new Date().toISOString() })
  const api = createApi(ctx, { health: () => ({ bot: { state: botStatus().state } }), botStatus: () => ({ ...botStatus() }), wechat, classifier })
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
  const server: Server = await new Promise((resolve, reject) => {
    const s = api.listen(config.PORT, config.HOST, () => { logger.info({ port: config.PORT }, 'HTTP API listening'); resolve(s) }).once('error', reject)
  })
  const stopJobs = config.JOBS_ENABLED ? await startScheduler(ctx) : async () => undefined
  // The bot never throws for WeChat trouble: it logs, retries with backoff, and the API and jobs keep running.
  let bot: { stop(): Promise<void> } | null = null
  if (config.BOT_ENABLED) {
    const runtime = await import('../bot/runtime.js')
    botStatus = runtime.getBotStatus
    bot = await runtime.startBot(ctx, { classifier })
  }

  onShutdown(ctx, async () => {
    server.close()
    await stopJobs().catch(() => undefined)
    await bot?.stop().catch(() => undefined)
    await mpOutbox?.stop().catch(() => undefined)
  })
}

main().catch(exitOnStartupError)
