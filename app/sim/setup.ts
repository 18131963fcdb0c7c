import pino from 'pino'
import type { DataSource } from 'typeorm'
import { ConfigError, loadConfig, type Config } from '../../src/config.js'
import { openDatabase } from '../../src/db/dataSource.js'
import type { Logger } from '../../src/logger.js'

/** Logs on stderr: the simulator's stdout carries only its JSON lines (or the chat transcript). */
export function stderrLogger(level = process.env.LOG_LEVEL ?? 'warn'): Logger {
  return pino({ level, base: { service: 'jiesu-sim' } }, pino.destination({ fd: 2, sync: true }))
}

/**
 * Config and database for the simulator and the chat console: a temporary in-memory SQLite unless
 * DATABASE_URL is set in the environment itself (a DATABASE_URL in .env is the real database: never used here).
 */
export async function openSimulationEnvironment(): Promise<{ config: Config; db: DataSource; databaseLabel: string; databaseLabelZh: string }> {
  const explicitUrl = process.env.DATABASE_URL
  let config: Config
  try {
    // A temporary database gets temporary secrets: nothing is written to the data directory.
    config = await loadConfig({ persistSecrets: !!explicitUrl })
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`)
      process.exit(2)
    }
    throw e
  }
  const url = explicitUrl || 'sqlite::memory:'
  const db = await openDatabase(url)
  const masked = explicitUrl ? url.replace(/\/\/[^@]*@/, '//***@') : null
  // the log's label in English, the chat banner's in Chinese
  return { config: { ...config, DATABASE_URL: url }, db, databaseLabel: masked ?? 'temporary in-memory SQLite', databaseLabelZh: masked ?? '临时内存数据库，退出即清空' }
}

/**
 * `npm run simulate -- s.json | head -3`: once the reader has gone, stop quietly instead of dying on EPIPE
 * (an unhandled 'error' event on stdout).
 */
export function exitQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0)
    process.stderr.write(`stdout: ${err.message}\n`)
    process.exit(1)
  })
}

/** Waits until stdout has taken everything written so far (before process.exit on a pipe). */
export function flushStdout(): Promise<void> {
  return new Promise((res) => process.stdout.write('', () => res()))
}
