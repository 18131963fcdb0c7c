import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/** Runs `npm run simulate -- file` the way a user does (without npm's banner). */
function simulate(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // No DATABASE_URL: the simulator's own temporary SQLite; no OpenAI key: the offline classifier.
  const cleanEnv: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '', LOG_LEVEL: 'warn' }
  delete cleanEnv.DATABASE_URL
  return new Promise((res) => {
    execFile(process.execPath, ['--import', 'tsx', 'app/cli/simulate.ts', file], { env: cleanEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

/** Runs `npm run chat` with piped input (not a terminal), as `printf … | npm run chat` does. */
function chat(input: string, o: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cleanEnv: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '', LOG_LEVEL: 'warn', ...o.env }
  delete cleanEnv.DATABASE_URL
  if (!o.env?.COMMUNITY_FILE) delete cleanEnv.COMMUNITY_FILE
  return new Promise((res) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'app/cli/chat.ts', '2026-11-23T09:00:00+08:00', ...(o.args ?? [])], { env: cleanEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
    child.stdin!.end(input)
  })
}

// The CLI on its default temporary SQLite; the same Simulation runs on both databases in bot.test.ts.
describe('npm run simulate', () => {
  it('runs the shipped closed-loop scenario and prints the documented JSON lines', async () => {
    const { code, stdout, stderr } = await simulate('examples/scenarios/closed-loop.json')
    expect(stderr).not.toMatch(/"level":50/)
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l))
    const messages = lines.slice(0, -1)
    for (const m of messages) {
      expect(m.at).toMatch(/^2026-11-23T\d{2}:\d{2}:\d{2}\+08:00$/)
      expect(Object.keys(m).sort()).toEqual(m.type === 'room' ? ['at', 'room', 'text', 'type'] : ['at', 'text', 'to', 'type'])
    }
    expect(messages[0]).toMatchObject({ at: '2026-11-23T09:00:00+08:00', type: 'room', room: '幸福里3号楼业主群', text: expect.stringMatching(/^@李阿姨 .*工单号 1（维修报修）.*王芳/) })
    expect(messages.some((m) => m.type === 'dm' && m.to === '王芳' && m.text.includes('【新工单 1】'))).toBe(true)
    expect(messages.some((m) => m.type === 'dm' && m.to === '李阿姨' && m.text.startsWith('【回访】'))).toBe(true)
    expect(lines.at(-1)).toEqual({
      type: 'state',
      requests: [{ no: '1', status: 'closed', category: 'repair', urgency: 'normal', building: '3', grid: '第一网格', assignee: '王芳', reporter: '李阿姨', reports: 1, rating: 'satisfied', reopened: 0 }],
    })
  })

  it('stops quietly when its reader goes away (| head -1), without an EPIPE crash', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '', LOG_LEVEL: 'warn' }
    delete env.DATABASE_URL
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/simulate.ts', 'examples/scenarios/closed-loop.json'], { env })
    let stderr = ''
    child.stderr.on('data', (d) => { stderr += d })
    child.stdout.once('data', () => child.stdout.destroy())
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)))
    expect(stderr).not.toMatch(/EPIPE|Unhandled/)
    expect(code).toBe(0)
  }, 60_000)

  it('exits with code 2 and names the file, the step and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-sim-'))
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ steps: [{ from: '李阿姨', room: '幸福里3号楼业主群', text: '3号楼楼道灯坏了' }, { wait: 'two hours' }] }))
    const { code, stdout, stderr } = await simulate(file)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain(`${file}: steps[1].wait: expected an ISO-8601 duration`)
  })
})

