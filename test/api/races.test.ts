import { afterAll, beforeAll, expect, it } from 'vitest'
import { Resident, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { resolveRequest } from '../../src/requests/staffActions.js'
import { startTestApi, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

// Races that only a real MySQL/MariaDB shows (SQLite serialises everything); kept small so they stay fast.
describeEachDb('concurrency', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind, { env: { RATE_LIMIT_WRITES_PER_IP: '1000' } }) })
  afterAll(() => t.close())

  /** Access tokens for n new residents of the community, without n logins. */
  async function residents(n: number, tag: string): Promise<{ id: number; token: string }[]> {
    const ids = await inTransaction(t.db, async (em) => {
      const out: number[] = []
      for (let i = 0; i < n; i++) out.push((await em.save(Resident, em.create(Resident, { communityId: t.communityId, name: `${tag}${i}`, vulnerability: [] as never, subscribeAllowed: false }))).id)
      return out
    })
    return Promise.all(ids.map(async (id) => ({ id, token: (await t.app.deps.tokens.issue({ residentId: id, staffId: null })).token })))
  }
  const submit = (token: string, text: string, building: string) => t.call('POST', '/api/requests', { token, json: { text, building } })

  it('co-reporters rating one request at the same moment: no 5xx, every answer recorded or refused cleanly', async () => {
    const people = await residents(20, '评价人')
    const results = await Promise.all(people.map((p) => submit(p.token, '11号楼1单元电梯坏了，按了没反应', '11')))
    expect(results.map((r) => r.status).filter((s) => s >= 500)).toEqual([])
    const ids = new Set(results.map((r) => r.json.request.id))
    expect(ids.size).toBe(1)
    const requestId = [...ids][0] as number
    const request = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: requestId })
    const staff = await t.db.getRepository(Staff).findOneByOrFail({ id: request.assigneeStaffId! })
    await inTransaction(t.db, (em) => resolveRequest(em, t.clock, { requestId, staff, note: '已修好', channel: 'api' }))

    const ratings = await Promise.all(people.map((p, i) => t.call('POST', `/api/requests/${requestId}/rating`, {
      token: p.token, json: i % 4 === 0 ? { solved: false, rating: 'unsatisfied', words: '还是坏的' } : { solved: true, rating: 'satisfied' },
    })))
    const statuses = ratings.map((r) => r.status)
    expect(statuses.filter((s) => s >= 500)).toEqual([])
    for (const r of ratings) if (r.status >= 400) expect(r.json.error.code).toEqual(expect.any(String))
    // "not fixed" is never lost: someone said so, so the request is open again
    expect((await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: requestId })).status).not.toBe('closed')
  })
})
