import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { Simulation, type OutputLine } from '../../app/sim/simulation.js'
import { parseConfig } from '../../src/config.js'
import { Attachment, ChatPrompt, RequestEvent, RequestReporter, RoomNotice, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'
import { T0 } from '../helpers/fixtures.js'

// Issue 11 through the real bot on wechaty-puppet-mock: staff notices, case commands, the bot asking, notes, voices.
describeEachDb('case handling in the bot', (kind) => {
  let db: DataSource, close: () => Promise<void>, sim: Simulation
  const config = parseConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY })

  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    sim = await Simulation.create({ db, config, logger: silentLogger, start: new Date(T0), classifier: new OfflineClassifier() })
  })
  afterAll(async () => {
    await sim?.close()
    await close()
  })

  const sent = (fn: () => Promise<unknown>) => sim.sentDuring(fn)
  const count = () => db.getRepository(ServiceRequest).count()
  const byId = (id: number) => db.getRepository(ServiceRequest).findOneByOrFail({ id })
  const dmTo = (lines: OutputLine[], name: string) => lines.filter((l) => l.type === 'dm' && l.to === name).map((l) => l.text)
  const inRoom = (lines: OutputLine[], topic: string) => lines.filter((l) => l.type === 'room' && l.room === topic).map((l) => l.text)
  const staffId = async (wechat: string) => (await db.getRepository(Staff).findOneByOrFail({ wechat })).id
  async function report(from: string, text: string, room?: string): Promise<ServiceRequest> {
    const [handled] = await sim.say({ from, text, ...(room ? { room } : {}) })
    expect(handled, `${from}: ${text}`).toMatchObject({ outcome: 'created' })
    return byId(handled!.requestId!)
  }

  describe('1. staff speaking in groups', () => {
    it('a grid leader\'s notice is no ticket, and a resident\'s question about it is answered from it, not merged', async () => {
      const room = '幸福里3号楼业主群'
      const before = await count()
      const notice = await sent(() => sim.say({ from: '王芳', room, text: '各位邻居，明天上午9点到12点3号楼停水检修，请提前储水' }))
      expect(notice).toEqual([])
      expect(await count()).toBe(before)
      expect(await db.getRepository(RoomNotice).count()).toBe(1)

      const [handled] = await sim.say({ from: '钱大妈', room, text: '3号楼明天停水吗？' })
      expect(handled!.outcome).toBe('notice_answered')
      const answer = inRoom(sim.outputs.slice(-1), room)[0]!
      expect(answer).toMatch(/^@钱大妈 王芳已在群里通知：“各位邻居，明天上午9点到12点3号楼停水检修/)
      expect(answer).not.toMatch(/工单/)
      expect(await count()).toBe(before)
      // asked privately, naming the building: the same notice answers
      const [dm] = await sim.say({ from: '钱大妈', text: '3号楼明天几点停水？' })
      expect(dm!.outcome).toBe('notice_answered')
      expect(dmTo(sim.outputs.slice(-1), '钱大妈')[0]).toContain('王芳已在群里通知')
      // staff chatting with residents is not a request either
      expect((await sim.say({ from: '王芳', room, text: '好的，我下午过去看看' }))[0]!.outcome).toBe('staff_message')
      expect(await count()).toBe(before)
      // another building's question is not answered from it
      expect((await sim.say({ from: '钱大妈', room: '幸福里业主大群', text: '8号楼明天停水吗？' }))[0]!.outcome).not.toBe('notice_answered')
    })

    it('an explicit 上报 from staff in a group is a staff report: acknowledged as theirs and signed for when it is theirs', async () => {
      const room = '幸福里3号楼业主群'
      const lines = await sent(() => sim.say({ from: '王芳', room, text: '上报 3号楼2单元门口井盖缺失' }))
      const r = (await db.getRepository(ServiceRequest).find({ order: { id: 'DESC' }, take: 1 }))[0]!
      expect(r).toMatchObject({ source: 'staff', assigneeStaffId: await staffId('王芳'), status: 'accepted' })
      const ack = inRoom(lines, room)
      expect(ack[0]).toContain(`已登记您上报的问题，工单号 ${r.no}`)
      expect(ack[0]).toContain('已为您签收')
      expect(ack[0]).not.toContain('可私聊我发送「进度」')
      expect(dmTo(lines, '王芳').some((t) => t.includes('【新工单'))).toBe(false)
    })
  })

  describe('3. the bot asks for what it needs', () => {
    it('asks an urgent report without a place "请问是几号楼几单元？" and the next message fills it in and re-routes', async () => {
      const room = '幸福里业主大群'
      const lines = await sent(() => report('周阿姨', '楼道里一股煤气味，挺冲的', room))
      const r = (await db.getRepository(ServiceRequest).find({ order: { id: 'DESC' }, take: 1 }))[0]!
      expect(r).toMatchObject({ urgency: 'urgent', building: null, assigneeStaffId: await staffId('赵书记') })
      const said = inRoom(lines, room)
      expect(said.some((t) => t.includes('⚠️ 安全提示'))).toBe(true)
      expect(said.filter((t) => t.includes('请问是几号楼几单元？'))).toHaveLength(1)
      // the 书记's task carries the 书记's commands, not the assignee's 退单
      const task = dmTo(lines, '赵书记').join('\n')
      expect(task).toContain(`转派 ${r.no} 姓名`)
      expect(task).not.toContain('退单')

      const before = await count()
      const answer = await sent(() => sim.say({ from: '周阿姨', room, text: '是7号楼3单元' }))
      expect(await count()).toBe(before)
      const filled = await byId(r.id)
      expect(filled).toMatchObject({ building: '7', unit: '3', assigneeStaffId: await staffId('刘强'), status: 'dispatched' })
      expect(inRoom(answer, room)[0]).toContain(`已补充位置：7号楼3单元（工单 ${r.no}），由刘强负责处理`)
      expect(dmTo(answer, '刘强')[0]).toContain(`【新工单 ${r.no}】`)
      const event = await db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'location_set' })
      expect(event).toMatchObject({ actorType: 'resident', channel: 'group' })
      // asked once: the prompt is answered, a second place is an ordinary message
      expect(await db.getRepository(ChatPrompt).count({ where: { requestId: r.id, status: 'open' } })).toBe(0)
    })

    it('a new report sent after "请问是几号楼几单元？" is filed as its own request, not taken as the place', async () => {
      const first = await report('李大姐', '家里水龙头一直关不紧，滴水')
      const asked = await db.getRepository(ChatPrompt).findOneByOrFail({ requestId: first.id, kind: 'location' })
      expect(asked.status).toBe('open')
      const [next] = await sim.say({ from: '李大姐', text: 'The street light outside building 3 is broken, please fix' })
      expect(next).toMatchObject({ outcome: 'created' })
      const street = await byId(next!.requestId!)
      expect(street.id).not.toBe(first.id)
      expect(street).toMatchObject({ building: '3', originalText: 'The street light outside building 3 is broken, please fix' })
      expect((await byId(first.id)).building).toBeNull()
      expect((await db.getRepository(ChatPrompt).findOneByOrFail({ id: asked.id })).status).toBe('closed')
    })

    it('a private report re-routed by its place: the task DM keeps （私聊） as the source, the reason on its own line', async () => {
      const r = await report('刘阿姨', '厨房下水道堵了，水漫出来了')
      expect(r.building).toBeNull()
      const answer = await sent(() => sim.say({ from: '刘阿姨', text: '3号楼2单元' }))
      const task = dmTo(answer, '王芳').find((t) => t.includes(`【新工单 ${r.no}】`))!
      expect(task).toContain('报告人：刘阿姨（私聊）')
      expect(task).toContain('（因位置更正改派给您）')
    })

    it('asks an urgent one in a building\'s own group too, and "2单元" there means that building', async () => {
      const room = '幸福里3号楼业主群'
      const r = await report('何大爷', '楼道里有很重的煤气味', room)
      expect(r.urgency).toBe('urgent')
      const lines = await sent(() => sim.say({ from: '何大爷', room, text: '2单元' }))
      expect(await byId(r.id)).toMatchObject({ building: '3', unit: '2', assigneeStaffId: await staffId('王芳') })
      expect(inRoom(lines, room)[0]).toContain('已补充位置：3号楼2单元')
    })

    it('gives 96333 for a lift entrapment', async () => {
      const lines = await sent(() => report('孙大爷', '5号楼电梯里困人了，快来人', '幸福里5号楼业主群'))
      expect(inRoom(lines, '幸福里5号楼业主群')[0]).toContain('96333')
    })

    it('attaches a promised photo ("我拍个照片") that comes after the usual five minutes', async () => {
      const room = '幸福里3号楼业主群'
      const r = await report('吴阿姨', '3号楼2单元楼道里的灯坏了，我拍个照片', room)
      await sim.advance(8 * 60_000)
      const [photo] = await sim.say({ from: '吴阿姨', room, image: true })
      expect(photo).toMatchObject({ outcome: 'image_attached', requestId: r.id })
      expect(await db.getRepository(Attachment).count({ where: { requestId: r.id } })).toBe(1)
    })
  })

  describe('5. 完成 needs a note', () => {
    it('asks for the note, keeps the request open, and resolves it with the note that follows', async () => {
      const r = await report('郑阿姨', '2号楼楼梯扶手松了，晃得厉害')
      const asked = await sent(() => sim.say({ from: '王芳', text: `完成 ${r.no}` }))
      expect(dmTo(asked, '王芳')[0]).toContain('办结需要写处理说明')
      expect(dmTo(asked, '郑阿姨')).toEqual([])
      expect((await byId(r.id)).status).toBe('dispatched')
      // 进度 and 谢谢 are not the note
      await sim.say({ from: '王芳', text: '进度' })
      await sim.say({ from: '王芳', text: '谢谢' })
      expect((await byId(r.id)).status).toBe('dispatched')
      const noted = await sent(() => sim.say({ from: '王芳', text: '已紧固扶手螺丝' }))
      expect(dmTo(noted, '王芳')[0]).toContain(`工单 ${r.no} 已办结`)
      expect(dmTo(noted, '郑阿姨')[0]).toContain('已由王芳办结：已紧固扶手螺丝。')
      expect(await byId(r.id)).toMatchObject({ status: 'resolved', resolutionNote: '已紧固扶手螺丝' })
    })

    it('accepts the later "完成 N 已修好" after a 完成 without a note', async () => {
      const r = await report('冯阿姨', '1号楼单元门的门禁坏了，刷卡没反应')
      await sim.say({ from: '王芳', text: `完成 ${r.no}` })
      const [done] = await sim.say({ from: '王芳', text: `完成 ${r.no} 已修好` })
      expect(done!.outcome).toBe('command')
      expect(await byId(r.id)).toMatchObject({ status: 'resolved', resolutionNote: '已修好' })
      expect(await db.getRepository(ChatPrompt).count({ where: { requestId: r.id, status: 'open' } })).toBe(0)
    })
  })

  describe('2. case commands', () => {
    it('撤销 N: the reporter withdraws, with an event naming them; someone else cannot', async () => {
      const r = await report('陈阿姨', '6号楼门口的路灯不亮了')
      const other = await sent(() => sim.say({ from: '褚大爷', text: `撤销 ${r.no}` }))
      expect(dmTo(other, '褚大爷')[0]).toContain('不是您提交的')
      const lines = await sent(() => sim.say({ from: '陈阿姨', text: `撤销 ${r.no} 已经自己修好了` }))
      expect(dmTo(lines, '陈阿姨')[0]).toBe(`工单 ${r.no} 已撤销，不再办理。如有新的问题，直接告诉我就行。`)
      expect(dmTo(lines, '刘强')[0]).toContain(`工单 ${r.no} 已由居民撤销（已经自己修好了）`)
      expect((await byId(r.id)).status).toBe('cancelled')
      const event = await db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'cancel' })
      expect(event).toMatchObject({ actorType: 'resident', channel: 'private', data: { reason: '已经自己修好了', kind: 'withdrawn' } })
    })

    it('撤销 N 原因 by the 书记 cancels as not-a-request; a grid leader is told it is the 书记\'s', async () => {
      const r = await report('卫阿姨', '我要投诉3号楼')
      const refused = await sent(() => sim.say({ from: '王芳', text: `撤销 ${r.no} 不是诉求` }))
      expect(dmTo(refused, '王芳')[0]).toContain('只有书记可以撤销')
      const lines = await sent(() => sim.say({ from: '赵书记', text: `撤销 ${r.no} 不是诉求，是闲聊` }))
      expect(dmTo(lines, '赵书记')[0]).toContain('不计入三率')
      expect(dmTo(lines, '卫阿姨')[0]).toContain('不是需要办理的问题')
      const event = await db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'cancel' })
      expect(event).toMatchObject({ actorType: 'staff', actorId: await staffId('赵书记'), data: { kind: 'not_a_request', reason: '不是诉求，是闲聊' } })
    })

    it('合并 N 到 M: reporters and photos follow', async () => {
      const a = await report('蒋阿姨', '9号楼楼顶漏水了')
      const b = await report('沈大爷', '我家天花板在滴水，墙皮都泡了')
      await sim.say({ from: '沈大爷', image: true })
      // b named no building, so it waits with the 书记 (duty dispatcher); 张伟 holds only a
      const refused = await sent(() => sim.say({ from: '张伟', text: `合并 ${b.no} 到 ${a.no}` }))
      expect(dmTo(refused, '张伟')[0]).toContain('不是派给您的')
      const lines = await sent(() => sim.say({ from: '赵书记', text: `合并 ${b.no} 到 ${a.no}` }))
      expect(dmTo(lines, '赵书记')[0]).toContain(`工单 ${b.no} 已合并到工单 ${a.no}`)
      expect(dmTo(lines, '沈大爷')[0]).toContain(`已合并到工单 ${a.no} 办理`)
      expect(await byId(b.id)).toMatchObject({ status: 'merged', mergedIntoId: a.id })
      const reporters = await db.getRepository(RequestReporter).find({ where: { requestId: a.id } })
      expect(reporters).toHaveLength(2)
      expect(await db.getRepository(Attachment).count({ where: { requestId: a.id } })).toBe(1)
    })

    it('拆分 N: each listed problem becomes its own request with the same reporter and place', async () => {
      const r = await report('韩阿姨', '6号楼电梯异响，而且楼道灯也不亮')
      const before = await count()
      const lines = await sent(() => sim.say({ from: '刘强', text: `拆分 ${r.no} 楼道灯不亮` }))
      expect(await count()).toBe(before + 1)
      const created = (await db.getRepository(ServiceRequest).find({ order: { id: 'DESC' }, take: 1 }))[0]!
      expect(created).toMatchObject({ originalText: '楼道灯不亮', building: '6', reporterResidentId: r.reporterResidentId, status: 'dispatched' })
      expect(dmTo(lines, '刘强')).toContain(`工单 ${r.no} 已拆分：新登记工单 ${created.no}，已分别派单。`)
      expect(dmTo(lines, '韩阿姨')[0]).toContain(`已另行登记为工单 ${created.no}`)
    })

    it('位置 N 9号楼 corrects the place and re-routes to the new grid', async () => {
      const r = await report('杨阿姨', '3号楼门口垃圾桶满了没人清理')
      const lines = await sent(() => sim.say({ from: '王芳', text: `位置 ${r.no} 9号楼2单元` }))
      expect(dmTo(lines, '王芳')[0]).toBe(`工单 ${r.no} 的位置已改为9号楼2单元，已改派给张伟。`)
      expect(dmTo(lines, '张伟')[0]).toContain(`【新工单 ${r.no}】`)
      expect(await byId(r.id)).toMatchObject({ building: '9', unit: '2', assigneeStaffId: await staffId('张伟') })
      const bad = await sent(() => sim.say({ from: '王芳', text: `位置 ${r.no} 99号楼` }))
      expect(dmTo(bad, '王芳')[0]).toContain('工单')
    })
  })

  describe('7. the right voice', () => {
    it('answers thanks with 不客气, and the 书记\'s 帮助 with her commands', async () => {
      expect(dmTo(await sent(() => sim.say({ from: '朱阿姨', text: '谢谢' })), '朱阿姨')[0]).toContain('不客气')
      expect(dmTo(await sent(() => sim.say({ from: '王芳', text: '谢谢' })), '王芳')[0]).toContain('不客气')
      const help = dmTo(await sent(() => sim.say({ from: '赵书记', text: '帮助' })), '赵书记')[0]!
      expect(help).toMatch(/^书记指令/)
      expect(help).toContain('撤销 12 原因')
      expect(help).not.toContain('退回书记')
      expect(dmTo(await sent(() => sim.say({ from: '王芳', text: '帮助' })), '王芳')[0]).toContain('退单 12 原因 —— 退回书记重新派单')
    })
  })
})

