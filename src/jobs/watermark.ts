import type { DataSource } from 'typeorm'
import type { AppContext } from '../context.js'
import { dialectOf } from '../db/dataSource.js'
import { inTransaction } from '../db/transaction.js'
import { isLockSkipped, newLockHolder, withJobLock, type JobLockOptions } from './lock.js'
import { execute, fromSqlTime, toSqlTime } from './sql.js'
import type { JobRunSummary } from './types.js'

// job_state.watermark = the last scheduled time a job completed for. A second firing for the same (or an
// earlier) scheduled time does nothing; after downtime the scheduler runs the newest missed time once.

export async function readWatermark(db: DataSource, name: string): Promise<Date | null> {
  const rows: { watermark: unknown }[] = await db.query('SELECT watermark FROM job_state WHERE name = ?', [name])
  return fromSqlTime(rows[0]?.watermark)
}

/** Moves the watermark forward (never back). */
export async function advanceWatermark(db: DataSource, name: string, to: Date): Promise<void> {
  const advance = 'UPDATE job_state SET watermark = ? WHERE name = ? AND (watermark IS NULL OR watermark < ?)'
  const t = toSqlTime(to)
  await inTransaction(db, async (em) => {
    if (await execute(em, advance, [t, name, t])) return
    await execute(em, `${dialectOf(db) === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO job_state (name) VALUES (?)`, [name])
    await execute(em, advance, [t, name, t])
  })
}

export const ALREADY_RAN: JobRunSummary = Object.freeze({ acted: 0, skipped: true, details: Object.freeze({ reason: 'already_ran' }) }) as JobRunSummary

/**
 * The frame every job runs in: take the job lock (skip if held), skip if the watermark is already at or past
 * `scheduledAt`, do the work, then advance the watermark. A failed run leaves the watermark where it was.
 */
export async function runScheduled(
  ctx: Pick<AppContext, 'db'>, name: string, scheduledAt: Date, work: () => Promise<JobRunSummary>, opts: JobLockOptions & { holder?: string } = {},
): Promise<JobRunSummary> {
  const result = await withJobLock(ctx.db, name, opts.holder ?? newLockHolder(), async () => {
    const watermark = await readWatermark(ctx.db, name)
    if (watermark && watermark.getTime() >= scheduledAt.getTime()) return { ...ALREADY_RAN, details: { ...ALREADY_RAN.details } }
    const summary = await work()
    await advanceWatermark(ctx.db, name, scheduledAt)
    return summary
  }, opts)
  return isLockSkipped(result) ? { ...result, details: { ...result.details } } : result
}
