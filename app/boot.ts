import { importCommunityOnFirstStart } from '../src/bootstrap.js'
import { systemClock } from '../src/clock.js'
import { ConfigError, loadConfig } from '../src/config.js'
import type { AppContext } from '../src/context.js'
import { openDatabase } from '../src/db/dataSource.js'
import { createLogger } from '../src/logger.js'

/**
 * Shared start-up for `npm start` and `npm run bot`: parse the config (a bad value exits naming the
 * variable), open and migrate the database, import the sample community on the first start.
 */
export async function boot(): Promise<AppContext> {
  let config
  try {
    config = await loadConfig()
  } catch (e) {
    if (e instanceof ConfigError) { console.error(e.message); process.exit(1) }
    throw e
  }
  const logger = createLogger(config.LOG_LEVEL)
  const db = await openDatabase(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE })
  logger.info({ database: config.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@') }, 'database ready')
  await importCommunityOnFirstStart(db, config, logger)
  return { config, db, clock: systemClock, logger }
}

/** Runs stop() once on SIGINT/SIGTERM, then exits. */
export function onShutdown(ctx: AppContext, stop: () => Promise<void>): void {
  const handler = async (signal: string) => {
    ctx.logger.info({ signal }, 'shutting down')
    await stop().catch((err) => ctx.logger.error({ err }, 'error while shutting down'))
    await ctx.db.destroy().catch(() => undefined)
    process.exit(0)
  }
  process.once('SIGINT', () => void handler('SIGINT'))
  process.once('SIGTERM', () => void handler('SIGTERM'))
}

export function exitOnStartupError(err: unknown): never {
  console.error(err instanceof Error ? err.stack ?? err.message : err)
  process.exit(1)
}
