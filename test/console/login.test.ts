import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runStaffCommand } from '../../bot/commands.js'
import { isStaffCommand, parseStaffCommand } from '../../bot/matchers.js'
import { LOGIN_LINK_TTL_MS } from '../../src/console/login.js'
import { ConsoleLoginLink, ConsoleSession, OutboxMessage } from '../../src/db/entities/index.js'
import { createRequest } from '../../src/requests/create.js'
import { inTransaction } from '../../src/db/transaction.js'
import { startTestApi, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { staffNamed } from '../helpers/fixtures.js'

/** What `后台` in a private chat answers, as the bot would send it. */
async function askForLink(t: TestApi, wechat: string): Promise<{ reply: string; path: string }> {
  const staff = await staffNamed(t.db, wechat)
  const command = parseStaffCommand('后台')
  if (command?.kind !== 'console') throw new Error('后台 is not the console command')
  const { reply } = await inTransaction(t.db, (em) => runStaffCommand(em, t.clock, staff, command, { publicUrl: 'https://jiesu.example.org' }))
  const url = /https:\/\/jiesu\.example\.org(\/console\/login\/[\w-]+)/.exec(reply)
  if (!url) throw new Error(`no link in: ${reply}`)
  return { reply, path: url[1]! }
}

const open = (t: TestApi, path: string, cookie?: string) => fetch(t.baseUrl + path, { redirect: 'manual', headers: cookie ? { cookie } : {} })
/** What the confirmation page's form does: POSTs the link back to spend it. */
const spend = (t: TestApi, path: string, cookie?: string, from: Record<string, string> = {}) =>
  fetch(t.baseUrl + path, { method: 'POST', redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...from } })
const sessionCookie = (res: Response) => {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('jiesu_console='))
  return set ? { header: set, value: set.split(';')[0]! } : null
}

describe('the 后台 command', () => {
  it('is a staff command in private chat, 登录 too, and nothing else is', () => {
    expect(parseStaffCommand('后台')).toEqual({ kind: 'console' })
    expect(parseStaffCommand('登录')).toEqual({ kind: 'console' })
    expect(isStaffCommand('后台')).toBe(true)
    expect(parseStaffCommand('后台怎么进')).toBeNull()
  })
})

