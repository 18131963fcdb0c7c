import { afterAll, beforeAll, expect, it } from 'vitest'
import { Resident, Staff } from '../../src/db/entities/index.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { fileRequest } from '../helpers/fixtures.js'
import { recordMysqlStatements } from '../helpers/mysqlStatements.js'

// A write reads its caller in the rate limiter's statement (rateLimit → requireAuth): one round trip fewer, with
// the rows still read fresh on every call.
describeEachDb('writes: the caller read with the rate limit', (kind) => {
  let t: TestApi
  let li: SignedIn
  let wang: SignedIn
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    wang = await t.signIn('王芳', { phone: '13800000001' })
  })
  afterAll(() => t.close())

  it('reads the caller in the statement that counts the hits, and no other', async () => {
    if (kind !== 'mysql') return
    const seen = recordMysqlStatements(t.db)
    const res = await t.call('POST', '/api/requests', { token: li.token, json: { text: '3号楼楼道灯坏了，晚上很黑' } })
    expect(res.status).toBe(201)
    const callerReads = seen.sql.filter((sql) => /LEFT JOIN `residents` r ON r\.id = \?/.test(sql))
    expect(callerReads).toHaveLength(1)
    expect(callerReads[0]).toContain('rate_limit_hits')
  })

  it('a deactivated staff member writes as a resident at once; a caller who no longer exists gets 401', async () => {
    const r = await fileRequest(t.db, t.clock, t.communityId, { text: '3号楼电梯停了' })
    await t.db.getRepository(Staff).update({ wechat: '王芳' }, { active: false })
    try {
      const denied = await t.call('POST', `/api/tasks/${r.id}/accept`, { token: wang.token })
      expect(denied.status).toBe(403)
      expect(denied.json.error.code).toBe('staff_only')
    } finally {
      await t.db.getRepository(Staff).update({ wechat: '王芳' }, { active: true })
    }
    expect((await t.call('POST', `/api/tasks/${r.id}/accept`, { token: wang.token })).status).toBe(200)
    const gone = await t.signIn('搬走的')
    await t.db.getRepository(Resident).delete({ id: gone.user.id })
    const res = await t.call('POST', '/api/requests', { token: gone.token, json: { text: '5号楼楼道灯坏了' } })
    expect(res.status).toBe(401)
    expect(res.json.error.code).toBe('invalid_token')
  })
})
