import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { JobState } from '../../src/db/entities/index.js'
import { LOCK_SKIPPED, withJobLock } from '../../src/jobs/lock.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { readWatermark, runScheduled } from '../../src/jobs/watermark.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { jobContext } from './helpers.js'

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

describeEachDb('job lock and watermark', (kind) => {
  let db: DataSource, close: () => Promise<void>
  beforeAll(async () => { ({ db, close } = await openTestDb(kind)) })
  afterAll(() => close())

  it('skips a run while another holds the lock, and frees it afterwards', async () => {
    const gate = deferred(), entered = deferred()
    const holder = withJobLock(db, 'demo', 'instance-a', async () => { entered.resolve(); await gate.promise; return 'a-done' })
    await entered.promise
    let ran = false
    expect(await withJobLock(db, 'demo', 'instance-b', async () => { ran = true })).toBe(LOCK_SKIPPED)
    expect(ran).toBe(false)
    // Another job's lock is independent.
    expect(await withJobLock(db, 'other', 'instance-b', async () => 'other-done')).toBe('other-done')
    gate.resolve()
    expect(await holder).toBe('a-done')
    expect(await withJobLock(db, 'demo', 'instance-b', async () => 'b-done')).toBe('b-done')
  })

  it('frees the lock when the work throws', async () => {
    await expect(withJobLock(db, 'boom', 'x', async () => { throw new Error('boom') })).rejects.toThrow('boom')
    expect(await withJobLock(db, 'boom', 'y', async () => 'ok')).toBe('ok')
  })

  it('a registered job is skipped while its lock is held', async () => {
    const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
    const gate = deferred(), entered = deferred()
    const holder = withJobLock(db, 'sla', 'someone-else', async () => { entered.resolve(); await gate.promise })
    await entered.promise
    expect(await jobNamed('sla')!.run(jobContext(db, clock), clock.now())).toEqual({ acted: 0, skipped: true, details: { reason: 'locked' } })
    gate.resolve()
    await holder
    expect((await jobNamed('sla')!.run(jobContext(db, clock), clock.now())).skipped).toBeFalsy()
  })

  if (kind === 'sqlite') {
    it('takes over a lease whose holder died (expired), but not a live one', async () => {
      const repo = db.getRepository(JobState)
      await repo.save({ name: 'lease', lockHolder: 'dead-process', lockExpiresAt: new Date(Date.now() - 1000), watermark: null })
      expect(await withJobLock(db, 'lease', 'me', async () => 'mine')).toBe('mine')
      expect((await repo.findOneByOrFail({ name: 'lease' })).lockHolder).toBeNull()
      await repo.save({ name: 'lease', lockHolder: 'alive', lockExpiresAt: new Date(Date.now() + 60_000), watermark: null })
      expect(await withJobLock(db, 'lease', 'me', async () => 'mine')).toBe(LOCK_SKIPPED)
    })
  }

  it('the watermark makes a second firing for the same or an earlier time a no-op, and a failed run retryable', async () => {
    const ctx = { db }
    const t = new Date('2026-11-30T00:00:00Z')
    let calls = 0
    const work = async () => { calls++; return { acted: 1 } }
    expect(await runScheduled(ctx, 'wm', t, work)).toEqual({ acted: 1 })
    expect(await runScheduled(ctx, 'wm', t, work)).toMatchObject({ acted: 0, skipped: true, details: { reason: 'already_ran' } })
    expect(await runScheduled(ctx, 'wm', new Date(t.getTime() - 60_000), work)).toMatchObject({ skipped: true })
    expect(calls).toBe(1)
    expect((await readWatermark(db, 'wm'))!.toISOString()).toBe(t.toISOString())

    const later = new Date(t.getTime() + 60_000)
    await expect(runScheduled(ctx, 'wm', later, async () => { throw new Error('db down') })).rejects.toThrow('db down')
    expect((await readWatermark(db, 'wm'))!.toISOString()).toBe(t.toISOString())
    expect(await runScheduled(ctx, 'wm', later, work)).toEqual({ acted: 1 })
    expect(calls).toBe(2)
  })
})
