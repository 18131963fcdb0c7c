import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { loadScenario } from '../../app/sim/scenario.js'
import { Simulation } from '../../app/sim/simulation.js'
import { parseConfig } from '../../src/config.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../../src/logger.js'
import { describeEachDb, openTestDb, TEST_KEY } from '../helpers/db.js'

const SCENARIO = 'examples/scenarios/everyday.json'

function run(script: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '', LOG_LEVEL: 'warn' }
  delete env.DATABASE_URL
  return new Promise((res) => {
    const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
    if (input !== undefined) child.stdin!.end(input)
  })
}

type Line = { at?: string; type: string; room?: string; to?: string; text?: string; requests?: Record<string, unknown>[] }

// The everyday scenario (issue 11): a notice, a question about it, an urgent report without a place and the
// answer, a withdrawal, a merge, a 完成 that waits for its note, a speed complaint in the 回访, and a
// working-day deadline that crosses 国庆 2026 and ends on the 调休 Saturday.
describe('npm run simulate -- examples/scenarios/everyday.json', () => {
  it('prints the documented JSON lines', async () => {
    const { code, stdout, stderr } = await run('app/cli/simulate.ts', [SCENARIO])
    expect(stderr).not.toMatch(/"level":50/)
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Line)
    const messages = lines.slice(0, -1)
    for (const m of messages) expect(Object.keys(m).sort()).toEqual(m.type === 'room' ? ['at', 'room', 'text', 'type'] : ['at', 'text', 'to', 'type'])
    const room = (topic: string) => messages.filter((m) => m.room === topic).map((m) => m.text!)
    const dm = (to: string) => messages.filter((m) => m.to === to).map((m) => m.text!)
    // 1–2: the notice gets no reply and no ticket; the question is answered from it
    expect(room('幸福里3号楼业主群')[0]).toMatch(/^@李阿姨 王芳已在群里通知：“各位邻居，明天上午9点到12点3号楼停水检修/)
    expect(messages.filter((m) => m.to === '王芳' && m.at! < '2026-09-30')).toEqual([])
    // 3: urgent, asked once where, filled in and re-routed to the 第二网格
    const big = room('幸福里业主大群')
    expect(big[0]).toMatch(/^@周阿姨 已收到您反映的问题，工单号 1（安全隐患）.*\n⚠️ 安全提示：/s)
    expect(big[1]).toBe('@周阿姨 请问是几号楼几单元？直接回复即可，比如「7号楼3单元」。')
    expect(big[2]).toBe('@周阿姨 已补充位置：7号楼3单元（工单 1），由刘强负责处理。')
    expect(dm('刘强')[0]).toMatch(/^【新工单 1】.*\n位置：7号楼3单元/s)
    // 4: withdrawn
    expect(dm('钱阿姨')).toContain('工单 2 已撤销，不再办理。如有新的问题，直接告诉我就行。')
    // 5: merged by the 书记
    expect(dm('赵书记')).toContain('工单 4 已合并到工单 3，反映人、照片和回访都已转过去。')
    expect(dm('沈大爷').at(-1)).toContain('已合并到工单 3 办理')
    // 完成 without a note waits for it
    expect(dm('刘强')).toContain('办结需要写处理说明，工单 1 还未办结。请直接回复处理情况（例如「已更换灯泡」），或发送「完成 1 处理说明」。')
    expect(dm('周阿姨').some((t) => t.includes('已由刘强办结：燃气公司已关阀检修，漏点已处理。'))).toBe(true)
    // 6: "不太满意，拖了好久" in the 回访: recorded as 不满意 about speed, sent to the 书记, the fixed lamp not reopened
    const at = (to: string, has: string) => messages.filter((m) => m.to === to && m.text!.includes(has))
    expect(at('严大爷', '【回访】')).toHaveLength(1)
    expect(at('赵书记', '【回访不满意】工单 5')[0]).toMatchObject({ at: '2026-09-29T12:05:00+08:00', text: expect.stringContaining('“不太满意，拖了好久”') })
    expect(at('严大爷', '您对办理太慢的意见已记录')).toHaveLength(1)
    expect(messages.some((m) => m.text!.includes('【重办') || m.text!.includes('重新交办'))).toBe(false)
    // 7: normal urgency counts working days: reported 09-30 10:00, due 10-10 10:00 (the 调休 Saturday), and the texts say so
    expect(messages.find((m) => m.room === '幸福里3号楼业主群' && m.text!.startsWith('@何阿姨'))).toMatchObject({ at: '2026-09-30T10:00:00+08:00', text: expect.stringContaining('3个工作日内办结（节假日顺延）') })
    expect(at('王芳', '【新工单 6】')[0]!.text).toContain('9月30日 14:00 前签收，10月10日 10:00 前办结（按工作日计，节假日顺延）')
    expect(at('王芳', '已签收工单 6')[0]!.text).toContain('请在 10月10日 10:00 前办结（按工作日计，节假日顺延）')
    // request 5, reported 09-29 10:00: its 72 working hours skip 10-01…07 and end 10-09 10:00; urgent ones run around the clock
    expect(at('刘强', '【新工单 5】')[0]!.text).toContain('10月9日 10:00 前办结（按工作日计，节假日顺延）')
    expect(at('刘强', '【新工单 1】')[0]!.text).toContain('9月29日 11:00 前办结（全天候计时）')
    expect(lines.at(-1)).toEqual({
      type: 'state',
      requests: [
        { no: '1', status: 'resolved', category: 'safety', urgency: 'urgent', building: '7', grid: '第二网格', assignee: '刘强', reporter: '周阿姨', reports: 1, rating: null, reopened: 0 },
        { no: '2', status: 'cancelled', category: 'repair', urgency: 'normal', building: '6', grid: '第二网格', assignee: '刘强', reporter: '钱阿姨', reports: 1, rating: null, reopened: 0 },
        { no: '3', status: 'dispatched', category: 'repair', urgency: 'normal', building: '9', grid: '第三网格', assignee: '张伟', reporter: '蒋阿姨', reports: 2, rating: null, reopened: 0 },
        { no: '4', status: 'merged', category: 'repair', urgency: 'normal', building: null, grid: null, assignee: '赵书记', reporter: '沈大爷', reports: 1, rating: null, reopened: 0 },
        { no: '5', status: 'closed', category: 'repair', urgency: 'normal', building: '5', grid: '第二网格', assignee: '刘强', reporter: '严大爷', reports: 1, rating: 'unsatisfied', reopened: 0 },
        { no: '6', status: 'accepted', category: 'repair', urgency: 'normal', building: '3', grid: '第一网格', assignee: '王芳', reporter: '何阿姨', reports: 1, rating: null, reopened: 0 },
      ],
    })
  }, 60_000)
})

