import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type Router from '@koa/router'
import type { Context, Next } from 'koa'
import { In } from 'typeorm'
import { z } from 'zod'
import { publicUrlOf } from '../../src/config.js'
import { maskPersonalText } from '../../src/requests/privacy.js'
import { loadCommunity, staffById } from '../../src/community/snapshot.js'
import { CATEGORIES, URGENCIES } from '../../src/community/taxonomy.js'
import { Digest, PointsAccount, ServiceRequest, Staff, Volunteer, VolunteerTask } from '../../src/db/entities/index.js'
import { DomainError } from '../../src/errors.js'
import { slaColor, type SlaColor } from '../../src/jobs/sla.js'
import { OPEN_STATUSES, REQUEST_STATUSES } from '../../src/requests/stateMachine.js'
import { computeStats } from '../../src/stats/rates.js'
import { formatLocalIso } from '../../src/time.js'
import type { ApiDeps } from '../deps.js'
import { presentDashboard } from '../presenters/dashboard.js'
import { requestDetail } from '../routes/requests/detail.js'
import { parseInstant, resolvePeriod } from '../routes/secretary/period.js'
import { DASHBOARD_DEFAULT_DAYS, MAX_PERIOD_DAYS } from '../routes/secretary/reports.js'
import { html } from './html.js'
import { page } from './layout.js'
import { gridsLedBy, listRequests, myTasks, openByColor, PAGE_SIZE, weeklyTrend, type RequestFilters } from './queries.js'
import { notice, type RowContext } from './pages/common.js'
import { dashboardBody } from './pages/dashboard.js'
import { requestDetailBody, requestListBody } from './pages/requests.js'
import { botBody, communityBody, digestsBody, tasksBody, triageBody } from './pages/work.js'
import { volunteersBody } from './pages/volunteers.js'
import { volunteerFigures } from '../../src/volunteers/figures.js'
import { OPEN_TASK_STATUSES } from '../../src/volunteers/taskStateMachine.js'
import { loginDirectly, loginWithLink, logout, rememberNext, staffOfLink, takeNext } from './session.js'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)

/** Static files, read once: our own and ECharts from node_modules (no build step). */
const ASSETS: Record<string, { path: string; type: string }> = {
  'console.css': { path: join(here, 'assets/console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: join(here, 'assets/console.js'), type: 'application/javascript; charset=utf-8' },
  'dashboard.js': { path: join(here, 'assets/dashboard.js'), type: 'application/javascript; charset=utf-8' },
  'echarts.min.js': { path: require.resolve('echarts/dist/echarts.min.js'), type: 'application/javascript; charset=utf-8' },
}
const assetCache = new Map<string, Buffer>()

const staffIn = (ctx: Context) => ctx.state.staff as Staff | null | undefined

const CSP = "default-src 'self'; img-src 'self' data: https://wechaty.js.org; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

function send(ctx: Context, body: string, status = 200) {
  ctx.status = status
  ctx.type = 'text/html; charset=utf-8'
  ctx.set('Cache-Control', 'private, no-store')
  ctx.set('Content-Security-Policy', CSP)
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.set('Referrer-Policy', 'no-referrer')
  ctx.body = body
}

function loginPage(ctx: Context, deps: ApiDeps, message?: string, status = 200) {
  const dev = deps.config.NODE_ENV !== 'production'
  send(ctx, page('登录', html`
<div class="notice">
  ${message ? html`<p class="error" data-login-error>${message}</p>` : ''}
  <h2>用微信登录工作台</h2>
  <p>在微信里<b>私聊社区小助手</b>，发送「<b>后台</b>」（或「登录」），点开收到的链接即可。</p>
  <p class="meta">链接 10 分钟内有效，只能打开一次；无需密码。</p>
  ${dev ? html`<p class="meta">开发环境：也可以打开 /console/dev-login?as=姓名 直接登录，例如 <a href="/console/dev-login?as=赵书记">赵书记</a>、<a href="/console/dev-login?as=王芳">王芳</a>。</p>` : ''}
</div>`), status)
}

/** Console pages need a session; a visitor without one is asked to log in and comes back here afterwards. */
const signedIn = async (ctx: Context, next: Next) => {
  if (!staffIn(ctx)) {
    rememberNext(ctx)
    ctx.redirect('/console/login')
    return
  }
  try {
    await next()
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    const staff = staffIn(ctx)!
    send(ctx, page(err.status === 404 ? '找不到' : '无法显示', notice(err.status === 404 ? '工单不存在或您无权查看' : '无法显示', err.message, { href: '/console/', label: '返回首页' }), { staff, active: '' }), err.status)
  }
}

const secretaryOnly = async (ctx: Context, next: Next) => {
  const staff = staffIn(ctx)!
  if (staff.role !== 'secretary') {
    send(ctx, page('无权访问', notice('无权访问', '此页面仅限社区书记使用。', { href: '/console/tasks', label: '查看我的待办' }), { staff, active: '' }), 403)
    return
  }
  await next()
}

const listQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  status: z.enum(REQUEST_STATUSES).optional().catch(undefined),
  category: z.enum(CATEGORIES).optional().catch(undefined),
  urgency: z.enum(URGENCIES).optional().catch(undefined),
  grid: z.coerce.number().int().positive().optional().catch(undefined),
  building: z.string().trim().max(32).optional().catch(undefined),
  color: z.enum(['red', 'yellow', 'green']).optional().catch(undefined),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
})
const periodQuery = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
})

