import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Resident, Staff } from '../../src/db/entities/index.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { fileRequest } from '../helpers/fixtures.js'
import { recordMysqlStatements } from '../helpers/mysqlStatements.js'

// GET /api/requests reads the caller with its page, in one statement (requireTokenFirst + admitCaller): the
// token is checked first, and a caller who no longer exists is still refused with 401, before any 400.
describeEachDb('GET /api/requests: the caller read with the page', (kind) => {
  let t: TestApi
  let li: SignedIn
  let zhao: SignedIn
  const logLines: any[] = []
  const requestLines = () => logLines.filter((l) => l.msg === 'request' && l.path === '/api/requests')
  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(l)); done() } })
    t = await startTestApi(kind, { logger: pino({ level: 'info' }, sink) })
    li = await t.signIn('李阿姨')
    zhao = await t.signIn('赵书记', { phone: '13900000000' })
    for (const who of [li, zhao]) await fileRequest(t.db, t.clock, t.communityId, { reporterId: who.user.id, text: '3号楼楼道灯坏了' })
  })
  afterAll(() => t.close())

  it('a page costs one statement, caller check included', async () => {
    expect((await t.call('GET', '/api/requests', { token: li.token })).status).toBe(200) // the community cache is warm
    if (kind !== 'mysql') return
    const seen = recordMysqlStatements(t.db)
    const res = await t.call('GET', '/api/requests', { token: li.token })
    expect(res.status).toBe(200)
    expect(res.json.items).toHaveLength(1)
    expect(seen.sql).toHaveLength(1)
  })

  it('answers as the caller it read: the staff claim holds only while the staff row is active', async () => {
    logLines.length = 0
    expect((await t.call('GET', '/api/requests', { token: zhao.token })).status).toBe(200)
    const secretary = await t.db.getRepository(Staff).findOneByOrFail({ communityId: t.communityId, role: 'secretary' })
    expect(requestLines().at(-1)).toMatchObject({ residentId: zhao.user.id, staffId: secretary.id, status: 200 })
    await t.db.getRepository(Staff).update({ id: secretary.id }, { active: false })
    try {
      expect((await t.call('GET', '/api/requests', { token: zhao.token })).status).toBe(200)
      expect(requestLines().at(-1)).toMatchObject({ residentId: zhao.user.id, status: 200 })
      expect(requestLines().at(-1).staffId).toBeUndefined()
    } finally {
      await t.db.getRepository(Staff).update({ id: secretary.id }, { active: true })
    }
  })

  it('no token, a bad token, and a caller who no longer exists are 401, before any 400', async () => {
    expect((await t.call('GET', '/api/requests?page=abc')).status).toBe(401)
    expect((await t.call('GET', '/api/requests?page=abc', { token: 'not-a-jwt' })).status).toBe(401)
    expect((await t.call('GET', '/api/requests?page=abc', { token: li.token })).status).toBe(400)
    // an empty page: the caller is read on its own
    const nobody = await t.signIn('新来的')
    expect((await t.call('GET', '/api/requests', { token: nobody.token })).json).toMatchObject({ items: [], total: 0 })
    // a page that would not be empty: the statement finds no caller row, so the caller is read on its own
    await fileRequest(t.db, t.clock, t.communityId, { reporterId: nobody.user.id, text: '5号楼电梯停了' })
    expect((await t.call('GET', '/api/requests', { token: nobody.token })).json.total).toBe(1)
    await t.db.query('DELETE FROM request_reporters WHERE resident_id = ?', [nobody.user.id])
    await t.db.getRepository(Resident).delete({ id: nobody.user.id })
    for (const path of ['/api/requests', '/api/requests?page=abc', '/api/requests?page=9']) {
      const res = await t.call('GET', path, { token: nobody.token })
      expect(res.status).toBe(401)
      expect(res.json.error.code).toBe('invalid_token')
    }
  })
})
