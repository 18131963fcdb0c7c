import type { Server } from 'node:http'
import { systemClock } from '../src/clock.js'
import { ConfigError, loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/dataSource.js'
import { importCommunityOnFirstStart } from '../src/bootstrap.js'
import { createLogger } from '../src/logger.js'
import type { AppContext } from '../src/context.js'
import { createApi } from '../miniprogram-api/server.js'

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

  const api = createApi(ctx)
  const server: Server = api.listen(config.PORT, config.HOST, () => logger.info({ port: config.PORT }, 'HTTP API listening'))

  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down')
    server.close()
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
