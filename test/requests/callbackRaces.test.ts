import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { RequestEvent, RequestReporter, ServiceRequest, type Resident } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { runCallbacks } from '../../src/jobs/callbacks.js'
import { addCoReporter, answerCallback, rateRequest, recordFollowUp, resolveRequest } from '../../src/requests/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, staffNamed } from '../helpers/fixtures.js'

// The 回访 races that SQLite hides (it serialises everything) and MariaDB shows: the same resident
// answering twice at once, co-reporters answering together, an answer racing the callbacks job.
// The state machine's guarded moves and the request-row lock taken first must make each end in one
// consistent state, with no error and no answer lost.

describeEachDb('回访 races', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  let n = 0
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  const answer = (who: Resident, text: string) => inTransaction(db, (em) => answerCallback(em, clock, { residentId: who.id, text, channel: 'private' }))
  const events = (requestId: number, type: string) => db.getRepository(RequestEvent).findBy({ requestId, type })
  const row = (requestId: number, residentId: number) => db.getRepository(RequestReporter).findOneByOrFail({ requestId, residentId })

  /** A request with `people` reporters, resolved at 10:00 and asked at 12:00 on `day`. */
  async function asked(people: number, day: string) {
    clock.set(`${day}T10:00:00+08:00`)
    const who: Resident[] = []
    for (let i = 0; i < people; i++) who.push(await resident(db, communityId, `居民${kind}${++n}`))
    const r = await fileRequest(db, clock, communityId, { reporterId: who[0]!.id })
    for (const [i, p] of who.slice(1).entries()) {
      await inTransaction(db, (em) => addCoReporter(em, clock, { requestId: r.id, residentId: p.id, source: 'group', text: '我家也是', channel: 'group', causeKey: `race:${n}:${i}` }))
    }
    await inTransaction(db, async (em) => resolveRequest(em, clock, { requestId: r.id, staff: await staffNamed(db, '王芳'), channel: 'private', note: '已处理' }))
    clock.set(`${day}T12:00:00+08:00`)
    await runCallbacks({ db, clock })
    return { r, who }
  }

  it('one resident answering twice at once: exactly one answer counts, the other is told kindly', async () => {
    for (const [i, [a, b]] of [['1', '3'], ['还没修好', '1'], ['2', '2']].entries()) {
      const { r, who } = await asked(1, `2026-11-${23 + i}`)
      const results = await Promise.all([answer(who[0]!, a!), answer(who[0]!, b!)])
      const counted = results.filter((x) => x && x.outcome !== 'already_answered')
      const repeats = results.filter((x) => x?.outcome === 'already_answered')
      expect([counted.length, repeats.length]).toEqual([1, 1])
      expect(await events(r.id, 'callback_answered')).toHaveLength(1)
      const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })
      expect(request.status).toBe(counted[0]!.outcome === 'reopened' ? 'reopened' : 'closed')
      expect(request.reopenCount).toBe(counted[0]!.outcome === 'reopened' ? 1 : 0)
      const told = await db.query(`SELECT text FROM outbox WHERE request_id = ? AND dedupe_key LIKE 'callback:again:%'`, [r.id])
      // Reopened by the answer that counted: the problem is being handled again, not "又出现".
      const kindly = request.status === 'reopened'
        ? `您对工单 ${r.no} 的评价已经记录过了，工单正在重新办理，办好后会再请您评价。还有情况请直接告诉我。`
        : `您对工单 ${r.no} 的评价已经记录过了，谢谢！如问题又出现，请直接告诉我们。`
      expect(told.map((t: { text: string }) => t.text)).toEqual([kindly])
    }
  })

  it('eight co-reporters answering together, one "还没修好": no error, every answer kept, the request reopened once', async () => {
    const { r, who } = await asked(8, '2026-11-27')
    const texts = who.map((_, i) => (i === 5 ? '还没修好' : i % 2 ? '2' : '1'))
    // As the bot does: an answer with nothing awaited any more (the 重办 came first) is recorded as a follow-up.
    const answerOrFollowUp = async (p: Resident, text: string) =>
      (await answer(p, text)) ?? inTransaction(db, (em) => recordFollowUp(em, clock, { residentId: p.id, text, channel: 'private' }))
    const results = await Promise.all(who.map((p, i) => answerOrFollowUp(p, texts[i]!)))
    expect(results.every((x) => x !== null)).toBe(true)
    const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })
    expect([request.status, request.reopenCount]).toEqual(['reopened', 1])
    // Those whose answer came after the 重办 are kept as comments (follow-ups) on the reopened request.
    const answered = (await events(r.id, 'callback_answered')).map((e) => e.actorId)
    const comments = (await events(r.id, 'comment')).map((e) => e.actorId)
    expect([...answered, ...comments].sort()).toEqual(who.map((p) => p.id).sort())
    expect(results.filter((x) => x && 'outcome' in x && x.outcome === 'reopened')).toHaveLength(1)
  })

  it('an answer racing the close-as-no_answer job: no error and the answer is never lost', async () => {
    for (const [i, text] of ['1', '还是坏的', '2', '3'].entries()) {
      const { r, who } = await asked(2, `2026-12-0${1 + i}`)
      // Remind (next day 12:00), then both race at the close time (a day later).
      clock.set(`2026-12-0${2 + i}T12:00:00+08:00`)
      await runCallbacks({ db, clock })
      expect((await row(r.id, who[0]!.id)).callbackStatus).toBe('reminded')
      clock.set(`2026-12-0${3 + i}T12:00:00+08:00`)
      const [job, result] = await Promise.all([runCallbacks({ db, clock }), answer(who[0]!, text)])
      expect(job).toBeTruthy()
      expect(result).not.toBeNull()
      expect((await row(r.id, who[0]!.id)).callbackStatus).toBe('answered')
      expect(await events(r.id, 'callback_answered')).toHaveLength(1)
      const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })
      if (text === '1' || text === '2') expect([request.status, request.rating]).toEqual(['closed', text === '1' ? 'satisfied' : 'basically_satisfied'])
      else expect(request.status).toBe('reopened')
    }
  })

  it('a rating through the API path racing the job never fails with anything but a domain answer', async () => {
    const { r, who } = await asked(1, '2026-12-10')
    clock.set('2026-12-11T12:00:00+08:00')
    await runCallbacks({ db, clock })
    clock.set('2026-12-12T12:00:00+08:00')
    const [, rated] = await Promise.allSettled([
      runCallbacks({ db, clock }),
      inTransaction(db, (em) => rateRequest(em, clock, { requestId: r.id, residentId: who[0]!.id, rating: 'unsatisfied', solved: false, words: '还是漏', channel: 'miniprogram' })),
    ])
    // Either order is consistent: answered first → reopened; job first → a late answer from no_answer reopens it too.
    expect(rated.status).toBe('fulfilled')
    const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })
    expect([request.status, request.reopenCount]).toEqual(['reopened', 1])
  })
})
