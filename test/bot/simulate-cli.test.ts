import { execFile } from 'node:child_process'
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
