import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { Simulation, type OutputLine } from '../../app/sim/simulation.js'
import { parseConfig } from '../../src/config.js'
import { RequestEvent, ServiceRequest } from '../../src/db/entities/index.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { computeStats } from '../../src/stats/rates.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'

// 回访 that means what residents mean, and deadlines that count working days, through the real bot on the
// mock puppet with the real jobs on a virtual clock. Starts the day before 国庆 2026 (10-01…07 off, 10-10 a
// 调休 working Saturday).
describeEachDb('回访 and working-day deadlines in the bot', (kind) => {
  let db: DataSource, close: () => Promise<void>, sim: Simulation
  const config = parseConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY })
  const start = new Date('2026-09-30T10:00:00+08:00')

  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    sim = await Simulation.create({ db, config, logger: silentLogger, start, classifier: new OfflineClassifier() })
  })
  afterAll(async () => {
    await sim?.close()
    await close()
  })

  const sent = (fn: () => Promise<unknown>) => sim.sentDuring(fn)
  const dmTo = (lines: OutputLine[], name: string) => lines.filter((l) => l.type === 'dm' && l.to === name).map((l) => l.text)
  const inRoom = (lines: OutputLine[], room: string) => lines.filter((l) => l.type === 'room' && l.room === room).map((l) => l.text)
  const byNo = (no: string) => db.getRepository(ServiceRequest).findOneByOrFail({ no })
  async function report(from: string, room: string, text: string): Promise<{ request: ServiceRequest; lines: OutputLine[] }> {
    const lines = await sent(async () => {
      const [handled] = await sim.say({ from, room, text })
      expect(handled, `${from}: ${text}`).toMatchObject({ outcome: 'created' })
    })
    const [row] = await db.getRepository(ServiceRequest).find({ order: { id: 'DESC' }, take: 1 })
    return { request: row!, lines }
  }
  /** Reported, finished by the leader with this note, and asked 2 h later. */
  async function askedAfter(from: string, room: string, text: string, leader: string, note: string) {
    const { request } = await report(from, room, text)
    await sim.say({ from: leader, text: `完成 ${request.no} ${note}` })
    const asked = await sent(() => sim.advance(125 * 60_000))
    expect(dmTo(asked, from).join('\n')).toContain('【回访】')
    return request
  }

  it('a normal report the day before 国庆: 3 working days end on the 调休 Saturday, and the texts say so', async () => {
    const { request, lines } = await report('何阿姨', '幸福里3号楼业主群', '3号楼2单元楼道灯坏了，晚上很黑')
    expect(request.urgency).toBe('normal')
    expect(request.resolveDueAt!.toISOString()).toBe(new Date('2026-10-10T10:00:00+08:00').toISOString())
    expect(inRoom(lines, '幸福里3号楼业主群')[0]).toContain('预计 4个工作小时内响应、3个工作日内办结（节假日顺延）')
    const task = dmTo(lines, '王芳')[0]!
    expect(task).toContain('10月10日 10:00 前办结（按工作日计，节假日顺延）')
  })

  it('"不太满意，拖了好久": an unsatisfied rating with its reason, sent to the 书记; the fixed problem stays closed', async () => {
    const r = await askedAfter('严大爷', '幸福里5号楼业主群', '5号楼门口的路灯不亮了', '刘强', '已更换灯泡')
    const out = await sent(() => sim.say({ from: '严大爷', text: '不太满意，拖了好久' }))
    const after = await byNo(r.no)
    expect([after.status, after.rating, after.reopenCount, after.ratingComment]).toEqual(['closed', 'unsatisfied', 0, '不太满意，拖了好久'])
    expect(dmTo(out, '严大爷')[0]).toContain('您对办理太慢的意见已记录，并已转告社区书记')
    expect(dmTo(out, '赵书记')[0]).toContain(`【回访不满意】工单 ${r.no}`)
    expect(dmTo(out, '赵书记')[0]).toContain('工单不重办')
    expect(dmTo(out, '刘强')).toEqual([])
    const answered = await db.getRepository(RequestEvent).findOneByOrFail({ requestId: after.id, type: 'callback_answered' })
    expect(answered.data).toMatchObject({ rating: 'unsatisfied', complaint: 'speed', words: '不太满意，拖了好久' })
  })

  it('"4" gets a one-line hint with the three choices; "1" then closes it', async () => {
    const r = await askedAfter('邹阿姨', '幸福里5号楼业主群', '5号楼3单元楼道里堆满了杂物', '刘强', '已清理')
    const hint = await sent(() => sim.say({ from: '邹阿姨', text: '4' }))
    expect(dmTo(hint, '邹阿姨')).toEqual([`请回复数字评价工单 ${r.no}：1 满意、2 基本满意、3 不满意；问题没解决请直接说明情况。`])
    expect((await byNo(r.no)).status).toBe('resolved')
    await sim.say({ from: '邹阿姨', text: '1' })
    expect((await byNo(r.no)).status).toBe('closed')
  })

  it('a bare "1" before the 回访 is asked is no rating and no ticket; once asked it closes the request', async () => {
    const { request: r } = await report('柏阿姨', '幸福里5号楼业主群', '5号楼1单元门口的路灯不亮了')
    await sim.say({ from: '刘强', text: `完成 ${r.no} 换了新灯泡` })
    const count = await db.getRepository(ServiceRequest).count()
    const early = await sent(() => sim.say({ from: '柏阿姨', text: '1' }))
    expect(dmTo(early, '柏阿姨')).toEqual([`工单 ${r.no} 刚办结，稍后我们会发回访消息请您评价，收到后再回复数字即可；问题没解决请直接说明情况。`])
    expect(await byNo(r.no)).toMatchObject({ status: 'resolved' })
    expect(await db.getRepository(ServiceRequest).count()).toBe(count)
    const asked = await sent(() => sim.advance(125 * 60_000))
    expect(dmTo(asked, '柏阿姨').join('\n')).toContain('【回访】')
    await sim.say({ from: '柏阿姨', text: '1' })
    expect(await byNo(r.no)).toMatchObject({ status: 'closed' })
  })

  it('"满意" typed in the group by a reporter who was asked: recorded, thanked privately, nothing said in the group', async () => {
    const room = '幸福里5号楼业主群'
    const r = await askedAfter('章先生', room, '5号楼2单元门禁坏了，刷卡没反应', '刘强', '已修好门禁')
    const out = await sent(() => sim.say({ from: '章先生', room, text: '满意' }))
    expect((await byNo(r.no))).toMatchObject({ status: 'closed', rating: 'satisfied' })
    expect(dmTo(out, '章先生')).toEqual([`感谢您的评价！工单 ${r.no} 已关闭。`])
    expect(inRoom(out, room)).toEqual([])
    // Someone with nothing asked who says 满意 in the group is ordinary chatter.
    expect(await sent(() => sim.say({ from: '路人乙', room, text: '满意' }))).toEqual([])
  })

  it('完成 with an honest outcome: 部分解决 and 未解决（已说明原因） are kept apart in the 三率', async () => {
    const room = '幸福里5号楼业主群'
    const a = await report('滕女士', room, '5号楼1单元楼道扶手松了')
    const b = await report('范先生', room, '5号楼楼顶防水层破了，顶楼渗水')
    await sim.say({ from: '刘强', text: `完成 ${a.request.no} 部分解决 扶手已加固，护栏油漆下周补` })
    const refused = await sent(() => sim.say({ from: '刘强', text: `完成 ${b.request.no} 未解决` }))
    expect(dmTo(refused, '刘强')[0]).toContain('未解决需要说明原因')
    expect((await byNo(b.request.no)).status).not.toBe('resolved')
    await sim.say({ from: '刘强', text: `完成 ${b.request.no} 未解决 需维修基金，已报业委会表决` })
    expect((await byNo(a.request.no)).resolutionOutcome).toBe('partial')
    expect((await byNo(b.request.no)).resolutionOutcome).toBe('unsolved_explained')
    const stats = await computeStats(db.manager, {
      communityId: a.request.communityId, from: new Date('2026-09-01T00:00:00+08:00'), to: new Date('2026-11-01T00:00:00+08:00'), now: sim.clock.now(),
    })
    expect(stats.outcomes).toMatchObject({ partial: 1, unsolved_explained: 1, referred: 0 })
    expect(stats.outcomes!.solved + stats.outcomes!.partial + stats.outcomes!.unsolved_explained + stats.outcomes!.referred).toBe(stats.totals.resolved)
  })
})