/** The web console at /console/: server-rendered pages; actions post to the JSON API (same policies). */
export function consoleRoutes(router: Router, deps: ApiDeps) {
  const auth = signedIn
  const rowContext = async (staff: Staff): Promise<RowContext & { community: Awaited<ReturnType<typeof loadCommunity>> }> => {
    const community = await loadCommunity(deps.db.manager, staff.communityId)
    const now = deps.clock.now()
    return {
      community, tz: community.community.timezone,
      color: (r) => slaColor(r, now, community.community.settings),
      gridName: (id) => community.grids.find((g) => g.id === id)?.name ?? null,
      staffName: (id) => staffById(community, id)?.name ?? null,
    }
  }

  router.get('/console/assets/:file', async (ctx) => {
    const asset = ASSETS[ctx.params.file!]
    if (!asset) { ctx.status = 404; return }
    let body = assetCache.get(asset.path)
    if (!body) { body = readFileSync(asset.path); assetCache.set(asset.path, body) }
    ctx.type = asset.type
    ctx.set('Cache-Control', 'public, max-age=3600')
    ctx.body = body
  })

  router.get('/console/login', async (ctx) => {
    if (staffIn(ctx)) { ctx.redirect(takeNext(ctx)); return }
    loginPage(ctx, deps)
  })

  // Opening the link shows a confirmation whose form spends it (console.js submits it at once in a browser);
  // a link preview that only fetches the page leaves the link usable.
  router.get('/console/login/:token', async (ctx) => {
    try {
      const staff = await staffOfLink(ctx, ctx.params.token!)
      send(ctx, page('登录', html`
<form class="notice" method="post" action="/console/login/${ctx.params.token!}" data-login-confirm>
  <h2>进入接诉工作台</h2>
  <p>以 <b>${staff.name}</b> 的身份登录。</p>
  <p><button type="submit" class="primary">进入工作台</button></p>
  <p class="meta">链接只能使用一次；如果这不是您本人，请直接关闭本页。</p>
</form>`))
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      loginPage(ctx, deps, err.message, err.status)
    }
  })

  router.post('/console/login/:token', async (ctx) => {
    // A login form posted from another site would sign this browser in as someone else (login CSRF). The page
    // sends no referrer, so its own Origin is "null"; Sec-Fetch-Site tells a browser's own form from a foreign one.
    const site = ctx.get('sec-fetch-site')
    const origin = ctx.get('origin')
    const ours = [`${ctx.protocol}://${ctx.host}`, new URL(publicUrlOf(deps.config)).origin]
    if ((site && site !== 'same-origin' && site !== 'none') || (origin && origin !== 'null' && !ours.includes(origin))) {
      loginPage(ctx, deps, '请直接打开微信里收到的登录链接。', 403)
      return
    }
    try {
      const staff = await loginWithLink(ctx, ctx.params.token!)
      ctx.state.logger?.info({ staffId: staff.id }, 'console login by link')
      ctx.status = 303
      ctx.redirect(takeNext(ctx))
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      loginPage(ctx, deps, err.message, err.status)
    }
  })

  // Development only: a session for any staff member by name, without WeChat.
  router.get('/console/dev-login', async (ctx) => {
    if (deps.config.NODE_ENV === 'production') { ctx.status = 404; ctx.body = { error: { code: 'route_not_found', message: '接口不存在' } }; return }
    const name = typeof ctx.query.as === 'string' ? ctx.query.as.trim() : ''
    const staff = name ? await deps.db.getRepository(Staff).findOne({ where: [{ name, active: true }, { wechat: name, active: true }], order: { id: 'ASC' } }) : null
    if (!staff) { loginPage(ctx, deps, name ? `没有名为「${name}」的在岗工作人员` : '请用 ?as=姓名 指定要登录的工作人员', 404); return }
    await loginDirectly(ctx, staff)
    ctx.state.logger?.warn({ staffId: staff.id }, 'console development login')
    ctx.redirect(takeNext(ctx))
  })

  router.post('/console/logout', async (ctx) => {
    await logout(ctx)
    ctx.status = 204
  })

  // @koa/router matches /console and /console/ alike; relative links need the slash.
  router.get('/console/', async (ctx, next) => (ctx.path === '/console' ? ctx.redirect('/console/') : next()), auth, async (ctx) => {
    const staff = staffIn(ctx)!
    if (staff.role !== 'secretary') { ctx.redirect('/console/tasks'); return }
    const q = periodQuery.parse(ctx.query)
    const em = deps.db.manager
    const c = await loadCommunity(em, staff.communityId)
    const tz = c.community.timezone
    const now = deps.clock.now()
    // The same period rule and figures as GET /api/dashboard.
    const { from, to } = resolvePeriod(q, { timeZone: tz, now, defaultDays: DASHBOARD_DEFAULT_DAYS, maxDays: MAX_PERIOD_DAYS })
    const view = presentDashboard(await computeStats(em, { communityId: c.community.id, from, to, now }), { timeZone: tz })
    const [openColors, trend] = await Promise.all([openByColor(em, c, now), weeklyTrend(em, c, now)])
    const periodLabel = `${formatLocalIso(from, tz).slice(0, 10)} 至 ${formatLocalIso(new Date(to.getTime() - 1), tz).slice(0, 16)}`
    send(ctx, page('社区概览', dashboardBody({ view, openColors, trend, periodLabel, query: q }), { staff, active: 'dashboard' }, { scripts: ['/console/assets/echarts.min.js', '/console/assets/dashboard.js'] }))
  })

  router.get('/console/requests', auth, async (ctx) => {
    const staff = staffIn(ctx)!
    const q = listQuery.parse(ctx.query)
    const row = await rowContext(staff)
    const tz = row.tz
    const filters: RequestFilters = {
      status: q.status, category: q.category, urgency: q.urgency, gridId: q.grid, building: q.building, q: q.q || undefined,
      from: q.from ? parseInstant(q.from, tz, 'start') : undefined, to: q.to ? parseInstant(q.to, tz, 'end') : undefined,
    }
    let rows: ServiceRequest[]
    let total: number
    if (q.color) {
      // A traffic light is computed, not stored: filter the open ones in memory (a community has hundreds at most).
      const all = await listRequests(deps.db.manager, staff, row.community, filters, 1, 5000)
      const matching = all.rows.filter((r) => OPEN_STATUSES.includes(r.status) && row.color(r) === (q.color as SlaColor))
      total = matching.length
      rows = matching.slice((q.page - 1) * PAGE_SIZE, q.page * PAGE_SIZE)
    } else {
      ({ rows, total } = await listRequests(deps.db.manager, staff, row.community, filters, q.page))
    }
    const query = Object.fromEntries(Object.entries({ ...q, page: undefined }).map(([k, v]) => [k, v == null ? undefined : String(v)]))
    send(ctx, page('工单', requestListBody({ rows, total, page: q.page, query, community: row.community, row, secretary: staff.role === 'secretary' }), { staff, active: 'requests' }))
  })

  router.get('/console/requests/:id', auth, async (ctx) => {
    const staff = staffIn(ctx)!
    const id = z.coerce.number().int().positive().safeParse(ctx.params.id)
    if (!id.success) throw new DomainError('request_not_found', '工单不存在', 404)
    const em = deps.db.manager
    const detail = await requestDetail(em, ctx, id.data, deps.clock.now())
    const c = await loadCommunity(em, staff.communityId)
    const gridName = c.grids.find((g) => g.id === detail.entity.gridId)?.name ?? null
    // What it could be merged into: the community's other open requests, newest first (masked words, as in lists).
    const open = await em.find(ServiceRequest, { where: { communityId: staff.communityId, status: In([...OPEN_STATUSES]) }, order: { id: 'DESC' }, take: 50 })
    const mergeTargets = open.filter((o) => o.id !== detail.entity.id).map((o) => ({ id: o.id, no: o.no, text: maskPersonalText(o.originalText) }))
    send(ctx, page(`工单 #${detail.entity.no}`, requestDetailBody(detail, { staff, community: c, grids: gridsLedBy(c, staff), tz: c.community.timezone, gridName, mergeTargets }), { staff, active: 'requests' }))
  })

  router.get('/console/tasks', auth, async (ctx) => {
    const staff = staffIn(ctx)!
    const row = await rowContext(staff)
    send(ctx, page('我的待办', tasksBody(await myTasks(deps.db.manager, staff), row), { staff, active: 'tasks' }))
  })

  router.get('/console/triage', auth, secretaryOnly, async (ctx) => {
    const staff = staffIn(ctx)!
    const row = await rowContext(staff)
    const rows = await deps.db.getRepository(ServiceRequest).createQueryBuilder('r')
      .where('r.community_id = :c AND r.needs_triage = :t AND r.status NOT IN (:...closed)', { c: staff.communityId, t: true, closed: ['merged', 'cancelled'] })
      .orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').take(200).getMany()
    send(ctx, page('分诊', triageBody(rows, row), { staff, active: 'triage' }))
  })

  router.get('/console/digests', auth, secretaryOnly, async (ctx) => {
    const staff = staffIn(ctx)!
    const c = await loadCommunity(deps.db.manager, staff.communityId)
    const rows = await deps.db.getRepository(Digest).find({ where: { communityId: staff.communityId }, order: { periodStart: 'DESC', id: 'DESC' }, take: 104 })
    send(ctx, page('周报', digestsBody(rows, c.community.timezone), { staff, active: 'digests' }))
  })
  router.get('/console/digests/:id', auth, secretaryOnly, (ctx) => ctx.redirect(`/digests/${encodeURIComponent(ctx.params.id!)}`))

  // 志愿者与积分: the figures come from volunteerFigures, as in the digest and /api/volunteers/figures.
  router.get('/console/volunteers', auth, secretaryOnly, async (ctx) => {
    const staff = staffIn(ctx)!
    const c = await loadCommunity(deps.db.manager, staff.communityId)
    const tz = c.community.timezone
    const query = periodQuery.parse(ctx.query)
    const now = deps.clock.now()
    // By default this month so far, as the digest's ranking counts it.
    const { from, to } = query.from || query.to
      ? resolvePeriod(query, { timeZone: tz, now, defaultDays: DASHBOARD_DEFAULT_DAYS, maxDays: MAX_PERIOD_DAYS })
      : { from: parseInstant(`${formatLocalIso(now, tz).slice(0, 8)}01`, tz, 'start'), to: new Date(now.getTime() + 1) }
    const figures = await volunteerFigures(deps.db.manager, { communityId: staff.communityId, from, to })
    const vs = await deps.db.getRepository(Volunteer).find({ where: { communityId: staff.communityId }, order: { id: 'ASC' } })
    const accounts = await deps.db.getRepository(PointsAccount).find({ where: { communityId: staff.communityId, holderType: 'volunteer' } })
    const tasks = await deps.db.getRepository(VolunteerTask).find({ where: { communityId: staff.communityId, status: In([...OPEN_TASK_STATUSES]) }, order: { id: 'DESC' }, take: 100 })
    const gridName = (id: number | null) => c.grids.find((g) => g.id === id)?.name ?? null
    send(ctx, page('志愿者与积分', volunteersBody({
      figures, tz, query, periodLabel: `${formatLocalIso(from, tz).slice(0, 10)} — ${formatLocalIso(new Date(to.getTime() - 1), tz).slice(0, 10)}`,
      volunteers: vs.map((v) => ({ id: v.id, name: v.name, grids: v.gridIds.map(gridName).filter((g): g is string => !!g), bound: !!v.wechatContactId, active: v.active, balance: accounts.find((a) => a.holderId === v.id)?.balance ?? 0 })),
      open: tasks.map((task) => ({ task, grid: gridName(task.gridId), volunteer: vs.find((v) => v.id === task.volunteerId)?.name ?? null })),
      redemptionKey: `console-${randomUUID()}`,
    }), { staff, active: 'volunteers' }))
  })

  router.get('/console/community', auth, secretaryOnly, async (ctx) => {
    const staff = staffIn(ctx)!
    send(ctx, page('社区管理', communityBody(await loadCommunity(deps.db.manager, staff.communityId)), { staff, active: 'community' }))
  })

  router.get('/console/bot', auth, secretaryOnly, async (ctx) => {
    const staff = staffIn(ctx)!
    send(ctx, page('机器人', botBody(deps.botStatus?.() ?? { state: 'disabled' }), { staff, active: 'bot' }))
  })
}

