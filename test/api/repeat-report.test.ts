import { afterAll, beforeAll, expect, it } from 'vitest'
import { recordMysqlStatements } from '../helpers/mysqlStatements.js'
import { countStatements } from '../helpers/statements.js'
import { InboxMessage, RequestEvent, RequestReporter, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { coReportedEvent } from '../../src/requests/admin.js'
import { OPEN_STATUSES } from '../../src/requests/stateMachine.js'
import { resolveRequest, transferRequest } from '../../src/requests/staffActions.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

// A resident posting again what they already reported (a second try, another tab) joins nothing new: the answer
// is the request they are a reporter of, without the merge-key lock (MySQL) and without a second reporter row.
describeEachDb('mini-program: a resident repeating their own report', (kind) => {
  let t: TestApi
  let li: SignedIn
  let counter: ReturnType<typeof countStatements>
  let sent: { sql: string[] } | null
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    counter = countStatements(t.db)
    sent = kind === 'mysql' ? recordMysqlStatements(t.db) : null
  })
  afterAll(() => t.close())

  const submit = (json: unknown, key: string) => t.call('POST', '/api/requests', { token: li.token, json, headers: { 'idempotency-key': key } })

  it('is answered with their open request (200 attached, its message), records the repeat, adds no reporter, takes no merge lock', async () => {
    const first = await submit({ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下' }, 'repeat-1')
    expect(first.status).toBe(201)
    const id = first.json.request.id
    counter.reset()
    const sentBefore = sent?.sql.length ?? 0
    const again = await submit({ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下' }, 'repeat-2')
    const sentNow = sent?.sql.slice(sentBefore) ?? []
    const sql = [...counter.seen.statements], transactions = counter.seen.transactions
    expect(again.status).toBe(200)
    expect(again.json.outcome).toBe('attached')
    expect(again.json.request.id).toBe(id)
    expect(again.json.message).toBe(`这个问题已有人反映，已并入工单 ${first.json.request.no}，处理进展会同步通知您。`)
    expect(await t.db.getRepository(RequestReporter).findBy({ requestId: id })).toMatchObject([{ residentId: li.user.id, role: 'reporter' }])
    const repeat = await t.db.getRepository(RequestEvent).findBy({ requestId: id, type: 'co_reported' })
    expect(repeat.map((e) => e.data)).toEqual([{ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下', repeat: true }])
    const inbox = await t.db.getRepository(InboxMessage).findOneByOrFail({ messageId: `mp:${li.user.id}:repeat-2` })
    expect(inbox).toMatchObject({ status: 'processed', requestId: id })
    expect(sql.some((q) => /intake_locks/.test(q)), sql.join('\n')).toBe(false)
    // The answer is presented from the community snapshot intake confirmed: no settings or staff SELECT after it.
    expect(sql.some((q) => /AS [`"](Community_id|Staff_name)[`"]/.test(q)), sql.join('\n')).toBe(false)
    expect(first.json.request.assignee?.name).toBeTruthy()
    expect(again.json.request.assignee).toEqual(first.json.request.assignee)
    if (kind === 'mysql') {
      // the rate limiter's hit and count (with the caller), the inbox row, the lock-free read, then in one
      // transaction the co_reported event inserted under its guard (a shared lock on the request and the reporter
      // row) and the inbox row marked processed
      expect(sql, sql.join('\n')).toHaveLength(6)
      expect(transactions).toBe(1)
      expect(sql[4]).toMatch(/^INSERT INTO `request_events` .* SELECT .* FROM DUAL WHERE EXISTS \(SELECT 1 FROM requests r JOIN request_reporters rr .* LOCK IN SHARE MODE\)$/)
      // every statement the driver sent was counted (the raw ones of src/db/rawRows.ts too)
      expect(sentNow, sentNow.join('\n')).toEqual([...sql.slice(0, 4), 'START TRANSACTION', ...sql.slice(4), 'COMMIT'])
    }
    console.log(`[${kind}] a repeat of one's own report: ${sql.length} statements, ${transactions} transactions`)
    if (process.env.SHOW_SQL) console.log(sql.map((q) => q.slice(0, 110)).join('\n'))

    // The same key again is a replay of that answer, filing nothing.
    const replay = await submit({ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下' }, 'repeat-2')
    expect(replay.status).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.json).toMatchObject({ outcome: 'attached', request: { id } })
    expect(await t.db.getRepository(RequestEvent).countBy({ requestId: id, type: 'co_reported' })).toBe(1)
  })

  /**
   * Submits `text` with `change` made between the repeat's lock-free read and its guarded insert (MySQL); on SQLite,
   * whose intake runs in its one writer's transaction with no lock-free read, just before. The answer and the
   * statements counted (the change's among them).
   */
  async function submitChangedAfterRead(text: string, key: string, change: () => Promise<unknown>) {
    const em = t.db.manager
    const query = em.query.bind(em)
    let changed = false
    em.query = (async (sql: string, params?: unknown[]) => {
      const rows = await query(sql, params)
      if (!changed && /request_reporters/.test(sql) && /config_version/.test(sql)) {
        changed = true
        await change()
      }
      return rows
    }) as typeof em.query
    try {
      if (kind === 'sqlite') {
        await change()
        changed = true
      }
      counter.reset()
      const answer = await submit({ text }, key)
      expect(changed).toBe(true)
      return { answer, sql: [...counter.seen.statements] }
    } finally {
      em.query = query
    }
  }
  /** MySQL: the guarded co_reported INSERT was sent and wrote nothing, so the locked path (merge lock) ran after it. */
  const expectFellBackAfterGuard = (sql: string[]) => {
    if (kind !== 'mysql') return
    const guarded = sql.findIndex((q) => /^INSERT INTO `request_events` .* WHERE EXISTS/.test(q))
    expect(guarded, sql.join('\n')).toBeGreaterThanOrEqual(0)
    expect(sql.findIndex((q) => /intake_locks/.test(q)), sql.join('\n')).toBeGreaterThan(guarded)
  }
  const staffOf = async (requestId: number) =>
    t.db.getRepository(Staff).findOneByOrFail({ id: (await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: requestId })).assigneeStaffId! })
  const resolving = (requestId: number, staff: Staff) => () =>
    inTransaction(t.db, (tx) => resolveRequest(tx, t.clock, { requestId, staff, channel: 'private', note: '修好了' }))

  it('a request that closes between the lock-free read and the answer is not answered with: a new request is filed', async () => {
    const text = '5号楼1单元门禁坏了，刷卡打不开'
    const first = await submit({ text }, 'close-race-1')
    expect(first.status).toBe(201)
    const id = first.json.request.id
    // The first read that finds the request open is followed, before the answer is written, by its 办结.
    const { answer: again, sql } = await submitChangedAfterRead(text, 'close-race-2', resolving(id, await staffOf(id)))
    expect(again.status).toBe(201)
    expect(again.json.outcome).toBe('created')
    expect(again.json.request.id).not.toBe(id)
    expectFellBackAfterGuard(sql)
    expect(await t.db.getRepository(ServiceRequest).findOneByOrFail({ id })).toMatchObject({ status: 'resolved' })
    expect(await t.db.getRepository(RequestEvent).countBy({ requestId: id, type: 'co_reported' })).toBe(0)
  })

  it('a request reassigned between the lock-free read and the answer: the locked path answers, with the new assignee', async () => {
    const text = '9号楼2单元水管漏水，楼道都湿了'
    const first = await submit({ text }, 'reassign-race-1')
    expect(first.status).toBe(201)
    const id = first.json.request.id
    const secretary = await t.db.getRepository(Staff).findOneByOrFail({ communityId: t.communityId, role: 'secretary' })
    const to = (await t.db.getRepository(Staff).findBy({ communityId: t.communityId, active: true })).find((s) => s.name !== first.json.request.assignee?.name && s.role !== 'secretary')!
    const reassign = () => inTransaction(t.db, (tx) => transferRequest(tx, t.clock, { requestId: id, staff: secretary, channel: 'private', to: to.name }))
    const { answer: again, sql } = await submitChangedAfterRead(text, 'reassign-race-2', reassign)
    expect(again.status).toBe(200)
    expect(again.json).toMatchObject({ outcome: 'attached', request: { id, assignee: { name: to.name } } })
    expectFellBackAfterGuard(sql)
    // recorded once, by the locked path: the guarded insert wrote nothing
    expect((await t.db.getRepository(RequestEvent).findBy({ requestId: id, type: 'co_reported' })).map((e) => e.data)).toEqual([{ text, repeat: true }])
    expect(await t.db.getRepository(RequestReporter).findBy({ requestId: id })).toMatchObject([{ residentId: li.user.id, role: 'reporter' }])
  })

  it('the guarded co-report writes only while the request is open and as read, on both databases', async () => {
    const first = await submit({ text: '11号楼路灯不亮了，晚上看不见路' }, 'guard-1')
    expect(first.status).toBe(201)
    const id = first.json.request.id
    const read = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id })
    const coReport = (asRead: ServiceRequest, role: 'reporter' | 'co_reporter' = 'reporter') => inTransaction(t.db, (em) => coReportedEvent(em, t.clock, {
      requestId: id, residentId: li.user.id, source: 'miniprogram', text: '还没修', channel: 'miniprogram', existing: { role }, asRead,
    }))
    const events = () => t.db.getRepository(RequestEvent).findBy({ requestId: id, type: 'co_reported' })
    // what the caller read no longer holds: reassigned, moved, re-categorised, another step of its handling, or they are not the reporter
    expect(await coReport({ ...read, assigneeStaffId: read.assigneeStaffId! + 1000 })).toBeNull()
    expect(await coReport({ ...read, building: '12号楼' })).toBeNull()
    expect(await coReport({ ...read, status: OPEN_STATUSES.find((s) => s !== read.status)! })).toBeNull()
    expect(await coReport({ ...read, category: read.category === 'other' ? 'repair' : 'other' })).toBeNull()
    expect(await coReport(read, 'co_reporter')).toBeNull()
    expect(await events()).toEqual([])
    const recorded = await coReport(read)
    expect(recorded).toMatchObject({ id: expect.any(Number), requestId: id, type: 'co_reported', data: { text: '还没修', repeat: true } })
    expect((await events()).map((e) => e.id)).toEqual([recorded!.id])
    await resolving(id, await staffOf(id))()
    expect(await coReport({ ...read })).toBeNull() // closed
    expect(await events()).toHaveLength(1)
  })

  it('a neighbour\'s report of the same problem still joins it as a co-reporter under the lock', async () => {
    const text = '7号楼电梯坏了，困了好久'
    const first = await submit({ text }, 'neighbour-1')
    expect(first.status).toBe(201)
    const zhang = await t.signIn('张大爷')
    counter.reset()
    const theirs = await t.call('POST', '/api/requests', { token: zhang.token, json: { text: '7号楼电梯又坏了' } })
    const sql = [...counter.seen.statements]
    if (process.env.SHOW_SQL) console.log(`[${kind}] a neighbour's attach: ${sql.length} statements\n${sql.map((q) => q.slice(0, 110)).join('\n')}`)
    expect(theirs.status).toBe(200)
    expect(theirs.json.request.id).toBe(first.json.request.id)
    expect(await t.db.getRepository(RequestReporter).countBy({ requestId: first.json.request.id, residentId: zhang.user.id, role: 'co_reporter' })).toBe(1)
    if (kind === 'mysql') expect(sql.some((q) => /intake_locks/.test(q)), sql.join('\n')).toBe(true)
  })
})
