// npm run bot: the WeChat bot alone (no HTTP API, no scheduled jobs), on the configured database.
// The puppet comes from WECHATY_PUPPET (default wechaty-puppet-wechat4u, whose login QR code is printed here);
// WECHATY_PUPPET_SERVICE_TOKEN is read by wechaty-puppet-service itself.
import { startBot } from '../../bot/runtime.js'
import { importCommunityOnFirstStart } from '../../src/bootstrap.js'
import { systemClock } from '../../src/clock.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import type { AppContext } from '../../src/context.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { createClassifier } from '../../src/intake/classifierFactory.js'
import { createLogger } from '../../src/logger.js'

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
  await importCommunityOnFirstStart(db, config, logger)
  const ctx: AppContext = { config, db, clock: systemClock, logger }
  const bot = await startBot(ctx, { classifier: createClassifier(config, logger) })
  logger.info({ puppet: bot.status().puppet }, 'bot started (npm run bot)')

  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    await bot.stop().catch(() => undefined)
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
