// `npm run faults`: the reliability promises under real faults, on a MariaDB instance of the script's own.
// One line per case, then "N passed, N failed". Not part of `npm test` (it takes a few minutes).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import 'reflect-metadata'
import type { DataSource } from 'typeorm'
import { In } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { createApi } from '../../miniprogram-api/server.js'
import { systemClock } from '../../src/clock.js'
import { importCommunityFile } from '../../src/community/import.js'
import { parseConfig } from '../../src/config.js'
import { createDataSource, openDatabase } from '../../src/db/dataSource.js'
import { Attachment, ChatRoom, InboxMessage, OutboxMessage, RequestEvent, Resident, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import type { ReceivedMessage } from '../../src/inbox/inbox.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { enqueue } from '../../src/outbox/outbox.js'
import { issueBindCode, redeemBindCode } from '../../src/people/staffIdentity.js'
import { resolveRequest } from '../../src/requests/staffActions.js'
import { OwnMariaDb, sleep } from './mariadb.js'

const KEY = 'faults-encryption-key-0123456789abcdef'
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 30_000)
const LEASE_MS = 10_000
const here = fileURLToPath(new URL('.', import.meta.url))
const COMMUNITY = join(here, '../../examples/community.yaml')
const noFiles = { put: async () => undefined, get: async () => null, delete: async () => undefined }

/** FAULT_ONLY=stop,kill runs only those cases (stop, freeze, kill, lease, same, ratings, impostor). */
const want = (k: string) => !process.env.FAULT_ONLY || process.env.FAULT_ONLY.split(',').includes(k)

let passed = 0
let failed = 0
function report(name: string, ok: boolean, detail: string) {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`)
}

const mariadb = await OwnMariaDb.create()
const work = mkdtempSync('/tmp/jiesu-faults-work-')
let dbSeq = 0
const children = new Set<ChildProcess>()

/** A fresh database on the script's own server, migrated, with the sample community. */
async function freshDatabase(): Promise<{ url: string; db: DataSource }> {
  const name = `faults_${++dbSeq}`
  const admin = createDataSource(`${mariadb.url}/mysql`)
  await admin.initialize()
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.destroy()
  const url = `${mariadb.url}/${name}`
  const db = await openDatabase(url)
  await importCommunityFile(db, COMMUNITY, { encryptionKey: KEY })
  return { url, db }
}

// --- the bot in a process of its own ---------------------------------------------------------------

interface Receiver { port: number; proc: ChildProcess; sentFile: string }

async function startReceiver(url: string, port: number, sentFile: string, extra: Record<string, string> = {}): Promise<Receiver> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'receiver.ts')], {
    env: { ...process.env, DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY, PORT: String(port), SENT_FILE: sentFile, SPOOL_DIR: join(work, `spool-${port}`), LEASE_MS: String(LEASE_MS), ...extra },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  children.add(proc)
  proc.once('exit', () => children.delete(proc))
  for (let i = 0; i < 300; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return { port, proc, sentFile }
    await sleep(100)
  }
  throw new Error('the receiver did not start')
}

async function stopReceiver(r: Receiver, signal: NodeJS.Signals = 'SIGTERM') {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return
  const exited = new Promise((res) => r.proc.once('exit', res))
  r.proc.kill(signal)
  await exited
}

const ROOMS = ['幸福里3号楼业主群', '幸福里5号楼业主群', '幸福里业主大群']
const PROBLEMS = ['楼道灯坏了', '电梯停了', '门禁刷不开', '垃圾没人清', '水管漏水', '路灯不亮', '下水道堵了', '暖气不热']
const CHATTER = ['今天天气真好', '谢谢物业', '大家早上好', '明天几点开会？']

/** Message i of a batch: mostly reports of distinct problems, some chatter, a few private chats. */
function message(tag: string, i: number): ReceivedMessage {
  const building = (i % 12) + 1
  const text = i % 5 === 4 ? CHATTER[i % CHATTER.length]! : `${building}号楼${(i % 3) + 1}单元${PROBLEMS[i % PROBLEMS.length]}（第${i}次反映）`
  const dm = i % 7 === 6
  return {
    messageId: `${tag}-${i}`, kind: 'text', roomTopic: dm ? null : ROOMS[i % ROOMS.length]!, roomId: null,
    senderName: `居民${tag}${i % 40}`, senderId: `wxid-${tag}-${i % 40}`, text, payload: null,
  }
}

/** Delivers until the bot acknowledges (kept in the inbox or the spool); a dead bot is retried, as a puppet redelivers. */
async function deliver(port: () => number, m: ReceivedMessage): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port()}/m`, { method: 'POST', body: JSON.stringify(m), signal: AbortSignal.timeout(90_000) })
      if (res.status === 200) return
    } catch { /* the bot is down or restarting */ }
    await sleep(300)
  }
}