// Issue "Scheduled jobs", done when: a week on the virtual clock shows a reminder and an escalation, a callback
// that closes one request and one that reopens another, and the Monday 08:00 digest to the 书记 with correct counts.
describe('a week in the simulator', () => {
  it('reminds, escalates, closes one request, reopens another and sends the Monday digest', async () => {
    const { code, stdout } = await simulate('examples/scenarios/week.json')
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l))
    const dms = lines.filter((l) => l.type === 'dm') as { at: string; to: string; text: string }[]
    const at = (who: string, re: RegExp) => dms.filter((m) => m.to === who && re.test(m.text)).map((m) => m.at)
    // 工单 2 (high: accept within 1 h) is reminded at 10:00 and escalated to the deputy and the 书记 at 11:00.
    expect(at('刘强', /^【签收提醒】工单 2/)[0]).toBe('2026-11-16T10:00:00+08:00')
    expect(at('吴静', /^【催办】工单 2/)[0]).toBe('2026-11-16T11:00:00+08:00')
    expect(at('赵书记', /^【催办】工单 2/)[0]).toBe('2026-11-16T11:00:00+08:00')
    // Callbacks 2 h after 办结; 李阿姨's "1" closes 工单 1, 张大爷's words reopen 工单 2 and tell the 书记.
    expect(at('李阿姨', /^【回访】/)).toEqual(['2026-11-16T15:30:00+08:00'])
    expect(at('李阿姨', /工单 1 已关闭/)).toHaveLength(1)
    expect(at('赵书记', /^【重办提醒】工单 2/)).toHaveLength(1)
    // The digest for 11月16日—11月22日 arrives on Monday 08:00 with the week's figures.
    const digest = dms.filter((m) => m.to === '赵书记' && m.text.startsWith('【社区周报】'))
    expect(digest.map((m) => m.at)).toEqual(['2026-11-23T08:00:00+08:00'])
    expect(digest[0]!.text).toContain('收件 2 件')
    expect(digest[0]!.text).toMatch(/解决率 50%（1\/2）/)
    expect(digest[0]!.text).toMatch(/满意率 50%（1\/2/)
    expect(digest[0]!.text).toMatch(/重办 1 件/)
    const state = lines.at(-1)
    expect(state.requests.map((r: { no: string; status: string; rating: string | null; reopened: number }) => [r.no, r.status, r.rating, r.reopened]))
      .toEqual([['1', 'closed', 'satisfied', 0], ['2', 'reopened', 'unsatisfied', 1]])
  }, 120_000)
})

describe('npm run chat', () => {
  it('reads piped input to its end: echoes each line, answers bad commands, never crashes on EOF', async () => {
    const { code, stdout, stderr } = await chat([
      '/as 李阿姨', '/room 幸福里3号楼业主群', '3号楼楼道灯坏了', '/bogus', '/wait', '/wait soon', '/as', '/at',
      '/as 王芳', '/dm', '接单 {{req2}}', '接单 {{req1}}', '/state', '/as 赵书记', '后台',
    ].join('\n'))
    expect(stderr).not.toMatch(/"level":50|Error/)
    expect(code).toBe(0)
    // the banner is all Chinese: the database it runs on, the community file, the simulated time
    expect(stdout).toMatch(/^jiesu 聊天模拟（临时内存数据库，退出即清空，社区文件 [^）]+，模拟时间 11月23日 09:00）/)
    expect(stdout).toContain('李阿姨@幸福里3号楼业主群> 3号楼楼道灯坏了\n')
    expect(stdout).toMatch(/〔幸福里3号楼业主群〕 社区小助手：@李阿姨 已收到您反映的问题，工单号 1（维修报修）/)
    expect(stdout).toContain('未知命令 /bogus')
    expect(stdout.match(/（时长格式不对/g)).toHaveLength(2)
    expect(stdout).toContain('（用法：/as 名字')
    expect(stdout).toContain('（用法：/at 文字')
    expect(stdout).toContain('{{req2}} 还不存在')
    expect(stdout).toContain('社区小助手 → 王芳（私聊）：已签收工单 1。')
    // 后台 links to the simulation's own web console.
    const web = /本次模拟的网页工作台：(http:\/\/localhost:\d+)\/console\//.exec(stdout)
    expect(web).not.toBeNull()
    expect(stdout).toContain(`社区小助手 → 赵书记（私聊）：网页工作台登录链接（10分钟内有效，只能打开一次，请勿转发）：\n${web![1]}/console/login/`)
    const state = JSON.parse(stdout.slice(stdout.indexOf('{\n'), stdout.lastIndexOf('}') + 1))
    expect(state.requests).toMatchObject([{ no: '1', status: 'accepted', assignee: '王芳', reporter: '李阿姨' }])
  }, 60_000)
  it.each([
    ['--community', { args: ['--community', 'examples/community-care.yaml'] }],
    ['COMMUNITY_FILE', { env: { COMMUNITY_FILE: 'examples/community-care.yaml' } }],
  ])('tries the care and volunteer flows on another community file (%s)', async (_how, o) => {
    const { code, stdout, stderr } = await chat(['/as 何军', '/dm', '积分', '/as 张奶奶', '心愿 想请人周末陪我去医院复查'].join('\n'), o)
    expect(stderr).not.toMatch(/"level":50|Error/)
    expect(code).toBe(0)
    expect(stdout).toContain('社区文件 examples/community-care.yaml')
    expect(stdout).toContain('社区小助手 → 何军（私聊）：您现有 0 爱心积分')
    expect(stdout).toMatch(/社区小助手 → 张奶奶（私聊）：您的心愿已登记（#\d+：陪同就医），已发给附近的 2 位志愿者/)
    expect(stdout).toMatch(/社区小助手 → 王芳（私聊）：【微心愿 #\d+】张奶奶（3号楼1单元302）/)
  }, 60_000)
})
