import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { Simulation } from '../../app/sim/simulation.js'
import { deactivateStaff, updateStaff } from '../../src/community/manage.js'
import { parseConfig } from '../../src/config.js'
import { Attachment, ChatRoom, InboxMessage, OutboxMessage, RequestEvent, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { BIND_ATTEMPTS_PER_HOUR, issueBindCode } from '../../src/people/staffIdentity.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'
import { bindWechat } from '../helpers/staff.js'

// Staff powers follow the WeChat contact bound with a one-time code, never a display name.
describeEachDb('staff identity on WeChat', (kind) => {
  let db: DataSource, close: () => Promise<void>, sim: Simulation
  const config = parseConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY })
  const room = '幸福里3号楼业主群'

  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    sim = await Simulation.create({ db, config, logger: silentLogger, start: new Date(T0), classifier: new OfflineClassifier() })
  })
  afterAll(async () => {
    await sim?.close()
    await close()
  })

  const sent = (fn: () => Promise<unknown>) => sim.sentDuring(fn)
  const wang = () => db.getRepository(Staff).findOneByOrFail({ wechat: '王芳' })
  const byNo = (no: string) => db.getRepository(ServiceRequest).findOneByOrFail({ no })
  async function newRequest(text: string): Promise<ServiceRequest> {
    const [handled] = await sim.say({ from: '李阿姨', room, text })
    expect(handled).toMatchObject({ outcome: 'created' })
    return db.getRepository(ServiceRequest).findOneByOrFail({ id: handled!.requestId! })
  }
  /** Outbox DMs written for a contact id (the simulator prints names, which an impostor shares). */
  const dmsToContact = async (contactId: string) => (await db.getRepository(OutboxMessage).find({ where: { channel: 'wechat_dm' }, order: { id: 'ASC' } }))
    .filter((m) => m.payload?.contactId === contactId)

  it('a second contact named 王芳 can neither read her tasks nor act on them; the resident hears nothing', async () => {
    const r = await newRequest('3号楼楼道灯坏了')
    const impostor = sim.contact('王芳', true)
    expect(impostor.id).not.toBe(sim.contact('王芳').id)
    for (const text of ['待办', `接单 ${r.no}`, `完成 ${r.no} 已修好`, `退单 ${r.no} 不归我管`, `转派 ${r.no} 孙丽`]) {
      const [handled] = await sim.say({ from: '王芳', impostor: true, text })
      expect(handled!.outcome, text).toBe('refused')
    }
    const replies = await dmsToContact(impostor.id)
    expect(replies).toHaveLength(5)
    for (const m of replies) {
      expect(m.text).toContain('没有权限')
      expect(m.text).toContain('认证')
      expect(m.text).not.toContain('3号楼楼道灯') // nothing of her task list
    }
    expect((await byNo(r.no)).status).toBe('dispatched')
    expect(await db.getRepository(RequestEvent).count({ where: { requestId: r.id, actorType: 'staff' } })).toBe(0)

    // in a bound group, too: the command is not run (and not filed as a report)
    const [inGroup] = await sim.say({ from: '王芳', impostor: true, room, text: `完成 ${r.no} 已修好`, mention: true })
    expect(inGroup!.outcome).toBe('refused')
    expect((await byNo(r.no)).status).toBe('dispatched')

    // a photo is not attached as hers after her 完成
    await sim.say({ from: '王芳', text: `完成 ${r.no} 已更换灯泡` })
    expect((await byNo(r.no)).status).toBe('resolved')
    await sim.say({ from: '王芳', impostor: true, image: true })
    expect(await db.getRepository(Attachment).count({ where: { requestId: r.id, uploaderType: 'staff' } })).toBe(0)
    await sim.say({ from: '王芳', image: true })
    expect(await db.getRepository(Attachment).count({ where: { requestId: r.id, uploaderType: 'staff' } })).toBe(1)
  })

  it('an impostor cannot bind a group with 绑定', async () => {
    const topic = '幸福里临时测试群'
    const lines = await sent(() => sim.say({ from: '赵书记', impostor: true, room: topic, text: '绑定 社区' }))
    expect(lines).toEqual([])
    expect(await db.getRepository(ChatRoom).findOneBy({ topic })).toBeNull()
    await sim.say({ from: '赵书记', room: topic, text: '绑定 社区' })
    expect(await db.getRepository(ChatRoom).findOneBy({ topic })).not.toBeNull()
  })

  it('binding: wrong codes are refused and counted, a code works once, re-binding moves the powers to the new contact', async () => {
    const phone2 = sim.contact('王芳-新手机')
    const wrong = await sent(() => sim.say({ from: '王芳-新手机', text: '认证 000000' }))
    expect(wrong[0]!.text).toContain('认证码不正确或已失效')
    const issue = async () => (await inTransaction(db, async (em) => issueBindCode(em, sim.clock, { communityId: (await wang()).communityId, staffId: (await wang()).id }))).code
    // a code posted in a group is never accepted there: everyone saw it, so it is voided
    const exposed = await issue()
    const posted = await sent(() => sim.say({ from: '王芳-新手机', room, text: `认证 ${exposed}` }))
    expect(posted[0]!.text).toBe('@王芳-新手机 认证码请私聊我发送，不要发在群里。这个认证码已在群里公开，已作废，请向书记重新领取。')
    expect((await wang()).wechatContactId).toBe(sim.contact('王芳').id)
    expect((await sent(() => sim.say({ from: '王芳-新手机', text: `认证 ${exposed}` })))[0]!.text).toContain('认证码不正确或已失效')
    // a code that was never valid is not "公开": the 书记 posting one is not told to ask the 书记
    const unknown = await sent(() => sim.say({ from: '赵书记', room, text: '认证 123456' }))
    expect(unknown[0]!.text).toBe('@赵书记 认证码请私聊我发送，不要发在群里。这个认证码不正确或已失效，请核对后私聊发给我。')
    const code = await issue()

    const ok = await sent(() => sim.say({ from: '王芳-新手机', text: `认证 ${code}` }))
    expect(ok[0]!.text).toContain('认证成功')
    const bound = await wang()
    expect(bound.wechatContactId).toBe(phone2.id)
    expect(bound.wechatRemark).toMatch(/^王芳·接诉\d+-[0-9a-f]{4}$/)
    // the bot gives the contact its remark, through the outbox
    expect(await db.getRepository(OutboxMessage).findOneBy({ channel: 'wechat_remark', target: phone2.id })).toMatchObject({ status: 'sent', text: bound.wechatRemark })

    // the old phone's contact has lost the powers; the new one has them
    const r = await newRequest('3号楼垃圾桶满了没人清')
    const [old] = await sim.say({ from: '王芳', text: `接单 ${r.no}` })
    expect(old!.outcome).toBe('refused')
    const [fresh] = await sim.say({ from: '王芳-新手机', text: `接单 ${r.no}` })
    expect(fresh!.outcome).toBe('command')
    expect((await byNo(r.no)).status).toBe('accepted')

    // the same code a second time, by anyone, is refused
    const reused = await sent(() => sim.say({ from: '王芳', impostor: true, text: `认证 ${code}` }))
    expect(reused[0]!.text).toContain('认证码不正确或已失效')
  })

  it('too many wrong codes from one contact are refused even when one is right', async () => {
    const s = await db.getRepository(Staff).findOneByOrFail({ wechat: '孙丽' })
    for (let i = 0; i < BIND_ATTEMPTS_PER_HOUR; i++) await sim.say({ from: '猜码的人', text: `认证 ${String(100000 + i)}` })
    const { code } = await inTransaction(db, (em) => issueBindCode(em, sim.clock, { communityId: s.communityId, staffId: s.id }))
    const lines = await sent(() => sim.say({ from: '猜码的人', text: `认证 ${code}` }))
    expect(lines[0]!.text).toContain('尝试次数过多')
    expect((await db.getRepository(Staff).findOneByOrFail({ id: s.id })).wechatContactId).toBe(sim.contact('孙丽').id)
  })

  it('deactivation revokes the binding: re-activated staff must bind again', async () => {
    const s = await db.getRepository(Staff).findOneByOrFail({ wechat: '陈明' })
    await inTransaction(db, (em) => deactivateStaff(em, { communityId: s.communityId, staffId: s.id }, { encryptionKey: TEST_KEY }))
    expect((await db.getRepository(Staff).findOneByOrFail({ id: s.id })).wechatContactId).toBeNull()
    await inTransaction(db, (em) => updateStaff(em, { communityId: s.communityId, staffId: s.id, active: true }, { encryptionKey: TEST_KEY }))
    const [handled] = await sim.say({ from: '陈明', text: '接单 1' })
    expect(handled!.outcome).toBe('refused')
    await sim.bindStaff(s.communityId)
    const [again] = await sim.say({ from: '陈明', text: '待办' })
    expect(again!.outcome).toBe('command')
  })

  it('a bound staff member whose contact id changed (a new puppet session) is known by the bot\'s remark; a name is not', async () => {
    const s = await wang()
    const base = { kind: 'text' as const, roomTopic: null, roomId: null, senderName: '王芳', text: '待办' }
    const byRemark = await sim.plugin.processor.receive({ ...base, messageId: `remark-1-${kind}`, senderId: 'wxid-new-session', payload: { alias: s.wechatRemark } })
    expect(byRemark.outcome).toBe('command')
    expect((await wang()).wechatContactId).toBe('wxid-new-session')
    const nameAsRemark = await sim.plugin.processor.receive({ ...base, messageId: `remark-2-${kind}`, senderId: 'wxid-someone-else', payload: { alias: '王芳' } })
    expect(nameAsRemark.outcome).toBe('refused')
  })

  it('完成 with a 25,000-character note is kept in the inbox and answered with a clear limit, not a database error', async () => {
    const r = await newRequest('3号楼单元门的闭门器坏了')
    await bindWechat(db, sim.clock, '王芳', sim.contact('王芳').id)
    const note = '已处理'.repeat(8400)
    const lines = await sent(() => sim.say({ from: '王芳', text: `完成 ${r.no} ${note}` }))
    expect(lines.at(-1)!.text).toMatch(/处理说明太长了（\d+ 字），请控制在 500 字以内/)
    expect((await byNo(r.no)).status).toBe('dispatched')
    const kept = await db.getRepository(InboxMessage).findOneByOrFail({ text: `完成 ${r.no} ${note}` })
    expect(kept.status).toBe('processed')
  })
})
