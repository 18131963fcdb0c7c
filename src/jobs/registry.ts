import type { AppContext } from '../context.js'
import { runCallbacks } from './callbacks.js'
import { runCareVisits } from './careVisits.js'
import { runRecurringProblems } from './recurringProblems.js'
import { runDailyTodo } from './dailyTodo.js'
import { publicUrlOf } from '../config.js'
import { runWeeklyDigest } from './digest.js'
import { runSlaCheck } from './sla.js'
import { runStatsRollup } from './statsRollup.js'
import { runVerifiedReportPoints } from './verifiedReportPoints.js'
import type { JobDefinition } from './types.js'
import { runScheduled } from './watermark.js'

export { dueRuns, parseCron, CronSyntaxError } from './cron.js'

const HOUR = 3600_000
const deps = (ctx: AppContext) => ({ db: ctx.db, clock: ctx.clock, logger: ctx.logger })

/**
 * The scheduled jobs (the outbox worker is not one: it runs continuously). Each run takes the job's database
 * lock and watermark (runScheduled), so a second firing for the same time, or a second instance, does nothing.
 * Schedules are node-cron expressions in the community timezone.
 */
export const JOBS: JobDefinition[] = [
  {
    name: 'sla',
    schedule: '* * * * *',
    run: (ctx, at) => runScheduled(ctx, 'sla', at, () => runSlaCheck(deps(ctx))),
  },
  {
    name: 'callbacks',
    // Every 5 minutes: 回访 times are not minute-critical; quiet hours end on the hour (08:00).
    schedule: '*/5 * * * *',
    run: (ctx, at) => runScheduled(ctx, 'callbacks', at, () => runCallbacks(deps(ctx))),
  },
  {
    name: 'care_visits',
    // Before the 08:30 to-do, so it lists today's door knocks.
    schedule: '0 8 * * *',
    run: (ctx, at) => runScheduled(ctx, 'care_visits', at, () => runCareVisits({ ...deps(ctx), encryptionKey: ctx.config.DATA_ENCRYPTION_KEY })),
    catchUpWithinMs: 12 * HOUR,
  },
  {
    name: 'daily_todo',
    schedule: '30 8 * * *',
    run: (ctx, at) => runScheduled(ctx, 'daily_todo', at, () => runDailyTodo({ ...deps(ctx), encryptionKey: ctx.config.DATA_ENCRYPTION_KEY }, at)),
    // A to-do list sent late in the morning still helps; one from yesterday does not.
    catchUpWithinMs: 4 * HOUR,
  },
  {
    name: 'recurring_problems',
    // Monday before the digest, which shows what it found.
    schedule: '0 7 * * 1',
    run: (ctx, at) => runScheduled(ctx, 'recurring_problems', at, () => runRecurringProblems(deps(ctx))),
    catchUpWithinMs: 6 * 24 * HOUR,
  },
  {
    name: 'stats_rollup',
    // Hourly: rolls up the days just past and re-rolls days changed since (a late rating, a 重办); until then
    // those days are read from the rows, so no figure ever waits for this job.
    schedule: '10 * * * *',
    run: (ctx, at) => runScheduled(ctx, 'stats_rollup', at, () => runStatsRollup(deps(ctx))),
  },
  {
    name: 'verified_report_points',
    // Early, so the points of yesterday's closed requests are in before the day's messages and the Monday digest.
    schedule: '0 6 * * *',
    run: (ctx, at) => runScheduled(ctx, 'verified_report_points', at, () => runVerifiedReportPoints(deps(ctx))),
    catchUpWithinMs: 24 * HOUR,
  },
  {
    name: 'weekly_digest',
    schedule: '0 8 * * 1',
    run: (ctx, at) => runScheduled(ctx, 'weekly_digest', at, () => runWeeklyDigest({ ...deps(ctx), config: ctx.config, publicUrl: publicUrlOf(ctx.config) }, at)),
    catchUpWithinMs: 6 * 24 * HOUR,
  },
]

export const jobNamed = (name: string) => JOBS.find((j) => j.name === name)
