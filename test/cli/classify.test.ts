import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CATEGORIES, URGENCIES } from '../../src/community/taxonomy.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI as users do (node + tsx loader), feeding stdin. */
function runCli(input: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/classify.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', d => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', d => { stderr += d })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

const parseLines = (out: string) => out.split('\n').filter(l => l.length > 0).map(l => JSON.parse(l) as Record<string, unknown>)

function expectValidLine(o: Record<string, unknown>): void {
  expect(Object.keys(o).sort()).toEqual(['building', 'category', 'confidence', 'id', 'is_request', 'method', 'urgency'])
  expect(typeof o.is_request).toBe('boolean')
  expect(o.method).toBe('offline')
  expect(typeof o.confidence).toBe('number')
  expect(o.confidence as number).toBeGreaterThanOrEqual(0)
  expect(o.confidence as number).toBeLessThanOrEqual(1)
  if (o.is_request) {
    expect(CATEGORIES).toContain(o.category)
    expect(URGENCIES).toContain(o.urgency)
  } else {
    expect(o.category).toBeNull()
    expect(o.urgency).toBeNull()
  }
  if (o.building !== null) expect(typeof o.building).toBe('string')
}

describe('classify CLI', () => {
  it('writes one valid line per input line, in order, surviving nasty input', async () => {
    const lines = [
      JSON.stringify({ id: 'a1', text: '12栋楼道的灯坏了一个星期了，麻烦物业派人修一下', room: '金色家园业主群' }),
      JSON.stringify({ id: 'a2', text: '' }),
      JSON.stringify({ id: 'a3', text: '漏水'.repeat(5000) }),
      JSON.stringify({ id: 'a4', text: '😀😀🎉🎉👍' }),
      '',
      '{"id": "a6", "text": "unterminated',
      JSON.stringify({ id: 'a7', text: '早上好，大家今天都要开心哦' }),
      '[1, 2, 3]',
      JSON.stringify({ id: 42, text: '三栋门口有好大一股煤气味，快来人' }),
      JSON.stringify({ text: '没有 id 的一行：垃圾三天没人收了' }),
      JSON.stringify({ id: 'a11', text: null, room: 7 }),
      'null',
    ]
    const { code, stdout, stderr } = await runCli(lines.join('\n') + '\n')
    expect(code).toBe(0)
    const out = parseLines(stdout)
    expect(out).toHaveLength(lines.length)
    out.forEach(expectValidLine)
    expect(out.map(o => o.id)).toEqual(['a1', 'a2', 'a3', 'a4', 'line:5', 'line:6', 'a7', 'line:8', 42, 'line:10', 'a11', 'line:12'])

    expect(out[0]).toMatchObject({ is_request: true, category: 'repair', building: '12' })
    expect(out[1]).toMatchObject({ is_request: false })
    expect(out[3]).toMatchObject({ is_request: false })
    expect(out[5]).toMatchObject({ is_request: false, confidence: 0 })
    expect(out[6]).toMatchObject({ is_request: false })
    expect(out[8]).toMatchObject({ is_request: true, category: 'safety', urgency: 'urgent', building: '3' })

    // Problems are reported on stderr with their line numbers.
    expect(stderr).toMatch(/line 5: blank line/)
    expect(stderr).toMatch(/line 6: invalid JSON/)
    expect(stderr).toMatch(/line 8: not a JSON object/)
    expect(stderr).toMatch(/line 12: not a JSON object/)
  })

  it('streams a few thousand lines', async () => {
    const n = 3000
    const input = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `m${i}`, text: i % 2 ? `${(i % 30) + 1}号楼电梯坏了` : '收到，谢谢' })).join('\n')
    const { code, stdout } = await runCli(input)
    expect(code).toBe(0)
    const out = parseLines(stdout)
    expect(out).toHaveLength(n)
    expect(out[n - 1]).toMatchObject({ id: `m${n - 1}`, is_request: true, building: String(((n - 1) % 30) + 1) })
    expect(out[0]).toMatchObject({ id: 'm0', is_request: false })
  })

  it('handles empty input, a byte-order mark and CRLF line endings', async () => {
    expect((await runCli('')).stdout).toBe('')
    const { stdout } = await runCli('\ufeff{"id":"w1","text":"路灯坏了"}\r\n{"id":"w2","text":"谢谢"}\r\n')
    expect(parseLines(stdout).map(o => [o.id, o.is_request])).toEqual([['w1', true], ['w2', false]])
  })

  it('--llm without OPENAI_API_KEY exits 2 with a clear message', async () => {
    const { code, stdout, stderr } = await runCli('{"id":"x","text":"路灯坏了"}\n', ['--llm'], { OPENAI_API_KEY: '' })
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/OPENAI_API_KEY/)
  })

  it('rejects unknown arguments with exit code 2', async () => {
    const { code, stderr } = await runCli('', ['--bogus'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/unknown argument --bogus/)
  })

  it('--offline is accepted explicitly and is the default', async () => {
    // About the flag, not the model's urgency call: the offline classifier answers, the same as with no flag.
    const input = '{"id":"o","text":"请问低保怎么申请？"}\n'
    const { code, stdout } = await runCli(input, ['--offline'])
    expect(code).toBe(0)
    const [line] = parseLines(stdout)
    expect(line).toMatchObject({ id: 'o', is_request: true, category: 'consultation', method: 'offline' })
    expect(['urgent', 'high', 'normal', 'low']).toContain(line!.urgency)
    expect(parseLines((await runCli(input)).stdout)).toEqual(parseLines(stdout))
  })
})
