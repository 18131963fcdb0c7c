import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { isAllWell, parseVisitCommand } from '../../bot/visitMatchers.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { CareResident, CareVisit, OutboxMessage, Resident, ServiceRequest } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { seedCareCommunity } from './fixture.js'
import { bindWechat } from '../helpers/staff.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

it('reads 走访 commands and tells a plain visit from a need', () => {
  expect(parseVisitCommand('走访 张奶奶 血压正常，想找人代买降压药')).toEqual({ name: '张奶奶', note: '血压正常，想找人代买降压药' })
  expect(parseVisitCommand('走访张奶奶，一切正常')).toEqual({ name: '张奶奶', note: '一切正常' })
  expect(parseVisitCommand('走访 3号楼张奶奶')).toEqual({ name: '3号楼张奶奶', note: null })
  expect(parseVisitCommand('今天走访了张奶奶')).toBeNull()
  expect(isAllWell('一切正常。')).toBe(true)
  expect(isAllWell(null)).toBe(true)
  expect(isAllWell('身体正常')).toBe(true)
  expect(isAllWell('想找人代买降压药')).toBe(false)
})

describeEachDb('走访 in private chat', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor
  const clock = new VirtualClock('2026-11-23T10:00:00+08:00')
  let n = 0
  const say = (sender: string, text: string, messageId = `m${kind}${++n}`) =>
    processor.receive({ messageId, kind: 'text', roomTopic: null, roomId: null, senderName: sender, senderId: `wxid-${sender}`, text, payload: null })
  const replyTo = async (inboxId: number | null) => (await db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: `inbox:${inboxId}:reply` })).text
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    await seedCareCommunity(db, clock)
    for (const name of ['王芳', '刘强', '赵书记']) await bindWechat(db, clock, name, `wxid-${name}`)
    processor = new InboxProcessor({
      ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger },
      classifier: new OfflineClassifier(), storage: noFiles,
    })
  })
  afterAll(() => close())

  it('records a visit only when all is well', async () => {
    const h = await say('王芳', '走访 李爷爷 一切正常')
    expect(h.outcome).toBe('command')
    expect(await replyTo(h.inboxId)).toMatch(/^已记录对 李爷爷 的走访。\n下次走访：12月21日 10:00 前。$/)
    expect(await db.getRepository(ServiceRequest).count()).toBe(0)
  })

  it('turns a need in the note into a 代报 request linked to the visit, once even if the message is replayed', async () => {
    const h = await say('王芳', '走访 张奶奶 血压正常，想找人代买降压药', 'need-1')
    expect(h.outcome).toBe('command')
    const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: h.requestId! })
    expect(request).toMatchObject({ source: 'staff', building: '3', unit: '1', roomNo: '302', originalText: '血压正常，想找人代买降压药' })
    const zhang = (await db.getRepository(CareResident).find({ order: { id: 'ASC' } }))[0]!
    expect(request.reporterResidentId).toBe(zhang.residentId)
    expect((await db.getRepository(Resident).findOneByOrFail({ id: zhang.residentId! })).vulnerability).toEqual(['living_alone_elderly', 'elderly'])
    const visit = await db.getRepository(CareVisit).findOneByOrFail({ causeKey: `inbox:${h.inboxId}:visit` })
    expect(visit).toMatchObject({ status: 'done', requestId: request.id })
    expect(await replyTo(h.inboxId)).toContain(`已代报工单 ${request.no}`)
    expect((await say('王芳', '走访 张奶奶 血压正常，想找人代买降压药', 'need-1')).outcome).toBe('duplicate')
    expect(await db.getRepository(ServiceRequest).count()).toBe(1)
  })

  it('finds only residents the sender looks after', async () => {
    const h = await say('刘强', '走访 张奶奶 一切正常')
    expect(h.outcome).toBe('command_rejected')
    expect(await replyTo(h.inboxId)).toBe('没有找到您负责的关爱对象「张奶奶」。您负责的有：陈阿婆')
    expect((await say('赵书记', '走访 陈阿婆 一切正常')).outcome).toBe('command') // the 书记 may visit anyone
  })

  it('a roster resident\'s own report restarts their visit clock', async () => {
    clock.set('2026-11-25T09:00:00+08:00')
    const zhang = (await db.getRepository(CareResident).find({ order: { id: 'ASC' } }))[0]!
    const h = await say('张奶奶', '家里水龙头坏了，一直滴水')
    expect(h.outcome).toBe('created')
    expect((await db.getRepository(CareResident).findOneByOrFail({ id: zhang.id })).lastContactAt).toEqual(clock.now())
    const open = await db.getRepository(CareVisit).findOneByOrFail({ openFor: zhang.id })
    expect(open.dueAt).toEqual(new Date(clock.now().getTime() + 7 * 86_400_000))
  })
})
