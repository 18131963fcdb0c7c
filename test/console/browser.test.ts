import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runStaffCommand } from '../../bot/commands.js'
import { LOGIN_LINK_TTL_MS } from '../../src/console/login.js'
import { Attachment, Community, PointsAccount, ServiceRequest, Staff, Volunteer } from '../../src/db/entities/index.js'
import { appendEntry } from '../../src/volunteers/ledger.js'
import { BIND_CODE_TTL_HOURS, redeemBindCode } from '../../src/people/staffIdentity.js'
import { formatLocal } from '../../src/time.js'
import { inTransaction } from '../../src/db/transaction.js'
import { digestFor } from '../../src/jobs/digest.js'
import { acceptRequest, resolveRequest } from '../../src/requests/staffActions.js'
import { solidPng, startTestApi, type TestApi } from '../helpers/api.js'
import { browserAvailable, browserRequired, launchChromium, NO_BROWSER_MESSAGE, screenshotFile } from '../helpers/browser.js'
import { databaseKinds } from '../helpers/db.js'
import { fileRequest, resident, staffNamed } from '../helpers/fixtures.js'

/** Waits for the page or the database to catch up: the CI machine is shared, so allow for slowness. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 })
const SHOTS = join(process.cwd(), 'test-results', 'console')
const PHONE = { width: 375, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
// One database per run: the SQLite pass uses SQLite, the MariaDB pass (TEST_DATABASE_URL) MariaDB.
const kind = databaseKinds().at(-1)!

if (!browserAvailable) {
  if (browserRequired) describe('console in a real browser', () => { it('needs Chromium (REQUIRE_BROWSER=1)', () => { throw new Error(NO_BROWSER_MESSAGE) }) })
  else describe.skip(`console in a real browser — ${NO_BROWSER_MESSAGE}`, () => { it('skipped', () => undefined) })
} else {
  describe(`console in a real browser [${kind}]`, () => {
    let t: TestApi
    let browser: Browser
    let ids: Record<'lamp' | 'other' | 'lift' | 'triage' | 'done', number>
    const contexts: BrowserContext[] = []
    const scriptErrors: string[] = []

    const linkFor = async (wechat: string) => {
      const staff = await staffNamed(t.db, wechat)
      const { reply } = await inTransaction(t.db, (em) => runStaffCommand(em, t.clock, staff, { kind: 'console' }, { publicUrl: t.baseUrl }))
      return /(http:\/\/\S+\/console\/login\/[\w-]+)/.exec(reply)![1]!
    }
    const newPage = async (viewport = PHONE): Promise<Page> => {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', deviceScaleFactor: 1 })
      contexts.push(context)
      const page = await context.newPage()
      page.on('pageerror', (e) => scriptErrors.push(e.message))
      return page
    }
    const signedIn = async (wechat: string, viewport = PHONE) => {
      const page = await newPage(viewport)
      await page.goto(await linkFor(wechat))
      // The link opens a confirmation whose form the page submits itself; signed in once it has gone on.
      await page.waitForURL((url) => !url.pathname.startsWith('/console/login/'))
      return page
    }
    /** Clicks an action button and waits for the page to reload with the result (the console reloads after a success). */
    const act = async (page: Page, button: string) => {
      const reloaded = page.waitForEvent('load')
      await page.locator(button).click()
      await reloaded
    }
    const shoot = async (page: Page, name: string) => {
      for (const [label, size] of [['375', PHONE], ['1280', DESKTOP]] as const) {
        await page.setViewportSize(size)
        await page.evaluate(() => window.scrollTo(0, 0)) // the sticky header belongs at the top of a full-page shot
        await screenshotFile(page, join(SHOTS, `${name}-${label}.png`))
      }
      await page.setViewportSize(PHONE)
    }

    // A script error (the console's own JavaScript) fails the test that met it.
    afterEach(() => { expect(scriptErrors.splice(0)).toEqual([]) })

    beforeAll(async () => {
      await mkdir(SHOTS, { recursive: true })
      t = await startTestApi(kind)
      browser = await launchChromium()
      const li = await resident(t.db, t.communityId, '李阿姨', { phoneMasked: null })
      const lamp = await fileRequest(t.db, t.clock, t.communityId, { text: '3号楼2单元楼道灯坏了，晚上很黑，电话13812345678', building: '3', reporterId: li.id })
      const other = await fileRequest(t.db, t.clock, t.communityId, { text: '5号楼门口垃圾桶满了没人清', category: 'environment', building: '5' })
      const lift = await fileRequest(t.db, t.clock, t.communityId, { text: '8号楼电梯困人了', category: 'safety', urgency: 'urgent', building: '8' })
      const triage = await fileRequest(t.db, t.clock, t.communityId, { text: '2号楼那边有点问题你们看看', category: 'other', urgency: 'low', building: '2' })
      await t.db.getRepository(ServiceRequest).update({ id: triage.id }, { needsTriage: true, confidence: 0.3 })
      const done = await fileRequest(t.db, t.clock, t.communityId, { text: '1号楼单元门禁坏了', building: '1' })
      const wang = await staffNamed(t.db, '王芳')
      t.clock.advance(20 * 60_000)
      await inTransaction(t.db, async (em) => {
        await acceptRequest(em, t.clock, { requestId: done.id, staff: wang, channel: 'private' })
        await resolveRequest(em, t.clock, { requestId: done.id, staff: wang, channel: 'private', note: '已修好门禁' })
      })
      ids = { lamp: lamp.id, other: other.id, lift: lift.id, triage: triage.id, done: done.id }
    })
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined)
      await browser?.close()
      await t?.close()
    })

    it('logs in with the link from 后台, and refuses it used again or after 10 minutes', async () => {
      const link = await linkFor('赵书记')
      const page = await newPage()
      await page.goto(link)
      await poll(() => page.url()).toBe(`${t.baseUrl}/console/`)
      expect(await page.locator('h1').textContent()).toBe('社区概览')
      expect(await page.locator('.who').textContent()).toContain('赵书记')
      await shoot(page, 'dashboard')

      const reused = await newPage()
      await reused.goto(link)
      expect(await reused.locator('[data-login-error]').textContent()).toContain('登录链接无效或已过期')
      expect((await reused.context().cookies()).some((c) => c.name === 'jiesu_console')).toBe(false)
      await shoot(reused, 'login-refused')

      const late = await linkFor('王芳')
      t.clock.advance(LOGIN_LINK_TTL_MS + 1000)
      const expired = await newPage()
      await expired.goto(late)
      expect(await expired.locator('[data-login-error]').textContent()).toContain('登录链接无效或已过期')
      await expired.goto(`${t.baseUrl}/console/tasks`)
      expect(expired.url()).toBe(`${t.baseUrl}/console/login`)
    })

    it('shows the dashboard figures the API gives', async () => {
      const secretary = await t.signIn('赵书记', { phone: '13900000000' })
      const api = (await t.call('GET', '/api/dashboard', { token: secretary.token })).json
      const page = await signedIn('赵书记', DESKTOP)
      for (const key of ['response', 'resolution', 'satisfaction'] as const) {
        const figure = page.locator(`[data-figure="${key}"]`)
        expect(await figure.getAttribute('data-numerator')).toBe(String(api.rates[key].numerator))
        expect(await figure.getAttribute('data-denominator')).toBe(String(api.rates[key].denominator))
      }
      expect(api.totals.received).toBe(5)
      expect(api.rates.resolution.numerator).toBe(1)
      expect(await page.locator('[data-figure="received"]').getAttribute('data-value')).toBe(String(api.totals.received))
      expect(await page.locator('[data-figure="open"]').getAttribute('data-value')).toBe(String(api.totals.open))
      for (const g of api.byGrid) {
        expect(await page.locator(`tr[data-grid="${g.name}"] td`).nth(1).textContent()).toBe(String(g.received))
      }
      // The charts were drawn by ECharts, served by the same process.
      expect(await page.locator('#trend-chart canvas').count()).toBeGreaterThan(0)
      const open = await page.locator('[data-open-color]').allTextContents()
      expect(open.join('')).toMatch(/\d/)
    })

    it('lets the 书记 correct a triaged request in one tap', async () => {
      const page = await signedIn('赵书记')
      await page.goto(`${t.baseUrl}/console/triage`)
      const card = page.locator(`[data-triage]`).filter({ hasText: '2号楼那边有点问题' })
      await poll(() => card.count()).toBe(1)
      await shoot(page, 'triage')
      await card.locator('select[name=category]').selectOption('repair')
      await card.locator('select[name=urgency]').selectOption('high')
      await act(page, `[data-triage="${(await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: ids.triage })).no}"] button[data-action=confirm]`)
      await poll(async () => (await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: ids.triage })).needsTriage).toBe(false)
      const r = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: ids.triage })
      expect([r.category, r.urgency]).toEqual(['repair', 'high'])
      await poll(() => page.locator('[data-triage]').count()).toBe(0)
      // The timeline records it.
      await page.goto(`${t.baseUrl}/console/requests/${ids.triage}`)
      expect(await page.locator('[data-event="triaged"]').textContent()).toContain('报修')
    })

    it('lets a grid leader resolve a task with a photo on a 375 px phone', async () => {
      const page = await signedIn('王芳', PHONE)
      await poll(() => page.url()).toBe(`${t.baseUrl}/console/tasks`)
      await shoot(page, 'tasks')
      await page.locator(`a[href="/console/requests/${ids.lamp}"]`).click()
      await poll(() => page.locator('h1').textContent()).toContain('工单')
      // Reporters' phone numbers never reach the page.
      expect(await page.content()).not.toContain('13812345678')
      await act(page, 'button[data-action=accept]')
      await poll(() => page.locator('[data-field=status]').textContent()).toBe('已签收')
      const photo = solidPng(120, 90, [200, 120, 40])
      await page.locator('#note').fill('已更换楼道灯泡')
      await page.locator('#photos').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: photo })
      await act(page, 'button[data-action=resolve]')
      await poll(() => page.locator('[data-field=status]').textContent()).toBe('已办结')
      expect(await page.locator('.photos img').count()).toBe(1)
      // The photo loads lazily: once scrolled to, it decodes (naturalWidth is 0 until then).
      await page.locator('.photos img').scrollIntoViewIfNeeded()
      await poll(() => page.locator('.photos img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(120)
      const r = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: ids.lamp })
      expect([r.status, r.resolutionNote]).toEqual(['resolved', '已更换楼道灯泡'])
      expect(await t.db.getRepository(Attachment).countBy({ requestId: ids.lamp })).toBe(1)
      // Nothing sideways at 375 px.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      await shoot(page, 'request-detail')
    })

    it('refuses a grid leader another grid\'s request, on the page and through the API', async () => {
      const page = await signedIn('王芳')
      const res = await page.goto(`${t.baseUrl}/console/requests/${ids.other}`)
      expect(res!.status()).toBe(404)
      expect(await page.locator('main').textContent()).toContain('工单不存在或您无权查看')
      expect(await page.content()).not.toContain('垃圾桶')
      const accept = await page.request.post(`${t.baseUrl}/api/tasks/${ids.other}/accept`, { headers: { 'x-jiesu-console': '1' } })
      expect(accept.status()).toBe(404)
      await page.goto(`${t.baseUrl}/console/requests`)
      expect(await page.locator(`[data-request]`).allTextContents()).not.toEqual(expect.arrayContaining([expect.stringContaining('垃圾桶')]))
      expect((await page.goto(`${t.baseUrl}/console/triage`))!.status()).toBe(403)
    })

    it('lets the 书记 correct a request\'s building, which hands it to that grid, and leave the reporter a note', async () => {
      const page = await signedIn('赵书记')
      await page.goto(`${t.baseUrl}/console/requests/${ids.other}`)
      expect(await page.locator('select[name=building] option:checked').textContent()).toBe('5号楼')
      await page.locator('select[name=building]').selectOption({ label: '8号楼' })
      await page.locator('input[name=unit]').fill('2')
      await act(page, 'button[data-action=locate]')
      const zhang = await staffNamed(t.db, '张伟')
      await poll(async () => (await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: ids.other })).building).toBe('8')
      const moved = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: ids.other })
      expect([moved.unit, moved.assigneeStaffId]).toEqual(['2', zhang.id])
      expect(await page.locator('[data-event="location_set"]').textContent()).toContain('8号楼')
      await page.locator('textarea[name=text]').fill('已转给第三网格张伟，明天上午清运')
      await act(page, 'button[data-action=comment]')
      await poll(() => page.locator('[data-event="comment"]').count()).toBe(1)
      expect(await page.locator('[data-event="comment"]').textContent()).toContain('已转给第三网格张伟，明天上午清运')
    })

    it('lets the 书记 record a volunteer\'s points redemption, once however often the form is sent', async () => {
      const li = await t.db.getRepository(Volunteer).save({ communityId: t.communityId, name: '李晓', wechat: '李晓', phoneMasked: null, phoneHash: null, gridIds: [], active: true, wechatContactId: null, wechatRemark: null, bindCodeHash: null, bindCodeExpiresAt: null, boundAt: null })
      await inTransaction(t.db, (em) => appendEntry(em, t.clock, { communityId: t.communityId, holderType: 'volunteer', holderId: li.id, amount: 30, action: 'volunteering', dedupeKey: `test:earn:${li.id}`, note: '陪诊' }))
      const balance = async () => (await t.db.getRepository(PointsAccount).findOneByOrFail({ communityId: t.communityId, holderType: 'volunteer', holderId: li.id })).balance
      const page = await signedIn('赵书记')
      await page.goto(`${t.baseUrl}/console/volunteers`)
      await page.locator('select[name=volunteer]').selectOption({ label: '李晓（余额 30）' })
      await page.locator('input[name=points]').fill('12')
      await page.locator('input[name=note]').fill('洗衣液一瓶')
      // the same form sent again (its key unchanged) before the page reloads: one redemption
      const again = page.evaluate(() => fetch('/api/admin/volunteers/' + (document.querySelector('select[name=volunteer]') as HTMLSelectElement).value + '/redemptions', {
        method: 'POST', headers: { 'x-jiesu-console': '1', 'content-type': 'application/json' }, credentials: 'same-origin',
        body: JSON.stringify({ points: 12, note: '洗衣液一瓶', requestKey: (document.querySelector('input[name=requestKey]') as HTMLInputElement).value }),
      }).then((r) => r.status))
      expect([200, 201]).toContain(await again)
      await act(page, 'button[data-action=redeem]')
      expect(await balance()).toBe(18)
      expect(await page.locator('select[name=volunteer] option').first().textContent()).toBe('李晓（余额 18）')
      // more than the balance: refused in plain words, nothing taken
      await page.locator('input[name=points]').fill('50')
      await page.locator('input[name=note]').fill('大米一袋')
      await page.locator('button[data-action=redeem]').click()
      await poll(() => page.locator('#toast').textContent()).toBe('李晓 只有 18 积分，不够兑换 50 分。')
      expect(await balance()).toBe(18)
      await shoot(page, 'volunteers')
    })

    it('renders the 书记\'s other pages', async () => {
      const community = await t.db.getRepository(Community).findOneByOrFail({ id: t.communityId })
      await digestFor({ db: t.db, clock: t.clock }, community, new Date(t.clock.now().getTime() + 7 * 86_400_000))
      const page = await signedIn('赵书记')
      await page.goto(`${t.baseUrl}/console/requests?q=${encodeURIComponent('电梯')}`)
      expect(await page.locator('[data-request]').count()).toBe(1)
      await page.goto(`${t.baseUrl}/console/requests`)
      expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('5')
      await shoot(page, 'requests')
      await page.goto(`${t.baseUrl}/console/requests/${ids.lift}`)
      expect(await page.locator('[data-actions] button[data-action=transfer]').count()).toBe(1)
      expect(await page.locator('[data-actions] button[data-action=cancel]').count()).toBe(1)
      await shoot(page, 'request-secretary')
      await page.goto(`${t.baseUrl}/console/digests`)
      expect(await page.locator('[data-digest]').count()).toBe(1)
      await shoot(page, 'digests')
      // The HTML digest opens with the same session (no token in the URL).
      await page.locator('[data-digest]').click()
      await poll(() => page.url()).toMatch(/\/digests\/\d+$/)
      expect(await page.locator('body').textContent()).toContain('幸福里社区')
      await page.goto(`${t.baseUrl}/console/community`)
      // A grid leader on a new phone: the 书记 issues a one-time 认证 code on the page, which shows it without a
      // reload, and the code binds the new WeChat.
      page.once('dialog', (d) => void d.accept())
      const wang = page.locator('tr[data-staff="王芳"]')
      await wang.locator('button[data-action=bind-code]').click()
      const shown = wang.locator('[data-code-result]')
      await poll(() => shown.getAttribute('data-code')).toMatch(/^\d{6}$/)
      const code = (await shown.getAttribute('data-code'))!
      await shoot(page, 'community-bind-code')
      // valid for 72 hours from the server's clock, shown on the community's: 11月23日 09:00 → 11月26日 09:00
      const until = formatLocal(new Date(t.clock.now().getTime() + BIND_CODE_TTL_HOURS * 3600_000), 'Asia/Shanghai')
      expect(await shown.textContent()).toBe(`认证码 ${code}：请当面交给王芳，由其私聊社区小助手发送「认证 ${code}」。${until} 前有效，只能用一次；离开本页后不再显示。`)
      const bound = await inTransaction(t.db, (em) => redeemBindCode(em, t.clock, { code, contactId: 'wxid-new-phone', recentFailures: 0 }))
      expect(bound.staff.name).toBe('王芳')
      expect((await t.db.getRepository(Staff).findOneByOrFail({ id: bound.staff.id })).wechatContactId).toBe('wxid-new-phone')
      await page.goto(`${t.baseUrl}/console/community`)
      expect(await wang.locator('td').nth(4).textContent()).toMatch(/^已认证/)
      // Management goes through the admin API: move building 3 to the second grid.
      const row = page.locator('tr[data-building="3"]')
      await row.locator('select[name=gridId]').selectOption({ label: '第二网格' })
      await act(page, 'tr[data-building="3"] button')
      await poll(async () => (await t.db.query("SELECT g.name AS name FROM buildings b JOIN grids g ON g.id = b.grid_id WHERE b.code = '3'"))[0]?.name).toBe('第二网格')
      await poll(() => page.locator('tr[data-building="3"] select[name=gridId] option:checked').textContent()).toBe('第二网格')
      await page.locator('textarea[name=yaml]').fill('community: 幸福里社区\ngrids:\n  - name: 第一网格\n    leader: 42\n')
      await page.locator('button[data-action=import]').click()
      await poll(() => page.locator('[data-problems] li').count()).toBeGreaterThan(0)
      expect(await page.locator('[data-problems]').textContent()).toMatch(/第 \d+ 行/)
      await shoot(page, 'community')
      await page.goto(`${t.baseUrl}/console/bot`)
      expect(await page.locator('[data-bot-state]').getAttribute('data-bot-state')).toBe('disabled')
      await shoot(page, 'bot')
    })
  })
}
