// The benchmark suite: `npm run bench [-- --quick]`. DATABASE_URL picks the database: unset → a temporary
// SQLite file; mysql://…/jiesu_bench_<x> → that MariaDB/MySQL database, dropped and re-created (any other
// name is refused, so a real database is never touched). One JSON line per figure on stdout:
//   {"name","value","unit","baseline","ratio", …}
// where each baseline is measured in the same run (raw driver inserts, bare Koa + @koa/router, raw SQL)
// and ratio = value / baseline for rates (higher is better) or baseline / value for times (1 = as fast).
// Progress goes to stderr. Not part of npm test.
import 'reflect-metadata'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg as osLoad, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import autocannon from 'autocannon'
import mysql from 'mysql2/promise'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../bot/processor.js'
import { createApi } from '../miniprogram-api/server.js'
import { systemClock } from '../src/clock.js'
import { importCommunityFile } from '../src/community/import.js'
import { parseConfig } from '../src/config.js'
import { dialectOf } from '../src/db/dataSource.js'
import { ChatRoom, Grid, RequestReporter, Resident, ServiceRequest, Staff } from '../src/db/entities/index.js'
import { classifyText, OfflineClassifier } from '../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../src/logger.js'
import { runStatsRollup } from '../src/jobs/statsRollup.js'
import { computeStats } from '../src/stats/rates.js'
import { bareKoa, rawInserts, type RawDb } from './baselines.js'
import { BENCH_JWT, BENCH_KEY, noFiles, openBenchDb } from './benchDb.js'
import { corpus } from './corpus.js'
import { seedRequests } from './seed.js'
import { startupFigures } from './startup.js'

const QUICK = process.argv.includes('--quick')
/** `--only ingest|api|reports`: one group of figures (the database is still emptied and the community imported). */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null
if (ONLY !== null && !['ingest', 'api', 'reports', 'startup'].includes(ONLY!)) throw new Error(`--only takes "ingest", "api", "reports" or "startup" (got "${ONLY}")`)
/** messages the rss_100k child ingests (BENCH_RSS_MESSAGES; the quick run 10,000); BENCH_RSS_DB=sqlite: on SQLite whatever DATABASE_URL says */
const RSS_N = Number(process.env.BENCH_RSS_MESSAGES) || (QUICK ? 10_000 : 100_000)
const ROWS = Number(process.env.BENCH_ROWS) || (QUICK ? 100_000 : 1_000_000)
const INGEST_N = Number(process.env.BENCH_INGEST) || (QUICK ? 400 : 2000)
const LOAD_S = QUICK ? 4 : 10
/** Loads per API figure: the full run reports the median of 3. */
const API_RUNS = QUICK ? 1 : 3
const PORT = Number(process.env.BENCH_PORT) || 3300
const KEY = BENCH_KEY
const JWT = BENCH_JWT
const log = (...a: unknown[]) => console.error('[bench]', ...a)
const run = promisify(execFile)

interface Figure { name: string; value: number; unit: string; baseline: number | null; ratio: number | null; [k: string]: unknown }
const figures: unknown[] = []
function report(f: Figure) {
  const round = (x: number | null) => (x == null ? null : Math.round(x * 1000) / 1000)
  const line = { ...f, value: round(f.value), baseline: round(f.baseline), ratio: round(f.ratio) }
  figures.push(line)
  console.log(JSON.stringify(line))
}
const rateRatio = (v: number, b: number) => (b ? v / b : null)
const timeRatio = (v: number, b: number) => (v ? b / v : null)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) { const t = performance.now(); await fn(); ms.push(performance.now() - t) }
  return median(ms)
}



