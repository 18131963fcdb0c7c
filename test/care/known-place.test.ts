import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { isJustPlace } from '../../bot/wishPlace.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { OutboxMessage, Resident, ServiceRequest, Staff, VolunteerTask } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { TEST_KEY } from '../helpers/db.js'
import { resident } from '../helpers/fixtures.js'
import { bindVolunteers, VOLUNTEERS_YAML } from '../volunteers/fixture.js'
import { careYaml, ROSTER_YAML, seedCareCommunity } from './fixture.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

describeEachDb('a resident\'s place from what is known: 心愿 and reports reach their grid', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor, communityId: number
  const clock = new VirtualClock('2026-11-23T10:00:00+08:00')
  let n = 0
  const say = (sender: string, text: string) =>
    processor.receive({ messageId: `kp${kind}${++n}`, kind: 'text', roomTopic: null, roomId: null, senderName: sender, senderId: `wxid-${sender}`, text, payload: null })
  const replyTo = async (inboxId: number | null) => (await db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: `inbox:${inboxId}:reply` })).text
  const outbox = () => db.getRepository(OutboxMessage).find({ order: { id: 'ASC' } })
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedCareCommunity(db, clock, careYaml(ROSTER_YAML + VOLUNTEERS_YAML))
    await bindVolunteers(db, clock, communityId)
    processor = new InboxProcessor({
      ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger },
      classifier: new OfflineClassifier(), storage: noFiles,
    })
  })
  afterAll(() => close())

  it('a roster resident\'s 心愿 goes to her grid\'s volunteers only, and her grid leader is told where she lives', async () => {
    const wish = await say('张奶奶', '心愿 想请人周末陪我去医院复查')
    expect(await replyTo(wish.inboxId)).toMatch(/已发给附近的 2 位志愿者/)
    const task = await db.getRepository(VolunteerTask).findOneByOrFail({ description: '微心愿：想请人周末陪我去医院复查' })
    const out = await outbox()
    expect(out.filter((m) => m.dedupeKey.startsWith(`task-offer:${task.id}:`)).map((m) => m.target).sort()).toEqual(['何军', '李晓'])
    const told = out.filter((m) => m.dedupeKey.startsWith(`wish:${task.id}:`))
    expect(told.map((m) => m.target)).toEqual(['王芳'])
    expect(told[0]!.text).toContain('张奶奶（3号楼1单元302）')
  })

  it('a wish from someone whose place is unknown still tells staff, who are asked to contact them', async () => {
    const who = await resident(db, communityId, '路阿姨', { wechatContactId: 'wxid-路阿姨' })
    const wish = await say('路阿姨', '心愿 想请人帮忙买降压药')
    expect(await replyTo(wish.inboxId)).toContain('已发给附近的 3 位志愿者')
    const task = await db.getRepository(VolunteerTask).findOneByOrFail({ residentId: who.id })
    const told = (await outbox()).filter((m) => m.dedupeKey.startsWith(`wish:${task.id}:`))
    const secretary = await db.getRepository(Staff).findOneByOrFail({ communityId, role: 'secretary' })
    expect(told.map((m) => m.target)).toEqual([secretary.wechat])
    expect(told[0]!.text).toContain('住址未知')
    expect(await replyTo(wish.inboxId)).toContain('请告诉我您住几号楼几单元')

    // Her answer is where the wish is: not a ticket; her grid's leader is told and her profile keeps it.
    const requests = await db.getRepository(ServiceRequest).count()
    const place = await say('路阿姨', '3号楼2单元')
    expect(await replyTo(place.inboxId)).toBe(`已记下您的住址：3号楼2单元。您的心愿 #${task.id}（代买药）网格员 王芳 会跟进。`)
    expect(await db.getRepository(ServiceRequest).count()).toBe(requests)
    expect((await outbox()).find((m) => m.dedupeKey.startsWith(`wish:${task.id}:placed`))!.target).toBe('王芳')
    expect((await db.getRepository(VolunteerTask).findOneByOrFail({ id: task.id })).gridId).not.toBeNull()
    expect((await db.getRepository(Resident).findOneByOrFail({ id: who.id })).building).toBe('3')
  })

  it('a roster resident\'s urgent report naming no place takes her roster address and goes to her grid leader', async () => {
    const fall = await say('张奶奶', '心愿 我摔倒了起不来')
    const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: (await db.getRepository(ServiceRequest).find({ order: { id: 'DESC' }, take: 1 }))[0]!.id })
    expect(fall.requestId).toBe(request.id)
    expect({ building: request.building, unit: request.unit, roomNo: request.roomNo, urgency: request.urgency }).toEqual({ building: '3', unit: '1', roomNo: '302', urgency: 'urgent' })
    const leader = await db.getRepository(Staff).findOneByOrFail({ id: request.assigneeStaffId! })
    expect(leader.name).toBe('王芳')
    const out = await outbox()
    expect(out.some((m) => m.target === '王芳' && m.requestId === request.id)).toBe(true)
    expect(out.some((m) => m.dedupeKey === `inbox:${fall.inboxId}:ask`)).toBe(false) // no need to ask where she is
  })
})

it('reads a bare place as a place, and a report naming one as a report', () => {
  expect(['3号楼2单元', '我住5栋301', '3号楼', 'B座1703'].filter(isJustPlace)).toEqual(['3号楼2单元', '我住5栋301', '3号楼', 'B座1703'])
  expect(['3号楼2单元灯坏了', '心愿', '谢谢'].filter(isJustPlace)).toEqual([])
})