describeEachDb('the everyday scenario', (kind) => {
  let db: DataSource, close: () => Promise<void>, sim: Simulation
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    const scenario = loadScenario(SCENARIO)
    sim = await Simulation.create({ db, config: parseConfig({ NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY }), logger: silentLogger, start: scenario.start, classifier: new OfflineClassifier() })
    await sim.run(scenario)
  })
  afterAll(async () => {
    await sim?.close()
    await close()
  })

  it('ends with the same state on this database', async () => {
    expect((await sim.state()).requests.map((r) => [r.no, r.status, r.building, r.assignee, r.reports])).toEqual([
      ['1', 'resolved', '7', '刘强', 1], ['2', 'cancelled', '6', '刘强', 1], ['3', 'dispatched', '9', '张伟', 2], ['4', 'merged', null, '赵书记', 1],
      ['5', 'closed', '5', '刘强', 1], ['6', 'accepted', '3', '王芳', 1],
    ])
  })
})

describe('npm run chat /who', () => {
  it('shows deputies as deputies', async () => {
    const { code, stdout } = await run('app/cli/chat.ts', ['2026-11-23T09:00:00+08:00'], '/who\n')
    expect(code).toBe(0)
    expect(stdout).toContain('王芳(第一网格 网格员)')
    expect(stdout).toContain('孙丽(第一网格 副网格员)')
    expect(stdout).toContain('赵书记(书记)')
    expect(stdout).toContain('陈明(调解员)')
    expect(stdout).not.toContain('grid_leader')
  }, 60_000)
})
