import type { DataSource } from 'typeorm'
import type { Clock } from './clock.js'
import type { Config } from './config.js'
import type { Logger } from './logger.js'

/** What the domain needs from the outside world, injected so the simulator and tests control it. */
export interface AppContext {
  config: Config
  db: DataSource
  clock: Clock
  logger: Logger
}
