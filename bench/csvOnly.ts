// The CSV figure alone, against a database seeded once: `tsx bench/csvOnly.ts [--runs N] [--out file.csv] [--no-baseline]`.
// DATABASE_URL as for bench/run.ts (unset → a temporary SQLite file, seeded each time). On MariaDB the database
// jiesu_bench_… is kept between runs: it is dropped, re-created and seeded with BENCH_ROWS (default 1,000,000)
// requests only when it does not already hold them (BENCH_RESEED=1 forces it). The export runs under a clock fixed
// just after the newest seeded request, so that every run writes the same file (--out keeps it, to compare
// implementations byte for byte). Prints the same JSON line as bench/run.ts's csv figure, one per run, with the
// CPU time this process spent (server and client; the raw SELECT's for the baseline): steadier than wall time
// on a shared machine.
import 'reflect-metadata'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg } from 'node:os'
import type { DataSource } from 'typeorm'
import { createApi } from '../miniprogram-api/server.js'
import { importCommunityFile } from '../src/community/import.js'
import { parseConfig } from '../src/config.js'
import { Community, Grid, Resident, ServiceRequest, Staff } from '../src/db/entities/index.js'
import { OfflineClassifier } from '../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../src/logger.js'
import { rawInserts } from './baselines.js'
import { BENCH_KEY, noFiles, openBenchDb } from './benchDb.js'
import { seedRequests } from './seed.js'

const ROWS = Number(process.env.BENCH_ROWS) || 1_000_000
const PORT = Number(process.env.BENCH_PORT) || 3300
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined)
const RUNS = Number(arg('--runs') ?? 1)
const OUT = arg('--out')
const KEY = BENCH_KEY
const log = (...a: unknown[]) => console.error('[csv]', ...a)

async function seededCount(db: DataSource): Promise<number> {
  const [{ n }] = await db.query("SELECT COUNT(*) AS n FROM requests WHERE no LIKE 'B%'")
  return Number(n)
}


async function main() {
  const { db, url, cleanup } = await openBenchDb({ keep: async (db) => !process.env.BENCH_RESEED && (await seededCount(db)) >= ROWS })
  let community = await db.getRepository(Community).findOne({ where: {}, order: { id: 'ASC' } })
  if (!community || (await seededCount(db)) < ROWS) {
    const { communityId } = await importCommunityFile(db, 'examples/community.yaml', { encryptionKey: KEY })
    const grids = await db.getRepository(Grid).findBy({ communityId })
    log(`seeding ${ROWS.toLocaleString()} requests…`)
    const seeded = await seedRequests(db, { communityId, gridIds: grids.map((g) => g.id), n: ROWS, now: new Date() })
    log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s`)
    community = await db.getRepository(Community).findOneByOrFail({ id: communityId })
  }
  const communityId = community.id
  const newest = await db.getRepository(ServiceRequest).createQueryBuilder('r').select('MAX(r.created_at)', 'at').where('r.community_id = :c', { c: communityId }).getRawOne<{ at: unknown }>()
  const at = newest!.at instanceof Date ? newest!.at : new Date(`${String(newest!.at).replace(' ', 'T')}Z`)
  const now = new Date(at.getTime() + 60_000)
  const clock = { now: () => now }

  const config = parseConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY, JWT_SECRET: 'bench-jwt-secret-0123456789abcdef-0123456789', JWT_TTL: '1d' })
  const secretary = await db.getRepository(Staff).findOneByOrFail({ communityId, role: 'secretary' })
  const zhao = (await db.getRepository(Resident).findOneBy({ communityId, openid: 'bench-zhao' }))
    ?? await db.getRepository(Resident).save({ communityId, openid: 'bench-zhao', name: '赵书记', phoneHash: secretary.phoneHash, vulnerability: [] as never, subscribeAllowed: false, createdAt: now, updatedAt: now } as Partial<Resident>)
  const api = createApi({ config, db, clock, logger: silentLogger }, { classifier: new OfflineClassifier(), storage: noFiles })
  const server: Server = await new Promise((resolve) => { const s = api.listen(PORT, '127.0.0.1', () => resolve(s)) })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const token = (await api.deps.tokens.issue({ residentId: zhao.id, staffId: secretary.id })).token
  const raw = await rawInserts(url)
  const day = (d: Date) => d.toISOString().slice(0, 10)
  const yearAgo = new Date(now.getTime() - 364 * 86400_000)
  const rows = ROWS >= 1e6 ? `${ROWS / 1e6}m` : `${ROWS / 1000}k`

  for (let i = 0; i < RUNS; i++) {
    const rssBefore = process.memoryUsage().rss
    let rssPeak = rssBefore, bytes = 0, lines = 0
    const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss) }, 50)
    const hash = createHash('sha256')
    const out = OUT && i === 0 ? createWriteStream(OUT) : null
    const cpu = process.cpuUsage()
    const t = performance.now()
    const r = await fetch(`${base}/api/requests.csv?from=${day(yearAgo)}&to=${day(now)}`, { headers: { authorization: `Bearer ${token}` } })
    if (r.status !== 200) throw new Error(`${r.status}: ${await r.text()}`)
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++
      hash.update(chunk)
      out?.write(chunk)
    }
    const csvMs = performance.now() - t
    const used = process.cpuUsage(cpu)
    clearInterval(sampler)
    if (out) await new Promise((resolve) => out.end(resolve))
    const rawCpu = process.cpuUsage()
    const rawMs = performance.now()
    if (!process.argv.includes('--no-baseline')) await raw.selectRows(communityId, new Date(now.getTime() - 366 * 86400_000), now)
    const rawRows = performance.now() - rawMs
    const rawUsed = process.cpuUsage(rawCpu)
    console.log(JSON.stringify({
      name: `csv_365d_${rows}`, value: Math.round(csvMs), unit: 'ms', baseline: Math.round(rawRows), ratio: Math.round((rawRows / csvMs) * 1000) / 1000,
      rows: lines - 1, mb: Math.round(bytes / 1e5) / 10, rss_growth_mb: Math.round((rssPeak - rssBefore) / 1e5) / 10, target_ms: 5000,
      cpu_ms: Math.round((used.user + used.system) / 1000), baseline_cpu_ms: Math.round((rawUsed.user + rawUsed.system) / 1000),
      load1: Math.round(loadavg()[0]! * 100) / 100, sha256: hash.digest('hex').slice(0, 16),
    }))
  }
  server.closeAllConnections(); server.close()
  await raw.close(); await cleanup()
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1) })