// A second simulation that starts on a holiday (long virtual waits are slow on MariaDB, every job runs each minute).
describeEachDb('deadlines on a holiday', (kind) => {
  let db: DataSource, close: () => Promise<void>, sim: Simulation
  const config = parseConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY })
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    sim = await Simulation.create({ db, config, logger: silentLogger, start: new Date('2026-10-02T10:00:00+08:00'), classifier: new OfflineClassifier() })
  })
  afterAll(async () => {
    await sim?.close()
    await close()
  })
  async function report(from: string, room: string, text: string) {
    const before = sim.outputs.length
    const [handled] = await sim.say({ from, room, text })
    expect(handled, `${from}: ${text}`).toMatchObject({ outcome: 'created' })
    return { request: await db.getRepository(ServiceRequest).findOneByOrFail({ id: handled!.requestId! }), lines: sim.outputs.slice(before) }
  }
  const dmTo = (lines: OutputLine[], name: string) => lines.filter((l) => l.type === 'dm' && l.to === name).map((l) => l.text)
  const inRoom = (lines: OutputLine[], room: string) => lines.filter((l) => l.type === 'room' && l.room === room).map((l) => l.text)

  it('an urgent report on a holiday runs around the clock: 2小时内', async () => {
    const { request, lines } = await report('孔先生', '幸福里3号楼业主群', '3号楼电梯困人了，有人被关在里面')
    expect(request.urgency).toBe('urgent')
    expect(request.resolveDueAt!.toISOString()).toBe(new Date('2026-10-02T12:00:00+08:00').toISOString())
    expect(inRoom(lines, '幸福里3号楼业主群')[0]).toContain('15分钟内响应、2小时内办结')
    expect(dmTo(lines, '王芳')[0]).toContain('（全天候计时）')
  })

  it('a low-urgency suggestion made on 国庆 starts its clock on the first working day', async () => {
    const { request } = await report('柏先生', '幸福里3号楼业主群', '建议小区多装几个快递柜，现在的不够用')
    expect(request.urgency).toBe('low')
    // 7 working days from 10-08 00:00: 10-08, 09, 10 (调休 Saturday), 12, 13, 14, 15 → 10-16 00:00.
    expect(request.resolveDueAt!.toISOString()).toBe(new Date('2026-10-16T00:00:00+08:00').toISOString())
  })
})
