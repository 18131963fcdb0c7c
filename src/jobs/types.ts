import type { AppContext } from '../context.js'

/**
 * A scheduled job: a plain function over the database and the clock. node-cron (in app/) fires it in
 * production; the simulator fires the same function at each scheduled time on its virtual clock.
 * Every job is idempotent: running it twice, or in two instances at once, sends nothing twice.
 */
export interface JobDefinition {
  name: string
  /** node-cron expression, evaluated in the community's timezone (Asia/Shanghai by default) */
  schedule: string
  run(ctx: AppContext, scheduledAt: Date): Promise<JobRunSummary>
  /**
   * After downtime, the scheduler runs the newest missed scheduled time once if it is at most this old
   * (ms). Absent: no catch-up (the job's next regular run covers what was missed).
   */
  catchUpWithinMs?: number
}

export interface JobRunSummary {
  /** how many rows/messages the run acted on, for logs and tests */
  acted: number
  skipped?: boolean
  details?: Record<string, unknown>
}