/** Sends n messages at `perSecond`, 8 at a time, while `during` runs alongside. */
async function sendBatch(tag: string, n: number, perSecond: number, port: () => number, during: () => Promise<void>): Promise<void> {
  let next = 0
  const started = Date.now()
  const lane = async () => {
    while (next < n) {
      const i = next++
      const due = started + (i * 1000) / perSecond
      if (due > Date.now()) await sleep(due - Date.now())
      await deliver(port, message(tag, i))
    }
  }
  await Promise.all([...Array.from({ length: 8 }, lane), during()])
}

/** Waits until everything received has been processed and everything said has been sent. */
async function settle(db: DataSource, spoolDirs: string[], timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const spooled = spoolDirs.some((d) => ['inbox-spool.jsonl', 'inbox-spool.replaying.jsonl'].some((f) => existsSync(join(d, f)) && readFileSync(join(d, f), 'utf8').trim()))
    const pending = await db.getRepository(InboxMessage).countBy({ status: 'pending' }).catch(() => 1)
    const unsent = await db.getRepository(OutboxMessage).countBy({ status: In(['pending', 'sending']) }).catch(() => 1)
    if (!spooled && !pending && !unsent) return
    await sleep(500)
  }
}

async function countOutcome(db: DataSource, tag: string, n: number, sentFile: string) {
  const inbox = await db.getRepository(InboxMessage).createQueryBuilder('i').where('i.message_id LIKE :p', { p: `${tag}-%` }).getMany()
  const ids = new Set(inbox.map((r) => r.messageId))
  const missing = Array.from({ length: n }, (_, i) => `${tag}-${i}`).filter((id) => !ids.has(id))
  const processed = inbox.filter((r) => r.status === 'processed').length
  const requests = await db.getRepository(ServiceRequest).count()
  const lines = existsSync(sentFile) ? readFileSync(sentFile, 'utf8').split('\n').filter(Boolean) : []
  const distinct = new Set(lines).size
  const outbox = await db.getRepository(OutboxMessage).count()
  const stuck = await db.getRepository(OutboxMessage).countBy({ status: In(['pending', 'sending']) })
  return { kept: ids.size, missing: missing.length, processed, requests, sentOut: distinct, duplicates: lines.length - distinct, outbox, stuck }
}

async function outageCase(name: string, tag: string, n: number, perSecond: number, fault: () => Promise<void>) {
  const { url, db } = await freshDatabase()
  const sentFile = join(work, `sent-${tag}.txt`)
  const receiver = await startReceiver(url, 3101, sentFile)
  await sendBatch(tag, n, perSecond, () => receiver.port, fault)
  await settle(db, [join(work, 'spool-3101')])
  const c = await countOutcome(db, tag, n, sentFile)
  const lost = n - c.kept
  report(name, lost === 0 && c.processed === c.kept && c.duplicates === 0 && c.stuck === 0,
    `sent ${n}, kept ${c.kept}, filed ${c.processed} (${c.requests} requests), sent out ${c.sentOut}/${c.outbox}; lost ${lost}, duplicated sends ${c.duplicates}, stuck ${c.stuck}`)
  await stopReceiver(receiver)
  await db.destroy()
}

