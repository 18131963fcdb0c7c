import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { parseConfirmCommand, parseVolunteerCommand, parseVolunteerStaffCommand, parseWish } from '../../bot/volunteerMatchers.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { OutboxMessage, ServiceRequest, Volunteer, VolunteerTask } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import type { FileStorage } from '../../src/storage/index.js'
import { issueVolunteerBindCode } from '../../src/volunteers/identity.js'
import { hoursIn, taskKindOf } from '../../src/volunteers/vocabulary.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { fileRequest, resident } from '../helpers/fixtures.js'
import { bindWechat } from '../helpers/staff.js'
import { seedVolunteerCommunity } from './fixture.js'

const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

it('reads volunteer, resident and staff words', () => {
  expect(parseVolunteerCommand('认领 12')).toEqual({ kind: 'claim', taskId: 12 })
  expect(parseVolunteerCommand('认领＃１２')).toEqual({ kind: 'claim', taskId: 12 })
  expect(parseVolunteerCommand('完成 12 1.5小时 药已送到')).toEqual({ kind: 'report', taskId: 12, note: '1.5小时 药已送到' })
  expect(parseVolunteerCommand('放弃 3')).toEqual({ kind: 'release', taskId: 3 })
  expect(parseVolunteerCommand('认领一下')).toBeNull()
  expect(parseConfirmCommand('确认 4')).toEqual({ kind: 'confirm', taskId: 4, words: null })
  expect(parseConfirmCommand('没办好 4 药没送来')).toEqual({ kind: 'dispute', taskId: 4, words: '药没送来' })
  expect(parseWish('心愿 想请人帮忙买降压药')).toBe('想请人帮忙买降压药')
  expect(parseWish('心愿')).toBe('')
  expect(parseWish('我的心愿')).toBeNull()
  expect(parseVolunteerStaffCommand('志愿 12')).toEqual({ kind: 'offer', no: '12' })
  expect(parseVolunteerStaffCommand('兑换 何军 50 洗衣液')).toEqual({ kind: 'redeem', name: '何军', points: 50, note: '洗衣液' })
  expect(parseVolunteerStaffCommand('兑换 何军')).toMatchObject({ kind: 'malformed' })
  expect(parseVolunteerStaffCommand('志愿者活动真好')).toBeNull()
  expect(hoursIn('用了2个小时')).toBe(2)
  expect(hoursIn('30分钟')).toBe(0.5)
  expect(hoursIn('药已送到')).toBeNull()
  expect(taskKindOf('降压药快吃完了，想找人帮忙代买')).toBe('代买药')
  expect(taskKindOf('想请人陪我去医院复查')).toBe('陪同就医')
  expect(taskKindOf('中午想有人送饭')).toBe('送餐')
})