async function benchIngest(db: DataSource, config: ReturnType<typeof parseConfig>, communityId: number, raw: RawDb) {
  const grid = await db.getRepository(Grid).findOneByOrFail({ communityId })
  const rooms: string[] = []
  for (let i = 0; i < 16; i++) {
    const topic = `压测${i}号楼业主群`
    await db.getRepository(ChatRoom).insert({ communityId, topic, gridId: grid.id, wechatRoomId: null })
    rooms.push(topic)
  }
  // BENCH_NO_BATCH=1: every message one at a time (bot/groupBatch.ts off), for a before/after in the same harness.
  const processor = new InboxProcessor({ ctx: { config, db, clock: systemClock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles, groupBatch: !process.env.BENCH_NO_BATCH })
  const texts = corpus(INGEST_N * 2, 7)
  let seq = 0
  const message = (c: number) => {
    const k = seq++
    return { messageId: `bench-${k}`, kind: 'text' as const, roomTopic: rooms[c]!, roomId: null, senderName: `居民${k % 300}`, senderId: `wxid-${k % 300}`, text: texts[k % texts.length]!, payload: null }
  }
  // As Wechaty delivers them: each message handed over as it arrives, without waiting for the one before to be
  // handled (bot/plugin.ts); the figure is the time until every one is handled (kept, filed, its replies in the outbox).
  const delivered = async (chats: number, n: number) => {
    const t0 = performance.now()
    const all: Promise<unknown>[] = []
    for (let i = 0; i < n; i++) all.push(processor.receive(message(i % chats)))
    await Promise.all(all)
    return n / ((performance.now() - t0) / 1000)
  }
  // One message at a time per chat, each awaited before the next: the latency of one message, not the throughput.
  const oneAtATime = async (chats: number, n: number) => {
    const t0 = performance.now()
    await Promise.all(Array.from({ length: chats }, async (_, c) => {
      for (let i = c; i < n; i += chats) await processor.receive(message(c))
    }))
    return n / ((performance.now() - t0) / 1000)
  }
  await delivered(1, 50) // warm-up
  for (const chats of [1, 16]) {
    const value = await delivered(chats, INGEST_N)
    const baseline = await raw.insertsPerSecond(chats, INGEST_N)
    report({ name: chats === 1 ? 'ingest_1chat' : 'ingest_16chats', value, unit: 'msg/s', baseline, ratio: rateRatio(value, baseline), messages: INGEST_N, target_ratio: 0.5 })
  }
  const serial = await oneAtATime(1, INGEST_N / 4)
  const serialBaseline = await raw.insertsPerSecond(1, INGEST_N / 4)
  report({ name: 'ingest_1chat_awaited', value: serial, unit: 'msg/s', baseline: serialBaseline, ratio: rateRatio(serial, serialBaseline), messages: INGEST_N / 4, note: 'each message awaited before the next is sent: no batch forms (the one-commit path)' })
  processor.close()
  return seq
}

const warmed = new Set<string>()
async function load(url: string, o: { method?: 'GET' | 'POST'; token: string; body?: string }) {
  const method = o.method ?? 'GET'
  const headers = { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' }
  // autocannon stops at its deadline with up to 50 calls still in the server: one more call, answered after them
  // (SQLite transactions and row locks queue in order), so that no backlog spills into the next figure.
  const drain = async () => { await (await fetch(url, { method, headers, body: o.body })).text() }
  // One second unmeasured before the first load of each server and method, for bare Koa and jiesu alike: the
  // figure is the warm server (JIT, prepared statements), not its first 50 calls.
  const server = `${method} ${url}`
  if (!warmed.has(server)) {
    warmed.add(server)
    await autocannon({ url, connections: 50, duration: 1, method, body: o.body, headers })
    await drain()
  }
  const r = await autocannon({ url, connections: 50, duration: LOAD_S, method, body: o.body, headers })
  await drain()
  const ok = r['2xx']
  if (r.non2xx) log(`${url}: ${r.non2xx} non-2xx of ${r.requests.total}`)
  if (r.errors || r.timeouts) log(`${url}: ${r.errors} errors, ${r.timeouts} timeouts`)
  return { rps: ok / LOAD_S, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors }
}

async function benchStartup() {
  log('start-up: npm start and bare Koa, each started 3 times…')
  const start = await startupFigures(3)
  report({ name: 'startup_healthz', value: start.jiesuMs, unit: 'ms', baseline: start.bareMs, ratio: timeRatio(start.jiesuMs, start.bareMs), note: 'spawn of node --import tsx app/main.ts (fresh SQLite, bot on an uninstalled puppet) to the first 200 from /healthz; baseline: bare Koa under tsx' })
}

async function main() {
  const t0 = performance.now()
  if (ONLY === 'startup') return benchStartup()
  const { db, url, cleanup } = await openBenchDb()
  const dialect = dialectOf(db)
  log(`database ${dialect}, ${ROWS.toLocaleString()} rows${QUICK ? ' (quick)' : ''}`)
  const config = parseConfig({
    NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY, JWT_SECRET: JWT, JWT_TTL: '1d',
    // Limits no load reaches, over a window that holds about as many hits per key as the default per-IP limit (120):
    // the limiter's statement reads at most `limit` hits of a key, which real limits keep small; with these limits
    // and the default 60 s window it would read every hit of the last minute on every call (~25,000 per key).
    RATE_LIMIT_WRITES_PER_USER: '100000000', RATE_LIMIT_WRITES_PER_IP: '100000000', RATE_LIMIT_WINDOW_MS: '250',
  })
  const summary = await importCommunityFile(db, 'examples/community.yaml', { encryptionKey: KEY })
  const communityId = summary.communityId
  const raw: RawDb = await rawInserts(url)

  // classify: one core, no database
  if (!ONLY) {
    const texts = corpus(20_000, 3)
    for (let i = 0; i < 2000; i++) classifyText({ text: texts[i]! })
    const t = performance.now()
    for (const text of texts) classifyText({ text })
    const value = texts.length / ((performance.now() - t) / 1000)
    report({ name: 'classify', value, unit: 'msg/s', baseline: 5000, ratio: value / 5000, note: 'baseline is the target (no comparable raw figure)' })
  }

  if (!ONLY || ONLY === 'ingest') {
    log('ingest…')
    await benchIngest(db, config, communityId, raw)
  }
  if (ONLY === 'ingest') {
    await raw.close(); await cleanup()
    log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
    return
  }

  log(`seeding ${ROWS.toLocaleString()} requests by bulk SQL…`)
  const now = new Date()
  const grids = await db.getRepository(Grid).findBy({ communityId })
  const seeded = await seedRequests(db, { communityId, gridIds: grids.map((g) => g.id), n: ROWS, now })
  log(`seeded ${seeded.requests} requests, ${seeded.events} events in ${(seeded.ms / 1000).toFixed(1)} s`)
  const rows = ROWS >= 1e6 ? `${ROWS / 1e6}m` : `${ROWS / 1000}k`


  // A resident with 50 requests; the 书记 (signed in by phone) reporter of 10,000.
  const secretary = await db.getRepository(Staff).findOneByOrFail({ communityId, role: 'secretary' })
  const li = await db.getRepository(Resident).save({ communityId, openid: 'bench-li', name: '李阿姨', vulnerability: [] as never, subscribeAllowed: false, createdAt: now, updatedAt: now } as Partial<Resident>)
  const zhao = await db.getRepository(Resident).save({ communityId, openid: 'bench-zhao', name: '赵书记', phoneHash: secretary.phoneHash, vulnerability: [] as never, subscribeAllowed: false, createdAt: now, updatedAt: now } as Partial<Resident>)
  const ids = (await db.getRepository(ServiceRequest).createQueryBuilder('r').select('r.id', 'id').where("r.no LIKE 'B%'").orderBy('r.id', 'DESC').limit(10_050).getRawMany()).map((x) => Number(x.id))
  const reporters = (residentId: number, xs: number[]) => xs.map((requestId) => ({ requestId, residentId, role: 'co_reporter' as const, source: 'group' as const, text: null, createdAt: now }))
  for (let i = 0; i < 10_000; i += 1000) await db.getRepository(RequestReporter).insert(reporters(zhao.id, ids.slice(i, i + 1000)))
  await db.getRepository(RequestReporter).insert(reporters(li.id, ids.slice(10_000, 10_050)))

  const api = createApi({ config, db, clock: systemClock, logger: silentLogger }, { classifier: new OfflineClassifier(), storage: noFiles })
  const server: Server = await new Promise((resolve) => { const s = api.listen(PORT, '127.0.0.1', () => resolve(s)) })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const liToken = (await api.deps.tokens.issue({ residentId: li.id, staffId: null })).token
  const zhaoToken = (await api.deps.tokens.issue({ residentId: zhao.id, staffId: secretary.id })).token
  const sample = await (await fetch(`${base}/api/requests`, { headers: { authorization: `Bearer ${liToken}` } })).text()
  if (!sample.includes('"items"')) throw new Error(`GET /api/requests failed: ${sample.slice(0, 200)}`)
  const postBody = JSON.stringify({ text: '3号楼2单元楼道灯坏了，晚上很黑，麻烦派人修一下' })
  const created = await fetch(`${base}/api/requests`, { method: 'POST', headers: { authorization: `Bearer ${liToken}`, 'content-type': 'application/json' }, body: postBody })
  const postSample = await created.text()
  const bare = await bareKoa(PORT + 1, { get: sample, post: postSample })

  if (!ONLY || ONLY === 'api') {
    log('API under autocannon (50 connections)…')
    // The machine is shared and its load drifts: each load's baseline is bare Koa measured just before and just
    // after it, averaged, so both see about the same load; load1 is the 1-minute load average when it ran. The full
    // run takes each figure API_RUNS times, the resident's and the 书记's GETs alternating, and reports the medians
    // (value, ratio and p99 each), with every run's ratio and p99.
    const loadAvg = () => Math.round(osLoad()[0]! * 100) / 100
    type Run = { rps: number; baseline: number; ratio: number; p99: number; baselineP99: number; non2xx: number; load1: number }
    const summary = (runs: Run[]) => ({
      value: median(runs.map((r) => r.rps)), baseline: median(runs.map((r) => r.baseline)), ratio: median(runs.map((r) => r.ratio)),
      p99_ms: median(runs.map((r) => r.p99)), baseline_p99_ms: median(runs.map((r) => r.baselineP99)), non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      load1: median(runs.map((r) => r.load1)), runs: runs.length, ratios: runs.map((r) => Math.round(r.ratio * 1000) / 1000).join(' '), p99s: runs.map((r) => r.p99).join(' '),
    })
    const measure = async (url: string, bareUrl: string, opts: { method?: 'GET' | 'POST'; token: string; body?: string }, before: { rps: number; p99: number }) => {
      const r = await load(url, opts)
      const load1 = loadAvg()
      const after = await load(bareUrl, opts)
      const b = { rps: (before.rps + after.rps) / 2, p99: (before.p99 + after.p99) / 2 }
      return { run: { rps: r.rps, baseline: b.rps, ratio: rateRatio(r.rps, b.rps) ?? 0, p99: r.p99, baselineP99: b.p99, non2xx: r.non2xx, load1 } as Run, after }
    }
    const gets = [['api_get_resident', liToken], ['api_get_secretary_10k', zhaoToken]] as const
    const getRuns = new Map<string, Run[]>(gets.map(([name]) => [name, []]))
    let bareBefore = await load(`${bare.url}/api/requests`, { token: liToken })
    for (let round = 0; round < API_RUNS; round++) {
      for (const [name, token] of round % 2 ? [...gets].reverse() : gets) {
        const { run, after } = await measure(`${base}/api/requests`, `${bare.url}/api/requests`, { token }, bareBefore)
        getRuns.get(name)!.push(run)
        bareBefore = after
      }
    }
    for (const [name] of gets) report({ name, unit: 'req/s', ...summary(getRuns.get(name)!), target_ratio: 0.3, target_p99_ms: 50 })
    const postOpts = { method: 'POST' as const, token: liToken, body: postBody }
    const postRuns: Run[] = []
    let postBefore = await load(`${bare.url}/api/requests`, postOpts)
    for (let round = 0; round < API_RUNS; round++) {
      const { run, after } = await measure(`${base}/api/requests`, `${bare.url}/api/requests`, postOpts, postBefore)
      postRuns.push(run)
      postBefore = after
    }
    report({ name: 'api_post', unit: 'req/s', ...summary(postRuns), target_ratio: 0.2, target_p99_ms: 200 })
    if (ONLY === 'api') {
      server.closeAllConnections(); server.close()
      await bare.close(); await raw.close(); await cleanup()
      log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
      return
    }
  }

  // The daily rollups the dashboard reads, built by the job as it runs in production (here: the whole seeded year at
  // once). After the API figures: its minute of MariaDB work (and the purge it leaves behind) is not theirs to share.
  log('stats_rollup job over the seeded year…')
  const rollupStart = performance.now()
  const rolled = await runStatsRollup({ db, clock: systemClock, logger: silentLogger })
  const rollupMs = performance.now() - rollupStart
  report({ name: `stats_rollup_backfill_${rows}`, value: rollupMs, unit: 'ms', baseline: null, ratio: null, days: rolled.acted, note: 'the stats_rollup job rolling up every seeded day once; later runs re-roll only changed days' })

  // The 书记's reports over the seeded year.
  const day = (d: Date) => d.toISOString().slice(0, 10)
  const yearAgo = new Date(now.getTime() - 364 * 86400_000)
  const auth = { headers: { authorization: `Bearer ${zhaoToken}` } }
  const runs = QUICK ? 1 : 3
  const dashboardMs = await timeIt(runs, async () => { const r = await fetch(`${base}/api/dashboard?from=${day(yearAgo)}&to=${day(now)}`, auth); if (r.status !== 200) throw new Error(await r.text()); await r.json() })
  const rawYear = await timeIt(runs, () => raw.aggregate(communityId, new Date(now.getTime() - 366 * 86400_000), now))
  report({ name: `dashboard_365d_${rows}`, value: dashboardMs, unit: 'ms', baseline: rawYear, ratio: timeRatio(dashboardMs, rawYear), target_ms: 1000 })

  const rssBefore = process.memoryUsage().rss
  let rssPeak = rssBefore, bytes = 0, lines = 0
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss) }, 50)
  // The client downloads in a process of its own (bench/download.mjs), as a browser would: reading 250 MB on this
  // process's event loop would bill the server with the client's work, which the raw SELECT baseline does not do.
  // The median of `runs` exports, as for the other reports; the first export of the process (which starts the
  // export's worker threads) is reported too, as first_ms.
  const csvTimes: number[] = []
  const csvMs = await timeIt(runs, async () => {
    const started = performance.now()
    const { stdout } = await run(process.execPath, ['bench/download.mjs', `${base}/api/requests.csv?from=${day(yearAgo)}&to=${day(now)}`], { env: { ...process.env, BENCH_AUTHORIZATION: auth.headers.authorization }, maxBuffer: 1 << 20 })
    const got = JSON.parse(stdout) as { status: number; bytes: number; lines: number }
    if (got.status !== 200) throw new Error(`GET /api/requests.csv: HTTP ${got.status}`)
    bytes = got.bytes; lines = got.lines
    csvTimes.push(performance.now() - started)
  })
  clearInterval(sampler)
  const rawRows = await timeIt(1, () => raw.selectRows(communityId, new Date(now.getTime() - 366 * 86400_000), now))
  report({ name: `csv_365d_${rows}`, value: csvMs, unit: 'ms', baseline: rawRows, ratio: timeRatio(csvMs, rawRows), rows: lines - 1, mb: Math.round(bytes / 1e5) / 10, runs, first_ms: Math.round(csvTimes[0]!), rss_growth_mb: Math.round((rssPeak - rssBefore) / 1e5) / 10, target_ms: 5000 })

  const weekAgo = new Date(now.getTime() - 7 * 86400_000)
  const digestMs = await timeIt(runs, () => computeStats(db.manager, { communityId, from: weekAgo, to: now, now }))
  const rawWeek = await timeIt(runs, () => raw.aggregate(communityId, weekAgo, now))
  report({ name: `digest_${rows}`, value: digestMs, unit: 'ms', baseline: rawWeek, ratio: timeRatio(digestMs, rawWeek), target_ms: 2000 })

  const triageMs = await timeIt(3, async () => { const r = await fetch(`${base}/api/triage?limit=50`, auth); await r.json() })
  report({ name: `triage_${rows}`, value: triageMs, unit: 'ms', baseline: null, ratio: null, target_ms: 50 })

  server.closeAllConnections(); server.close()
  await bare.close(); await raw.close(); await cleanup()

  await benchStartup()

  // rss_100k in a process of its own (bench/rss.ts), on a fresh database of the same kind.
  log(`rss: a child process ingesting ${RSS_N.toLocaleString()} messages…`)
  const rss = await rssChild(url, RSS_N)
  report({ name: RSS_N === 100_000 ? 'rss_100k' : `rss_${RSS_N / 1000}k`, value: rss.rss_mb, unit: 'MB', baseline: null, ratio: null, messages: rss.messages, seconds: rss.seconds, heap_mb: rss.heap_mb, samples: rss.samples.map((x) => x.rss_mb).join(' '), note: 'RSS of a child process (tsx, as npm start runs) that only ingested the messages, after a full GC', target_mb: 300 })
  global.gc?.()
  log(`this process: ${Math.round(process.memoryUsage().rss / 1e6)} MB RSS (autocannon clients, the reports' result sets)`)
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
}

/** Runs bench/rss.ts in a child process against a fresh database (a temporary SQLite file, or `<name>_rss`). */
async function rssChild(url: string, messages: number): Promise<{ messages: number; seconds: number; rss_mb: number; heap_mb: number; samples: { rss_mb: number }[] }> {
  let childUrl: string, drop = async () => {}
  if (url.startsWith('sqlite:') || process.env.BENCH_RSS_DB === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-bench-rss-'))
    childUrl = `sqlite:${join(dir, 'rss.db')}`
    drop = async () => rmSync(dir, { recursive: true, force: true })
  } else {
    const u = new URL(url)
    const name = `${u.pathname.slice(1)}_rss`
    const admin = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) })
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
    u.pathname = `/${name}`
    childUrl = u.toString()
    drop = async () => { await admin.query(`DROP DATABASE IF EXISTS \`${name}\``); await admin.end() }
  }
  try {
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/rss.ts', childUrl, String(messages)], { maxBuffer: 1 << 20 })
    return JSON.parse(stdout.trim().split('\n').pop()!)
  } finally {
    await drop()
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1) })
