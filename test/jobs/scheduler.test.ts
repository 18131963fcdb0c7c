import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { startScheduler } from '../../app/scheduler.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import type { JobDefinition } from '../../src/jobs/types.js'
import { advanceWatermark } from '../../src/jobs/watermark.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'

describeEachDb('scheduler', (kind) => {
  let db: DataSource, close: () => Promise<void>
  beforeAll(async () => { ({ db, close } = await openTestDb(kind)) })
  afterAll(() => close())

  it('catches up the newest missed run after downtime, logs job errors instead of throwing, and stops cleanly', async () => {
    const lines: Record<string, unknown>[] = []
    const logger = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s)) } })
    const clock = new VirtualClock('2026-12-02T10:00:00+08:00') // Wednesday: Monday 30 Nov 08:00 was missed
    const calls: Record<string, string[]> = { weekly: [], failing: [], fresh: [], minutely: [] }
    const job = (name: string, schedule: string, catchUpWithinMs?: number, fail = false): JobDefinition => ({
      name, schedule, catchUpWithinMs,
      run: async (_ctx, at) => { calls[name]!.push(at.toISOString()); if (fail) throw new Error(`${name} exploded`); return { acted: 1 } },
    })
    const DAY = 86_400_000
    const jobs = [job('weekly', '0 8 * * 1', 6 * DAY), job('failing', '0 8 * * 1', 6 * DAY, true), job('fresh', '0 8 * * 1', 6 * DAY), job('minutely', '0 0 1 1 *')]
    await advanceWatermark(db, 'weekly', new Date('2026-11-23T08:00:00+08:00'))
    await advanceWatermark(db, 'failing', new Date('2026-11-23T08:00:00+08:00'))
    // 'fresh' has no watermark (first start): nothing to catch up. 'minutely' has no catch-up at all.

    const stop = await startScheduler({ db, clock, logger, config: parseConfig({ NODE_ENV: 'test' }) }, { jobs, timezone: 'Asia/Shanghai' })
    await stop()
    const monday = new Date('2026-11-30T08:00:00+08:00').toISOString()
    expect(calls).toEqual({ weekly: [monday], failing: [monday], fresh: [], minutely: [] })
    const failure = lines.find((l) => l.msg === 'job failed')
    expect(failure).toMatchObject({ job: 'failing', scheduledAt: monday, reason: 'catch_up' })
    expect(lines.some((l) => l.msg === 'scheduler stopped')).toBe(true)
  })

  it('does not catch up a run older than the job allows', async () => {
    const clock = new VirtualClock('2026-12-06T10:00:00+08:00') // Sunday: Monday 30 Nov 08:00 is > 6 days ago
    const calls: string[] = []
    const jobs: JobDefinition[] = [{ name: 'old', schedule: '0 8 * * 1', catchUpWithinMs: 4 * 3600_000, run: async (_c, at) => { calls.push(at.toISOString()); return { acted: 0 } } }]
    await advanceWatermark(db, 'old', new Date('2026-11-23T08:00:00+08:00'))
    const stop = await startScheduler({ db, clock, logger: pino({ level: 'silent' }), config: parseConfig({ NODE_ENV: 'test' }) }, { jobs })
    await stop()
    expect(calls).toEqual([])
  })
})