try {
  const seconds = OUTAGE_MS / 1000
  // 1. The database stops for 30 s mid-batch (a restart, a failover).
  if (want('stop')) await outageCase(`0 messages lost through a ${seconds} s database stop`, 'stop', Math.round((seconds + 12) * 8), 8, async () => {
    await sleep(4000)
    await mariadb.stop()
    await sleep(OUTAGE_MS)
    await mariadb.start()
  })
  // 2. The database freezes for 30 s (kill -STOP): connections hang rather than fail.
  if (want('freeze')) await outageCase(`0 messages lost through a ${seconds} s kill -STOP of the database`, 'freeze', Math.round((seconds + 12) * 8), 8, async () => {
    await sleep(4000)
    mariadb.freeze()
    await sleep(OUTAGE_MS)
    mariadb.thaw()
  })
  // 3. The bot is killed -9 mid-batch and started again.
  if (want('kill')) {
    const tag = 'kill'
    const n = 240
    const { url, db } = await freshDatabase()
    const sentFile = join(work, `sent-${tag}.txt`)
    let receiver = await startReceiver(url, 3102, sentFile)
    await sendBatch(tag, n, 40, () => receiver.port, async () => {
      await sleep(2500)
      await stopReceiver(receiver, 'SIGKILL')
      await sleep(1000)
      receiver = await startReceiver(url, 3102, sentFile)
    })
    await settle(db, [join(work, 'spool-3102')])
    const c = await countOutcome(db, tag, n, sentFile)
    report('0 messages lost through a kill -9 of the bot mid-batch', c.missing === 0 && c.processed === c.kept && c.stuck === 0,
      `sent ${n}, kept ${c.kept}, filed ${c.processed} (${c.requests} requests), sent out ${c.sentOut}/${c.outbox}; lost ${c.missing}, duplicated sends ${c.duplicates}, stuck ${c.stuck}`)
    await stopReceiver(receiver)
    await db.destroy()
  }
  // 4. Two outbox workers, one killed -9 with a batch claimed: the other resumes it once the lease expires.
  if (want('lease')) {
    const { url, db } = await freshDatabase()
    const n = 300
    await inTransaction(db, (em) => enqueue(em, systemClock, Array.from({ length: n }, (_, i) => ({ dedupeKey: `lease-${i}`, channel: 'wechat_dm' as const, target: `居民${i}`, text: `消息${i}` }))))
    const sentFile = join(work, 'sent-lease.txt')
    const extra = { SEND_DELAY_MS: '25' }
    const [a, b] = await Promise.all([startReceiver(url, 3103, sentFile, extra), startReceiver(url, 3104, sentFile, extra)])
    // Kill one of them while it holds claimed rows (both are draining by then).
    for (let i = 0; i < 100 && (await db.getRepository(OutboxMessage).countBy({ status: 'sending' })) < 30; i++) await sleep(100)
    await stopReceiver(a, 'SIGKILL')
    const killedAt = Date.now()
    const stuckAtKill = await db.getRepository(OutboxMessage).countBy({ status: 'sending' })
    await settle(db, [], LEASE_MS + 30_000)
    const waited = Date.now() - killedAt
    const c = await countOutcome(db, 'none', 0, sentFile)
    // A worker sends its claimed rows one at a time and records each as sent after its send returns: killed between
    // the two, that one message is sent again once the lease expires (at least once; WeChat takes no idempotency key).
    report('at most the one send in flight repeated, none stuck beyond the lease (two workers, one killed -9)', c.duplicates <= 1 && c.stuck === 0 && c.sentOut === n,
      `${n} queued, ${stuckAtKill} claimed when one worker died, all sent ${waited < LEASE_MS + 30_000 ? `${Math.round(waited / 1000)} s later` : 'NOT within the lease'} (lease ${LEASE_MS / 1000} s); sent out ${c.sentOut}, duplicated ${c.duplicates}, stuck ${c.stuck}`)
    await stopReceiver(b)
    await db.destroy()
  }
  // 5. The same problem reported at once from 10 private chats: one request.
  if (want('same')) {
    const { db } = await freshDatabase()
    const processor = new InboxProcessor({ ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: KEY }), db, clock: systemClock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles })
    const texts = ['3号楼电梯坏了', '3号楼的电梯又坏了', '3栋电梯停了，一直不动', '三号楼电梯坏了，快来修', '3号楼电梯不动了']
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => processor.receive({
      messageId: `same-${i}`, kind: 'text', roomTopic: null, roomId: null, senderName: `邻居${i}`, senderId: `wxid-same-${i}`, text: texts[i % texts.length]!, payload: null,
    })))
    const created = results.filter((r) => r.outcome === 'created').length
    const requests = await db.getRepository(ServiceRequest).countBy({ building: '3', category: 'repair' })
    report('0 duplicate requests from 10 concurrent reports of one problem', requests === 1 && created === 1,
      `${requests} request(s); outcomes: ${created} created, ${results.filter((r) => r.outcome === 'attached').length} attached, ${results.filter((r) => !['created', 'attached'].includes(r.outcome)).length} other`)
    processor.close()
    await db.destroy()
  }
  // 6. 100 co-reporters rate one request at the same moment through the API.
  if (want('ratings')) {
    const { url, db } = await freshDatabase()
    const config = parseConfig({ DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY, LOG_LEVEL: 'silent', RATE_LIMIT_WRITES_PER_IP: '100000', RATE_LIMIT_WRITES_PER_USER: '1000' })
    const app = createApi({ config, db, clock: systemClock, logger: silentLogger }, { classifier: new OfflineClassifier() })
    const server = await new Promise<import('node:http').Server>((res) => { const s = app.listen(3105, '127.0.0.1', () => res(s)) })
    const communityId = (await db.getRepository(Staff).findOneByOrFail({ wechat: '王芳' })).communityId
    const people = await inTransaction(db, async (em) => {
      const out: number[] = []
      for (let i = 0; i < 100; i++) out.push((await em.save(Resident, em.create(Resident, { communityId, name: `评价${i}`, vulnerability: [] as never, subscribeAllowed: false }))).id)
      return out
    })
    const tokens = await Promise.all(people.map(async (id) => (await app.deps.tokens.issue({ residentId: id, staffId: null })).token))
    const call = (token: string, path: string, json: unknown) => fetch(`http://127.0.0.1:3105${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) })
      .then(async (r) => ({ status: r.status, json: await r.json().catch(() => null) }))
    const submitted = await Promise.all(tokens.map((t) => call(t, '/api/requests', { text: '12号楼2单元电梯坏了，按钮没反应', building: '12' })))
    const ids = new Set(submitted.map((r) => r.json?.request?.id))
    const requestId = [...ids][0] as number
    const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: requestId })
    const staff = await db.getRepository(Staff).findOneByOrFail({ id: request.assigneeStaffId! })
    await inTransaction(db, (em) => resolveRequest(em, systemClock, { requestId, staff, note: '已修好', channel: 'api' }))
    const rated = await Promise.all(tokens.map((t, i) => call(t, `/api/requests/${requestId}/rating`, i % 5 === 0 ? { solved: false, rating: 'unsatisfied', words: '还是坏的' } : { solved: true, rating: 'satisfied' })))
    const fives = rated.filter((r) => r.status >= 500).length + submitted.filter((r) => r.status >= 500).length
    const final = await db.getRepository(ServiceRequest).findOneByOrFail({ id: requestId })
    report('0 500s in 100 concurrent ratings', fives === 0 && ids.size === 1 && final.status !== 'closed',
      `${fives} 5xx; 100 submissions made ${ids.size} request; ratings answered ${[...new Set(rated.map((r) => r.status))].sort().join('/')}; request now ${final.status} ("not fixed" kept)`)
    server.close()
    await db.destroy()
  }
  // 7. A second WeChat account named like a staff member tries everything staff can do.
  if (want('impostor')) {
    const { db } = await freshDatabase()
    const processor = new InboxProcessor({ ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: KEY }), db, clock: systemClock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles })
    const wang = await db.getRepository(Staff).findOneByOrFail({ wechat: '王芳' })
    await inTransaction(db, async (em) => {
      const { code } = await issueBindCode(em, systemClock, { communityId: wang.communityId, staffId: wang.id })
      await redeemBindCode(em, systemClock, { code, contactId: 'wxid-real-wangfang', recentFailures: 0 })
    })
    const filed = await processor.receive({ messageId: 'imp-0', kind: 'text', roomTopic: '幸福里3号楼业主群', roomId: null, senderName: '李阿姨', senderId: 'wxid-li', text: '3号楼楼道灯坏了', payload: null })
    const r = await db.getRepository(ServiceRequest).findOneByOrFail({ id: filed.requestId! })
    const fake = { kind: 'text' as const, roomId: null, senderName: '王芳', senderId: 'wxid-fake-wangfang', payload: null }
    const attempts: ReceivedMessage[] = [
      { ...fake, messageId: 'imp-1', roomTopic: null, text: '待办' },
      { ...fake, messageId: 'imp-2', roomTopic: null, text: `接单 ${r.no}` },
      { ...fake, messageId: 'imp-3', roomTopic: null, text: `完成 ${r.no} 已修好` },
      { ...fake, messageId: 'imp-4', roomTopic: null, text: `退单 ${r.no} 不归我管` },
      { ...fake, messageId: 'imp-5', roomTopic: null, text: `转派 ${r.no} 孙丽` },
      { ...fake, messageId: 'imp-6', roomTopic: '幸福里3号楼业主群', text: `完成 ${r.no} 已修好`, payload: { mentionSelf: true } },
      { ...fake, messageId: 'imp-7', roomTopic: '陌生人的群', text: '绑定 社区' },
      { ...fake, messageId: 'imp-8', roomTopic: null, text: '认证 123456' },
      { ...fake, messageId: 'imp-9', roomTopic: null, kind: 'image', text: null, payload: { file: { storageKey: 'x.jpg', mime: 'image/jpeg', size: 10, name: 'x.jpg' } } },
    ]
    const outcomes: string[] = []
    for (const m of attempts) outcomes.push((await processor.receive(m)).outcome)
    const acted = await db.getRepository(RequestEvent).countBy({ requestId: r.id, actorType: 'staff' })
    const after = await db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })
    const rooms = await db.getRepository(ChatRoom).countBy({ topic: '陌生人的群' })
    const photos = await db.getRepository(Attachment).countBy({ uploaderType: 'staff' })
    const bound = await db.getRepository(Staff).findOneByOrFail({ id: wang.id })
    const actions = acted + (after.status !== r.status ? 1 : 0) + rooms + photos + (bound.wechatContactId !== 'wxid-real-wangfang' ? 1 : 0)
    report('0 impostor actions', actions === 0, `${attempts.length} attempts by a second "王芳" (${outcomes.join(', ')}); ${actions} took effect; request ${r.no} still ${after.status}`)
    processor.close()
    await db.destroy()
  }
} catch (err) {
  failed++
  console.log(`FAIL  the fault script itself: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
} finally {
  for (const c of children) c.kill('SIGKILL')
  await mariadb.destroy().catch(() => undefined)
  rmSync(work, { recursive: true, force: true })
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
