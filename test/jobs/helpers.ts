import type { DataSource } from 'typeorm'
import type { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import type { AppContext } from '../../src/context.js'
import { OutboxMessage, RequestEvent } from '../../src/db/entities/index.js'
import { silentLogger } from '../../src/logger.js'

export const HOUR = 3600_000
export const MIN = 60_000

export function jobContext(db: DataSource, clock: VirtualClock, env: Record<string, string> = {}): AppContext {
  return { db, clock, logger: silentLogger, config: parseConfig({ NODE_ENV: 'test', ...env }) }
}

/** Outbox rows whose dedupe key starts with prefix (optionally for one request), oldest first. */
export async function outboxWith(db: DataSource, prefix: string, requestId?: number) {
  const rows = await db.getRepository(OutboxMessage).find({ where: requestId != null ? { requestId } : {}, order: { id: 'ASC' } })
  return rows.filter((r) => r.dedupeKey.startsWith(prefix))
}

export const eventsOf = (db: DataSource, requestId: number, type?: string) =>
  db.getRepository(RequestEvent).find({ where: type ? { requestId, type } : { requestId }, order: { id: 'ASC' } })

export const at = (clock: VirtualClock, base: string | Date, offsetMs: number) => clock.set(new Date(new Date(base).getTime() + offsetMs))
