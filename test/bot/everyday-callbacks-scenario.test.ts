import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'

/** `npm run simulate -- examples/scenarios/everyday-callbacks.json`, as a user runs it (temporary SQLite, offline classifier). */
function simulate(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '', LOG_LEVEL: 'warn' }
  delete env.DATABASE_URL
  return new Promise((res) => {
    execFile(process.execPath, ['--import', 'tsx', 'app/cli/simulate.ts', file], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

type Line = { at: string; type: 'room'; room: string; text: string } | { at: string; type: 'dm'; to: string; text: string }

// Steps 6 and 7 of the everyday scenario (issue 11): a speed complaint in the 回访, and a deadline that
// crosses 国庆 2026 and ends on the 调休 Saturday. (Both databases: test/bot/callbacks.test.ts.)
describe('everyday scenario: callbacks and working-day deadlines', () => {
  it('prints the documented JSON lines', async () => {
    const { code, stdout, stderr } = await simulate('examples/scenarios/everyday-callbacks.json')
    expect(stderr).not.toMatch(/"level":50/)
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l))
    const messages = lines.slice(0, -1) as Line[]
    for (const m of messages) expect(Object.keys(m).sort()).toEqual(m.type === 'room' ? ['at', 'room', 'text', 'type'] : ['at', 'text', 'to', 'type'])
    const dm = (to: string, has: string) => messages.filter((m) => m.type === 'dm' && m.to === to && m.text.includes(has))

    // 6. "不太满意，拖了好久": recorded as 不满意 about speed, sent to the 书记, the fixed lamp not reopened.
    expect(dm('严大爷', '【回访】')).toHaveLength(1)
    expect(dm('赵书记', '【回访不满意】工单 1')[0]).toMatchObject({ at: '2026-09-29T11:05:00+08:00', text: expect.stringContaining('“不太满意，拖了好久”') })
    expect(dm('严大爷', '您对办理太慢的意见已记录')).toHaveLength(1)
    expect(messages.some((m) => m.text.includes('【重办') || m.text.includes('重新交办'))).toBe(false)

    // 7. Normal urgency counts working days: reported 09-30 10:00, due 10-10 10:00 (the 调休 Saturday), and the texts say so.
    const ack = messages.find((m) => m.type === 'room' && m.room === '幸福里3号楼业主群')!
    expect(ack).toMatchObject({ at: '2026-09-30T10:00:00+08:00', text: expect.stringContaining('3个工作日内办结（节假日顺延）') })
    expect(dm('王芳', '【新工单 2】')[0]!.text).toContain('9月30日 14:00 前签收，10月10日 10:00 前办结（按工作日计，节假日顺延）')
    expect(dm('王芳', '已签收工单 2')[0]!.text).toContain('请在 10月10日 10:00 前办结（按工作日计，节假日顺延）')
    // Request 1 too: reported 09-29 09:00, its 72 working hours skip 10-01…07 and end 10-09 09:00.
    expect(dm('刘强', '【新工单 1】')[0]!.text).toContain('10月9日 09:00 前办结')

    expect(lines.at(-1)).toEqual({
      type: 'state',
      requests: [
        { no: '1', status: 'closed', category: 'repair', urgency: 'normal', building: '5', grid: '第二网格', assignee: '刘强', reporter: '严大爷', reports: 1, rating: 'unsatisfied', reopened: 0 },
        { no: '2', status: 'accepted', category: 'repair', urgency: 'normal', building: '3', grid: '第一网格', assignee: '王芳', reporter: '何阿姨', reports: 1, rating: null, reopened: 0 },
      ],
    })
  })
})
