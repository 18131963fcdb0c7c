import type { AppContext } from '../context.js'
import { runCallbacks } from './callbacks.js'
import { runDailyTodo } from './dailyTodo.js'
import { publicUrlOf } from '../config.js'
import { runWeeklyDigest } from './digest.js'
import { runSlaCheck } from './sla.js'
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
    name: 'daily_todo',
    schedule: '30 8 * * *',
    run: (ctx, at) => runScheduled(ctx, 'daily_todo', at, () => runDailyTodo(deps(ctx), at)),
    // A to-do list sent late in the morning still helps; one from yesterday does not.
    catchUpWithinMs: 4 * HOUR,
  },
  {
    name: 'weekly_digest',
    schedule: '0 8 * * 1',
    run: (ctx, at) => runScheduled(ctx, 'weekly_digest', at, () => runWeeklyDigest({ ...deps(ctx), config: ctx.config, publicUrl: publicUrlOf(ctx.config) }, at)),
    catchUpWithinMs: 6 * 24 * HOUR,
  },
]

export const jobNamed = (name: string) => JOBS.find((j) => j.name === name)
