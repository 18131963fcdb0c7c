import cron, { type ScheduledTask } from 'node-cron'
import { Community } from '../src/db/entities/index.js'
import type { AppContext } from '../src/context.js'
import { dueRuns, JOBS } from '../src/jobs/registry.js'
import type { JobDefinition } from '../src/jobs/types.js'
import { readWatermark } from '../src/jobs/watermark.js'

export interface SchedulerOptions {
  jobs?: JobDefinition[]
  /** default: the first community's timezone, else Asia/Shanghai */
  timezone?: string
  /** run the newest missed time of jobs that allow it (default true) */
  catchUp?: boolean
}

const minuteFloor = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000)

/**
 * Schedules every job with node-cron in the community timezone. noOverlap skips a firing while the previous
 * one still runs (the job's database lock covers other instances). Errors are logged, never thrown.
 * Returns a stop function that removes the tasks and waits for running jobs to finish.
 */
export async function startScheduler(ctx: AppContext, opts: SchedulerOptions = {}): Promise<() => Promise<void>> {
  const jobs = opts.jobs ?? JOBS
  const first = await ctx.db.getRepository(Community).findOne({ where: {}, order: { id: 'ASC' } }).catch(() => null)
  const timezone = opts.timezone ?? first?.timezone ?? 'Asia/Shanghai'
  const log = ctx.logger.child({ component: 'scheduler' })
  const running = new Set<Promise<void>>()

  const fire = (job: JobDefinition, at: Date, reason: 'scheduled' | 'catch_up') => {
    const p = (async () => {
      try {
        const summary = await job.run(ctx, at)
        const level = summary.acted > 0 ? 'info' : 'debug'
        log[level]({ job: job.name, scheduledAt: at.toISOString(), reason, ...summary }, 'job ran')
      } catch (err) {
        log.error({ err, job: job.name, scheduledAt: at.toISOString(), reason }, 'job failed')
      }
    })()
    running.add(p)
    void p.finally(() => running.delete(p))
    return p
  }

  const cronLogger = {
    info: (m: string) => log.info({ source: 'node-cron' }, m),
    warn: (m: string) => log.warn({ source: 'node-cron' }, m),
    error: (m: string | Error, err?: Error) => log.error({ source: 'node-cron', err: err ?? m }, typeof m === 'string' ? m : m.message),
    debug: (m: string | Error) => log.debug({ source: 'node-cron' }, String(m)),
  }
  const tasks: ScheduledTask[] = jobs.map((job) => cron.schedule(job.schedule, (tc) => fire(job, minuteFloor(tc.date), 'scheduled'), {
    timezone, noOverlap: true, name: `jiesu:${job.name}`, logger: cronLogger,
  }))
  log.info({ timezone, jobs: jobs.map((j) => `${j.name} (${j.schedule})`) }, 'scheduler started')

  // After downtime: the newest missed firing of jobs whose work is tied to a time (to-do list, digest).
  if (opts.catchUp !== false) {
    const now = ctx.clock.now()
    for (const job of jobs) {
      if (!job.catchUpWithinMs) continue
      try {
        const watermark = await readWatermark(ctx.db, job.name)
        if (!watermark) continue // first start: nothing was missed
        const since = new Date(Math.max(watermark.getTime(), now.getTime() - job.catchUpWithinMs))
        const missed = dueRuns(job.schedule, since, now, timezone).at(-1)
        if (missed) {
          log.info({ job: job.name, scheduledAt: missed.toISOString() }, 'catching up a missed run')
          void fire(job, missed, 'catch_up')
        }
      } catch (err) {
        log.error({ err, job: job.name }, 'catch-up check failed')
      }
    }
  }

  return async () => {
    await Promise.all(tasks.map((t) => Promise.resolve(t.destroy()).catch(() => undefined)))
    await Promise.allSettled([...running])
    log.info('scheduler stopped')
  }
}
