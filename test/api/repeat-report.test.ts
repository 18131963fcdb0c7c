import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxMessage, RequestEvent, RequestReporter, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { resolveRequest } from '../../src/requests/staffActions.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

/** The statements (not BEGIN/COMMIT) and transactions sent to the database, through TypeORM's logger hook. */
function countStatements(db: DataSource) {
  const seen = { statements: [] as string[], transactions: 0 }
  const original = db.logger.logQuery.bind(db.logger)
  db.logger.logQuery = (query, parameters, queryRunner) => {
    if (/^(BEGIN|START TRANSACTION)/i.test(query)) seen.transactions++
    else if (!/^(COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(query)) seen.statements.push(query)
    return original(query, parameters, queryRunner)
  }
  return { reset: () => { seen.statements = []; seen.transactions = 0 }, seen }
}

// A resident posting again what they already reported (a second try, another tab) joins nothing new: the answer
// is the request they are a reporter of, without the merge-key lock (MySQL) and without a second reporter row.
describeEachDb('mini-program: a resident repeating their own report', (kind) => {
  let t: TestApi
  let li: SignedIn
  let counter: ReturnType<typeof countStatements>
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    counter = countStatements(t.db)
  })
  afterAll(() => t.close())

  const submit = (json: unknown, key: string) => t.call('POST', '/api/requests', { token: li.token, json, headers: { 'idempotency-key': key } })

  it('is answered with their open request (200 attached, its message), records the repeat, adds no reporter, takes no merge lock', async () => {
    const first = await submit({ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下' }, 'repeat-1')
    expect(first.status).toBe(201)
    const id = first.json.request.id
    counter.reset()
    const again = await submit({ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下' }, 'repeat-2')
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
    if (kind === 'mysql') expect(sql.some((q) => /LOCK IN SHARE MODE/.test(q)), sql.join('\n')).toBe(true)
    console.log(`[${kind}] a repeat of one's own report: ${sql.length} statements, ${transactions} transactions`)
    if (process.env.SHOW_SQL) console.log(sql.map((q) => q.slice(0, 110)).join('\n'))

    // The same key again is a replay of that answer, filing nothing.
    const replay = await submit({ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下' }, 'repeat-2')
    expect(replay.status).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.json).toMatchObject({ outcome: 'attached', request: { id } })
    expect(await t.db.getRepository(RequestEvent).countBy({ requestId: id, type: 'co_reported' })).toBe(1)
  })

  it('a request that closes between the lock-free read and the answer is not answered with: a new request is filed', async () => {
    const text = '5号楼1单元门禁坏了，刷卡打不开'
    const first = await submit({ text }, 'close-race-1')
    expect(first.status).toBe(201)
    const id = first.json.request.id
    // The first read that finds the request open is followed, before the answer is written, by its 办结.
    const assignee = await t.db.getRepository(Staff).findOneByOrFail({ id: (await t.db.getRepository(ServiceRequest).findOneByOrFail({ id })).assigneeStaffId! })
    const resolve = () => inTransaction(t.db, (tx) => resolveRequest(tx, t.clock, { requestId: id, staff: assignee, channel: 'private', note: '修好了' }))
    const em = t.db.manager
    const query = em.query.bind(em)
    let resolvedAfterRead = false
    em.query = (async (sql: string, params?: unknown[]) => {
      const rows = await query(sql, params)
      if (!resolvedAfterRead && /request_reporters/.test(sql) && /config_version/.test(sql)) {
        resolvedAfterRead = true
        await resolve()
      }
      return rows
    }) as typeof em.query
    try {
      if (kind === 'sqlite') {
        // SQLite runs intake in its one writer's transaction, no lock-free read: the race is the request closing first.
        await resolve()
        resolvedAfterRead = true
      }
      const again = await submit({ text }, 'close-race-2')
      expect(resolvedAfterRead).toBe(true)
      expect(again.status).toBe(201)
      expect(again.json.outcome).toBe('created')
      expect(again.json.request.id).not.toBe(id)
    } finally {
      em.query = query
    }
    expect(await t.db.getRepository(ServiceRequest).findOneByOrFail({ id })).toMatchObject({ status: 'resolved' })
    expect(await t.db.getRepository(RequestEvent).countBy({ requestId: id, type: 'co_reported' })).toBe(0)
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
