import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { createApi, type ApiServer } from '../../miniprogram-api/server.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { OutboxMessage } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { enqueue } from '../../src/outbox/outbox.js'
import { OutboxWorker, type OutboundSender } from '../../src/outbox/worker.js'
import { TEST_JWT_SECRET } from '../helpers/api.js'
import { databaseKinds, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { resident, T0 } from '../helpers/fixtures.js'

// Two API replicas (each with its own DataSource, pool, caches and limiter object) against one database:
// what must be shared — rate limits, outbox throttles — holds across them.
// MySQL/MariaDB only (TEST_DATABASE_URL): SQLite is one process's database (README, "Several replicas").
const kinds = databaseKinds().filter((k) => k === 'mysql')
describe.skipIf(!kinds.length)('two API replicas on one MySQL/MariaDB', () => {
  let dbs: DataSource[] = []
  let apis: { app: ApiServer; server: Server; url: string }[] = []
  let cleanup: () => Promise<void>
  let communityId: number
  const clock = new VirtualClock(T0)
  beforeAll(async () => {
    const t = await openTestDb('mysql')
    dbs.push(t.db)
    cleanup = t.close
    communityId = await seedSampleCommunity(t.db)
    dbs.push(await openDatabase(t.url))
    const config = parseConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.url, DATA_ENCRYPTION_KEY: TEST_KEY, JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_WRITES_PER_USER: '4', RATE_LIMIT_WRITES_PER_IP: '1000',
    })
    for (const db of dbs) {
      const app = createApi({ config, db, clock, logger: silentLogger }, { classifier: new OfflineClassifier() })
      const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
      apis.push({ app, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
    }
  })
  afterAll(async () => {
    for (const a of apis) { a.server.closeAllConnections(); await new Promise((r) => a.server.close(r)) }
    await dbs[1]?.destroy()
    await cleanup?.()
    apis = []; dbs = []
  })

  it('a user\'s write limit is one limit across replicas, not one per replica', async () => {
    const li = await resident(dbs[0]!, communityId, '李阿姨')
    const { token } = await apis[0]!.app.deps.tokens.issue({ residentId: li.id, staffId: null })
    const put = (i: number) => fetch(`${apis[i % 2]!.url}/api/me`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `李阿姨${i}` }) })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await put(i)).status)
    // 4 allowed in the window whichever replica served them; each replica alone saw only 3.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
    const refused = await put(7)
    expect(refused.headers.get('retry-after')).toBe('60')
    clock.advance(60_000)
    expect((await put(8)).status).toBe(200)
  })

  it('the outbox per-minute budget holds across the replicas\' workers', async () => {
    await inTransaction(dbs[0]!, (em) => enqueue(em, clock, Array.from({ length: 10 }, (_, i) => ({ dedupeKey: `replica:${i}`, channel: 'wechat_dm' as const, target: `居民${i}`, text: `第${i}条` }))))
    const sent: string[] = []
    const sender: OutboundSender = { send: async (m) => { sent.push(m.text) } }
    const workers = dbs.map((db) => new OutboxWorker({ db, clock, senders: { wechat_dm: sender }, logger: silentLogger, throttle: { perChatIntervalMs: 0, perMinute: 3 } }))
    await Promise.all(workers.map((w) => w.drain()))
    expect(sent).toHaveLength(3)
    expect(new Set(sent).size).toBe(3)
    clock.advance(60_001)
    await Promise.all(workers.map((w) => w.drain()))
    expect(sent).toHaveLength(6)
    expect(await dbs[1]!.getRepository(OutboxMessage).countBy({ status: 'sent' })).toBe(6)
  })
})
