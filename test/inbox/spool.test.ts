import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { InboxMessage, ServiceRequest } from '../../src/db/entities/index.js'
import type { ReceivedMessage } from '../../src/inbox/inbox.js'
import { InboxSpool, isDatabaseOutage } from '../../src/inbox/spool.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'

const msg = (id: string, text: string, roomTopic: string | null = '幸福里3号楼业主群'): ReceivedMessage => ({
  messageId: id, kind: 'text', roomTopic, roomId: null, senderName: `住户${id}`, senderId: `wxid-${id}`, text, payload: null,
})
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' })

describe('InboxSpool', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'jiesu-spool-')) })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('replays in order, pauses while the database is away, resumes where it stopped, keeps torn and refused lines aside', async () => {
    const spool = new InboxSpool(dir)
    for (let i = 1; i <= 5; i++) spool.append(msg(`m${i}`, `第${i}条`))
    expect(spool.hasBacklog()).toBe(true)
    const kept: string[] = []
    let down = true
    const keep = async (m: ReceivedMessage) => {
      if (m.messageId === 'm3' && down) throw refused()
      if (m.messageId === 'm4') throw new Error('Incorrect string value')
      kept.push(m.messageId)
    }
    const first = await spool.replay(keep, isDatabaseOutage)
    expect(first).toMatchObject({ replayed: 2, left: 3 })
    expect(kept).toEqual(['m1', 'm2'])
    // arrivals during the outage queue behind the backlog; a torn line from a crash is set aside
    spool.append(msg('m6', '第6条'))
    writeFileSync(spool.file, `${readFileSync(spool.file, 'utf8')}{"messageId":"m7","ki`)
    down = false
    const second = await spool.replay(keep, isDatabaseOutage)
    expect(kept).toEqual(['m1', 'm2', 'm3', 'm5', 'm6'])
    expect(second).toMatchObject({ replayed: 3, rejected: 2, left: 0 })
    expect(spool.hasBacklog()).toBe(false)
    const rejected = readFileSync(join(dir, 'inbox-spool.rejected.jsonl'), 'utf8')
    expect(rejected).toContain('m4')
    expect(rejected).toContain('"m7"')
  })

  it('tells an outage from a refusal', () => {
    expect(isDatabaseOutage(refused())).toBe(true)
    expect(isDatabaseOutage(Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' }))).toBe(true)
    expect(isDatabaseOutage(Object.assign(new Error('x'), { code: 'INBOX_TIMEOUT' }))).toBe(true)
    expect(isDatabaseOutage(Object.assign(new Error("Duplicate entry '1' for key 'PRIMARY'"), { code: 'ER_DUP_ENTRY' }))).toBe(false)
  })
})

// The processor with the database going away: nothing received is lost, and nothing is kept twice.
describeEachDb('inbox during a database outage', (kind) => {
  let db: DataSource, close: () => Promise<void>, dir: string
  const clock = new VirtualClock(T0)
  let down = false
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedSampleCommunity(db)
    dir = mkdtempSync(join(tmpdir(), 'jiesu-spool-'))
  })
  afterAll(async () => {
    await close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('spools what arrives while the database is away, replays it in order when it returns, once', async () => {
    // The database as the processor sees it: every transaction, and every statement outside one, refused while `down`.
    const flaky = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'transaction' && down) return () => Promise.reject(refused())
        if (prop === 'manager' && down) throw refused()
        const v = Reflect.get(target, prop, receiver)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const spool = new InboxSpool(dir)
    const processor = new InboxProcessor({
      ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db: flaky, clock, logger: silentLogger },
      classifier: new OfflineClassifier(), storage: { put: async () => undefined, get: async () => null, delete: async () => undefined }, spool,
    })
    const texts = ['1号楼楼道灯坏了', '2号楼电梯停了', '5号楼门禁刷不开', '6号楼垃圾没人清', '7号楼水管爆了', '8号楼路灯不亮']
    expect((await processor.receive(msg(`a-${kind}`, texts[0]!))).outcome).toBe('created')
    down = true
    const during = await Promise.all(texts.slice(1, 4).map((t, i) => processor.receive(msg(`b${i}-${kind}`, t))))
    expect(during.map((h) => h.outcome)).toEqual(['spooled', 'spooled', 'spooled'])
    down = false
    // back, but the backlog is not replayed yet: a new message waits behind it (a chat stays in order)
    expect((await processor.receive(msg(`c-${kind}`, texts[4]!))).outcome).toBe('spooled')
    // a message that reached the inbox and the spool both (a timeout, then the insert went through) is kept once
    spool.append(msg(`a-${kind}`, texts[0]!))
    expect(await processor.replaySpool()).toBe(5)
    await processor.idle()
    expect(spool.hasBacklog()).toBe(false)
    const rows = await db.getRepository(InboxMessage).find({ where: { channel: 'wechat' }, order: { id: 'ASC' } })
    expect(rows.map((r) => r.messageId)).toEqual([`a-${kind}`, `b0-${kind}`, `b1-${kind}`, `b2-${kind}`, `c-${kind}`])
    expect(rows.every((r) => r.status === 'processed')).toBe(true)
    expect(await db.getRepository(ServiceRequest).count()).toBe(5)
    processor.close()
    expect(existsSync(join(dir, 'inbox-spool.rejected.jsonl'))).toBe(false)
  })
})