describeEachDb('volunteers on WeChat', (kind) => {
  let db: DataSource, close: () => Promise<void>, processor: InboxProcessor, communityId: number
  const clock = new VirtualClock('2026-11-23T10:00:00+08:00')
  let n = 0
  const say = (sender: string, text: string, senderId = `wxid-${sender}`) =>
    processor.receive({ messageId: `v${kind}${++n}`, kind: 'text', roomTopic: null, roomId: null, senderName: sender, senderId, text, payload: null })
  const replyTo = async (inboxId: number | null) => (await db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: `inbox:${inboxId}:reply` })).text
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
    for (const name of ['王芳', '赵书记']) await bindWechat(db, clock, name, `wxid-${name}`)
    processor = new InboxProcessor({
      ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger },
      classifier: new OfflineClassifier(), storage: noFiles,
    })
  })
  afterAll(() => close())

  it('认证 binds a volunteer; before that, and from another account with the same name, 认领 grants nothing', async () => {
    const before = await say('何军', '认领 1')
    expect(await replyTo(before.inboxId)).toContain('只有已认证的志愿者可以用')
    for (const name of ['何军', '李晓']) {
      const v = await db.getRepository(Volunteer).findOneByOrFail({ name })
      const { code } = await inTransaction(db, (em) => issueVolunteerBindCode(em, clock, { communityId, volunteerId: v.id }))
      const bound = await say(name, `认证 ${code}`)
      expect(await replyTo(bound.inboxId)).toMatch(new RegExp(`^认证成功：本微信已绑定为志愿者 ${name}`))
    }
    expect((await db.getRepository(Volunteer).findOneByOrFail({ name: '何军' })).wechatContactId).toBe('wxid-何军')
    const impostor = await say('何军', '认领 1', 'wxid-impostor')
    expect(await replyTo(impostor.inboxId)).toContain('只有已认证的志愿者可以用')
    // 完成 from someone who is neither staff nor a volunteer is refused as a staff command.
    const stranger = await say('路人', '完成 1 好了')
    expect(await replyTo(stranger.inboxId)).toContain('您没有权限操作')
  })

  it('志愿 → 认领 (first wins) → 完成 → the resident\'s 确认 → points; 积分 shows the balance', async () => {
    const who = await resident(db, communityId, '孙奶奶', { building: '3', wechatContactId: 'wxid-孙奶奶' })
    const r = await fileRequest(db, clock, communityId, { text: '腿脚不便，想请人帮忙代买降压药', category: 'elderly_help', urgency: 'low', reporterId: who.id })
    const offer = await say('王芳', `志愿 ${r.no}`)
    expect(await replyTo(offer.inboxId)).toMatch(/^已把工单发给 2 位志愿者（志愿任务 #(\d+)：代买药）/)
    const task = await db.getRepository(VolunteerTask).findOneByOrFail({ requestId: r.id })
    expect(await replyTo((await say('何军', `认领 ${task.id}`)).inboxId)).toContain(`您已认领志愿任务 #${task.id}（代买药）`)
    expect(await replyTo((await say('李晓', `认领 ${task.id}`)).inboxId)).toBe(`志愿任务 #${task.id} 已经被其他志愿者认领了，谢谢您！有新任务会再通知您。`)
    expect(await replyTo((await say('何军', `完成 ${task.id} 2小时 已送到`)).inboxId)).toContain('用时 2 小时')
    // Someone else showing her name cannot confirm for her.
    expect(await replyTo((await say('孙奶奶', `确认 ${task.id}`, 'wxid-other')).inboxId)).toBe(`没有找到志愿任务 #${task.id}，请核对编号。`)
    expect(await replyTo((await say('孙奶奶', `确认 ${task.id}`)).inboxId)).toBe(`谢谢您的确认！志愿任务 #${task.id} 已完成。`)
    const paid = (await db.getRepository(OutboxMessage).find()).find((m) => m.dedupeKey.startsWith(`task-confirm:${task.id}`))!
    expect([paid.target, paid.text]).toEqual(['何军', `居民已确认志愿任务 #${task.id}（代买药）办好了，您获得 18 爱心积分，当前共 18 分。谢谢您！`])
    expect(await replyTo((await say('何军', '积分')).inboxId)).toBe('您现有 18 爱心积分；本月已得 18 分，排第 1 名。')
    expect(await replyTo((await say('赵书记', '兑换 何军 30 电饭煲')).inboxId)).toBe('何军 只有 18 积分，不够兑换 30 分。')
    expect(await replyTo((await say('赵书记', '兑换 何军 8 洗衣液')).inboxId)).toBe('已为 何军 兑换 8 积分（洗衣液），剩余 10 分。')
    expect(await replyTo((await say('王芳', '兑换 何军 8 洗衣液')).inboxId)).toBe('只有书记可以登记积分兑换')
  })

  it('志愿 refuses an urgent request in plain words', async () => {
    const r = await fileRequest(db, clock, communityId, { text: '独居老人摔倒了', category: 'elderly_help', urgency: 'urgent' })
    expect(await replyTo((await say('王芳', `志愿 ${r.no}`)).inboxId)).toBe(`工单 ${r.no} 是「紧急」，不能交给志愿者，请工作人员尽快处理。`)
    expect(await db.getRepository(VolunteerTask).countBy({ requestId: r.id })).toBe(0)
    expect(await replyTo((await say('王芳', '志愿 99999')).inboxId)).toBe('没有找到工单 99999，请核对工单号。发送「待办」可查看您手上的工单。')
  })

  it('心愿 from a resident goes to the volunteers of their grid; one that reads as urgent becomes a request for staff', async () => {
    await resident(db, communityId, '钱大爷', { building: '2' })
    const wish = await say('钱大爷', '心愿 想请人周末陪我去医院复查')
    expect(await replyTo(wish.inboxId)).toMatch(/^您的心愿已登记（#\d+：陪同就医），已发给附近的 2 位志愿者/)
    const before = await db.getRepository(ServiceRequest).count()
    const urgent = await say('钱大爷', '心愿 家里闻到很大的煤气味')
    expect(await db.getRepository(VolunteerTask).countBy({ description: '微心愿：家里闻到很大的煤气味' })).toBe(0)
    expect(urgent.outcome).toBe('created')
    expect(await db.getRepository(ServiceRequest).count()).toBe(before + 1)
  })
})
