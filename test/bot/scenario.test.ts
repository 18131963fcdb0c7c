import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fillPlaceholders, loadScenario, parseScenario, ScenarioError } from '../../app/sim/scenario.js'

const problem = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    if (e instanceof ScenarioError) return { path: e.path, problem: e.problem, message: e.message }
    throw e
  }
  throw new Error('expected a ScenarioError')
}

describe('scenario files', () => {
  it('accepts the documented shape, with defaults for start and community', () => {
    const now = new Date('2026-01-01T00:00:00Z')
    const s = parseScenario({ steps: [{ from: '李阿姨', room: '幸福里3号楼业主群', text: '3号楼楼道灯坏了' }, { from: '王芳', text: '接单 {{req1}}' }, { from: '李阿姨', image: true }, { wait: 'PT2H' }] }, '/x/s.json', now)
    expect(s.start).toEqual(now)
    expect(s.community).toBeNull()
    expect(s.steps[3]).toEqual({ wait: 'PT2H', ms: 2 * 3600_000 })
    expect(parseScenario({ start: '2026-11-23T09:00:00+08:00', community: 'c.yaml', steps: [] }, '/x/y/s.json')).toMatchObject({
      start: new Date('2026-11-23T01:00:00Z'), community: '/x/y/c.yaml',
    })
  })

  it('names the file, the path and the problem', () => {
    expect(problem(() => parseScenario({ steps: [{ from: 'a', text: 'x' }, { wait: '2 hours' }] }, 's.json'))).toMatchObject({
      path: 'steps[1].wait', message: expect.stringMatching(/^s\.json: steps\[1\]\.wait: expected an ISO-8601 duration/),
    })
    expect(problem(() => parseScenario({ steps: [{ room: 'r', text: 'x' }] }, 's.json')).path).toBe('steps[0].from')
    expect(problem(() => parseScenario({ steps: [{ from: 'a', text: 'x', image: true }] }, 's.json')).problem).toContain('exactly one of')
    expect(problem(() => parseScenario({ steps: [{ from: 'a', txt: 'x' }] }, 's.json')).path).toBe('steps[0].txt')
    expect(problem(() => parseScenario({ start: 'tomorrow', steps: [] }, 's.json')).path).toBe('start')
    expect(problem(() => parseScenario({ steps: 'none' }, 's.json')).path).toBe('steps')
    expect(problem(() => parseScenario([], 's.json')).path).toBe('')
  })

  it('reports unreadable files and JSON syntax errors with a position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-scn-'))
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"steps": [\n  {"from": "a", "text": "x"},\n]}')
    expect(problem(() => loadScenario(bad)).message).toMatch(/bad\.json: not valid JSON.*Unexpected token/s)
    expect(problem(() => loadScenario(join(dir, 'missing.json'))).message).toContain('ENOENT')
  })

  it('fills {{reqN}} with this run\'s request numbers and refuses ones not created yet', () => {
    expect(fillPlaceholders('接单 {{req2}}，{{ req1 }}', ['7', '8'], 's.json', 'steps[1].text')).toBe('接单 8，7')
    expect(problem(() => fillPlaceholders('接单 {{req3}}', ['7'], 's.json', 'steps[4].text'))).toMatchObject({
      path: 'steps[4].text', problem: expect.stringContaining('only 1 has been created'),
    })
  })
})