describeEachDb('the bot\'s questions survive a restart and expire', (kind) => {
  let db: DataSource, close: () => Promise<void>
  const config = parseConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY })
  beforeAll(async () => { ({ db, close } = await openTestDb(kind)) })
  afterAll(() => close())
  const start = (at: Date) => Simulation.create({ db, config, logger: silentLogger, start: at, classifier: new OfflineClassifier() })

  it('an answer after a restart fills the request in; one after ten minutes does not', async () => {
    const room = '幸福里业主大群'
    const first = await start(new Date(T0))
    const [a] = await first.say({ from: '周阿姨', room, text: '楼道里一股煤气味，挺冲的' })
    const [b] = await first.say({ from: '孔大爷', room, text: '楼道里有烟，好像哪里着火了' })
    expect([a!.outcome, b!.outcome]).toEqual(['created', 'created'])
    const at = first.clock.now()
    await first.close()

    const second = await start(new Date(at.getTime() + 60_000))
    await second.say({ from: '周阿姨', room, text: '8号楼1单元' })
    expect(await db.getRepository(ServiceRequest).findOneByOrFail({ id: a!.requestId! })).toMatchObject({ building: '8', unit: '1' })
    await second.advance(11 * 60_000)
    await second.say({ from: '孔大爷', room, text: '9号楼' })
    expect((await db.getRepository(ServiceRequest).findOneByOrFail({ id: b!.requestId! })).building).toBeNull()
    await second.close()
  })
})
