import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'jiesu' } })
}

/** For tests and tools that must stay quiet. */
export const silentLogger: Logger = pino({ level: 'silent' })
