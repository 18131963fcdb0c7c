import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { OutboxMessage } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { silentLogger } from '../../src/logger.js'
import { enqueue, PRIORITY } from '../../src/outbox/outbox.js'
import { CLAIM_LEASE_MS, OutboxWorker, PermanentSendError, type OutboundSender } from '../../src/outbox/worker.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'

class RecordingSender implements OutboundSender {
  sent: string[] = []
  failures = new Map<string, number>()
  async send(m: OutboxMessage) {
    const left = this.failures.get(m.text) ?? 0
    if (left > 0) { this.failures.set(m.text, left - 1); throw new Error('network down') }
    if (m.text.startsWith('permanent')) throw new PermanentSendError('no such contact')
    this.sent.push(m.text)
  }
}

describeEachDb('outbox worker', (kind) => {
  let db: DataSource, close: () => Promise<void>
  const clock = new VirtualClock('2026-11-23T01:00:00Z')
  beforeAll(async () => { ({ db, close } = await openTestDb(kind)) })
  afterAll(() => close())
  beforeEach(async () => { await db.createQueryBuilder().delete().from(OutboxMessage).execute() })
  const worker = (sender: OutboundSender, throttle = { perChatIntervalMs: 0, perMinute: 1000 }) =>
    new OutboxWorker({ db, clock, senders: { wechat_dm: sender, wechat_room: sender }, logger: silentLogger, throttle })
  const put = (key: string, text: string, target = 'a', priority: number = PRIORITY.normal) =>
    inTransaction(db, (em) => enqueue(em, clock, [{ dedupeKey: key, channel: 'wechat_dm', target, text, priority }]))

  it('a dedupe key is written once; a rolled-back transaction writes nothing', async () => {
    await put('k1', 'hello')
    await put('k1', 'hello again')
    await inTransaction(db, async (em) => { await enqueue(em, clock, [{ dedupeKey: 'k2', channel: 'wechat_dm', target: 'a', text: 'x' }]); throw new Error('rollback') }).catch(() => undefined)
    expect(await db.getRepository(OutboxMessage).count()).toBe(1)
  })

  it('urgent messages jump the queue', async () => {
    await put('n1', 'normal')
    await put('u1', 'urgent', 'b', PRIORITY.urgent)
    const s = new RecordingSender()
    await worker(s).drain()
    expect(s.sent).toEqual(['urgent', 'normal'])
  })

  it('retries with backoff, then sends; permanent failures are not retried', async () => {
    await put('r1', 'flaky')
    await put('p1', 'permanent failure', 'c')
    const s = new RecordingSender()
    s.failures.set('flaky', 2)
    const w = worker(s)
    await w.drain()
    expect(s.sent).toEqual([])
    clock.advance(5_000)
    await w.drain()
    expect(s.sent).toEqual([])
    clock.advance(10_000)
    await w.drain()
    expect(s.sent).toEqual(['flaky'])
    const rows = await db.getRepository(OutboxMessage).find({ order: { id: 'ASC' } })
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([['sent', 3], ['dead', 1]])
  })

  it('throttles: one message per interval to the same chat, in order', async () => {
    await put('t1', 'first')
    await put('t2', 'second')
    await put('t3', 'other chat', 'z')
    const s = new RecordingSender()
    const w = worker(s, { perChatIntervalMs: 3000, perMinute: 40 })
    await w.drain()
    expect(s.sent).toEqual(['first', 'other chat'])
    clock.advance(1000)
    await w.drain()
    expect(s.sent).toHaveLength(2)
    clock.advance(2000)
    await w.drain()
    expect(s.sent).toEqual(['first', 'other chat', 'second'])
  })

  it('two workers draining at once never send a message twice', async () => {
    for (let i = 0; i < 30; i++) await put(`c${i}`, `m${i}`, `t${i}`)
    const s = new RecordingSender()
    await Promise.all([worker(s).drain(), worker(s).drain()])
    expect(s.sent).toHaveLength(30)
    expect(new Set(s.sent).size).toBe(30)
  })

  it('a restart recovers rows left mid-send', async () => {
    await put('s1', 'stuck')
    await db.getRepository(OutboxMessage).update({ dedupeKey: 's1' }, { status: 'sending', claimedAt: clock.now() })
    const s = new RecordingSender()
    const w = worker(s)
    expect(await w.recoverStaleClaims()).toBe(0)
    clock.advance(CLAIM_LEASE_MS + 1000)
    expect(await w.recoverStaleClaims()).toBe(1)
    await w.drain()
    expect(s.sent).toEqual(['stuck'])
  })

  it('a claim whose worker died is resumed by another worker once the lease expires, without a restart', async () => {
    await put('l1', 'claimed by a dead worker')
    await put('l2', 'still pending')
    await db.getRepository(OutboxMessage).update({ dedupeKey: 'l1' }, { status: 'sending', claimedAt: clock.now() })
    const s = new RecordingSender()
    const w = worker(s)
    await w.drain()
    expect(s.sent).toEqual(['still pending'])
    clock.advance(CLAIM_LEASE_MS - 1000)
    await w.drain()
    expect(s.sent).toEqual(['still pending'])
    clock.advance(2000)
    await w.drain()
    expect(s.sent).toEqual(['still pending', 'claimed by a dead worker'])
    expect(await db.getRepository(OutboxMessage).countBy({ status: 'sending' })).toBe(0)
  })

  it('the throttle holds across workers: per-chat gaps and the per-minute budget come from the outbox itself', async () => {
    for (let i = 0; i < 30; i++) await put(`b${i}`, `m${i}`, `chat${i % 10}`)
    const s = new RecordingSender()
    const throttle = { perChatIntervalMs: 3000, perMinute: 12 }
    const [a, b] = [worker(s, throttle), worker(s, throttle)]
    await Promise.all([a.drain(), b.drain()])
    // one per chat in this instant (10 chats), whichever worker sent it
    expect(s.sent).toHaveLength(10)
    clock.advance(1000)
    await Promise.all([a.drain(), b.drain()])
    expect(s.sent).toHaveLength(10)
    clock.advance(2000)
    await Promise.all([a.drain(), b.drain()])
    // the minute's budget of 12 is shared
    expect(s.sent).toHaveLength(12)
    clock.advance(60_000)
    await Promise.all([a.drain(), b.drain()])
    expect(s.sent).toHaveLength(22)
    expect(new Set(s.sent).size).toBe(s.sent.length)
  })
})