describeEachDb('console login by link', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind, { env: { PUBLIC_URL: 'https://jiesu.example.org/' } }) })
  afterAll(() => t.close())

  it('sends a link valid 10 minutes that opens one session, stored hashed, in an httpOnly SameSite cookie', async () => {
    const { reply, path } = await askForLink(t, '赵书记')
    expect(reply).toContain('10分钟内有效')
    const token = path.split('/').pop()!
    const stored = await t.db.getRepository(ConsoleLoginLink).find()
    expect(stored.some((l) => l.tokenHash === token)).toBe(false)
    expect(stored.at(-1)!.expiresAt.getTime() - t.clock.now().getTime()).toBe(LOGIN_LINK_TTL_MS)

    // Opening the link (as a chat app's link preview does) only shows whose it is; it stays unspent.
    for (let i = 0; i < 2; i++) {
      const preview = await open(t, path)
      expect(preview.status).toBe(200)
      const body = await preview.text()
      expect(body).toContain('以 <b>赵书记</b> 的身份登录')
      expect(body).toContain(`action="${path}"`)
      expect(sessionCookie(preview)).toBeNull()
    }
    const res = await spend(t, path)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/console/')
    const cookie = sessionCookie(res)!
    expect(cookie.header).toMatch(/httponly/i)
    expect(cookie.header).toMatch(/samesite=lax/i)
    expect(cookie.header).toMatch(/max-age=\d+|expires=/i)
    const sessions = await t.db.getRepository(ConsoleSession).find()
    expect(sessions.some((s) => cookie.value.endsWith(s.tokenHash))).toBe(false)

    const dashboard = await open(t, '/console/', cookie.value)
    expect(dashboard.status).toBe(200)
    expect(await dashboard.text()).toContain('响应率')
    // The same session reads the API the dashboard is drawn from.
    expect((await open(t, '/api/dashboard', cookie.value)).status).toBe(200)

    // Used once: opening it again is refused.
    expect((await open(t, path)).status).toBe(401)
    const again = await spend(t, path)
    expect(again.status).toBe(401)
    expect(await again.text()).toContain('登录链接无效或已过期')
    expect(sessionCookie(again)).toBeNull()
  })

  it('refuses a link after 10 minutes, and an unknown one', async () => {
    const { path } = await askForLink(t, '王芳')
    t.clock.advance(LOGIN_LINK_TTL_MS + 1000)
    expect((await open(t, path)).status).toBe(401)
    expect((await open(t, '/console/login/not-a-token')).status).toBe(401)
    expect((await open(t, `/console/login/${'A'.repeat(43)}`)).status).toBe(401)
  })

  it('refuses the login form posted from another site, and the link stays usable', async () => {
    const { path } = await askForLink(t, '赵书记')
    for (const from of [{ origin: 'https://evil.example' }, { origin: 'null', 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
      const forged = await spend(t, path, undefined, from)
      expect(forged.status).toBe(403)
      expect(sessionCookie(forged)).toBeNull()
    }
    // The page's own form (no referrer: Origin null, same-origin fetch) and the public address are ours.
    const own = await spend(t, path, undefined, { origin: 'null', 'sec-fetch-site': 'same-origin' })
    expect(own.status).toBe(303)
    expect(sessionCookie(own)).not.toBeNull()
  })

  it('sends visitors without a session to the login page, and back where they were going afterwards', async () => {
    const first = await open(t, '/console/requests/1')
    expect(first.status).toBe(302)
    expect(first.headers.get('location')).toBe('/console/login')
    const next = first.headers.getSetCookie().find((c) => c.startsWith('jiesu_console_next='))!.split(';')[0]!
    const login = await open(t, '/console/login')
    expect(await login.text()).toContain('发送「<b>后台</b>」')
    const { path } = await askForLink(t, '赵书记')
    const res = await spend(t, path, next)
    expect(res.headers.get('location')).toBe('/console/requests/1')
  })

  it('refuses writes made with the cookie but without the console header, and ends the session on logout', async () => {
    const { path } = await askForLink(t, '赵书记')
    const cookie = sessionCookie(await spend(t, path))!.value
    const forged = await fetch(`${t.baseUrl}/api/triage/1`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })
    expect(forged.status).toBe(403)
    expect((await forged.json()).error.code).toBe('console_header_missing')
    const out = await fetch(`${t.baseUrl}/console/logout`, { method: 'POST', headers: { cookie, 'x-jiesu-console': '1' } })
    expect(out.status).toBe(204)
    expect((await open(t, '/console/', cookie)).status).toBe(302)
    expect((await open(t, '/api/dashboard', cookie)).status).toBe(401)
  })

  it('has a development login that names the staff member', async () => {
    const res = await open(t, `/console/dev-login?as=${encodeURIComponent('刘强')}`)
    expect(res.status).toBe(302)
    const cookie = sessionCookie(res)!.value
    const tasks = await open(t, '/console/tasks', cookie)
    expect(await tasks.text()).toContain('刘强')
    // A grid leader is not the 书记: the dashboard sends them to their tasks, the 书记's pages are refused.
    expect((await open(t, '/console/', cookie)).headers.get('location')).toBe('/console/tasks')
    expect((await open(t, '/console/community', cookie)).status).toBe(403)
    expect((await open(t, '/api/dashboard', cookie)).status).toBe(403)
  })
})

describeEachDb('console links in the bot\'s messages', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind) })
  afterAll(() => t.close())

  it('an urgent alert to the 书记 links to the request in the console', async () => {
    const r = await inTransaction(t.db, (em) => createRequest(em, t.clock, {
      communityId: t.communityId, source: 'group', text: '8号楼电梯困人了', category: 'safety', urgency: 'urgent', building: '8',
      reporterResidentId: null, classifierMethod: 'offline', confidence: 0.9, needsTriage: false, causeKey: 'test:urgent-link', acknowledgement: null,
      publicUrl: 'https://jiesu.example.org',
    }))
    const alerts = await t.db.getRepository(OutboxMessage).find({ where: { target: '赵书记' } })
    const alert = alerts.find((m) => m.text.startsWith('【紧急工单提醒】'))!
    expect(alert.text).toContain(`在工作台查看：https://jiesu.example.org/console/requests/${r.id}`)
  })
})

describe('console login in production', () => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi('sqlite', { env: { NODE_ENV: 'production' } }) })
  afterAll(() => t.close())

  it('has no development login', async () => {
    const res = await open(t, `/console/dev-login?as=${encodeURIComponent('赵书记')}`)
    expect(res.status).toBe(404)
    expect(sessionCookie(res)).toBeNull()
  })
})
