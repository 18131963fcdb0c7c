import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEachDb } from '../helpers/db.js'
import { startTestApi, type TestApi } from '../helpers/api.js'

// The login QR makes whoever scans it the bot: the 书记 sees it, /healthz and everyone else do not.
describeEachDb('bot status', (kind) => {
  let t: TestApi
  const status = { state: 'waiting_for_scan', qrcodeUrl: 'https://example.invalid/qrcode/abc' }
  beforeAll(async () => {
    t = await startTestApi(kind, { options: { health: () => ({ bot: { state: status.state } }), botStatus: () => status } })
  })
  afterAll(() => t.close())

  it('shows the QR link to the 书记 only', async () => {
    const zhao = await t.signIn('赵书记', { phone: '13900000000' })
    const wang = await t.signIn('王芳', { phone: '13800000001' })
    const li = await t.signIn('李阿姨')
    const ok = await t.call('GET', '/api/admin/bot', { token: zhao.token })
    expect(ok.status).toBe(200)
    expect(ok.json.bot).toEqual(status)
    expect((await t.call('GET', '/api/admin/bot', { token: wang.token })).status).toBe(403)
    expect((await t.call('GET', '/api/admin/bot', { token: li.token })).status).toBe(403)
    expect((await t.call('GET', '/api/admin/bot')).status).toBe(401)
    const health = await t.call('GET', '/healthz')
    expect(health.json.bot).toEqual({ state: 'waiting_for_scan' })
    expect(health.text).not.toContain('qrcode')
  })
})
