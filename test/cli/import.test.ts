import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'jiesu-import-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `npm run import` as an operator runs it (node + tsx), on a SQLite file of its own. */
function runImport(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/import.ts', 'examples/community.yaml', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${join(dir, 'import.db')}`, DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = '', stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const codeLines = (out: string) => out.split('\n').filter((l) => /: \d{6} {2}valid until /.test(l))

describe('npm run import: the 认证 codes', () => {
  it('prints each unbound staff member a code on the community clock, then says why a re-run prints none, and --new-codes reissues', async () => {
    const first = await runImport()
    expect(first.code, first.stderr).toBe(0)
    const issued = codeLines(first.stdout)
    expect(issued.length).toBeGreaterThan(0)
    // valid until 2026-12-05 10:00 (Asia/Shanghai): local wall time, not an ISO instant in UTC
    for (const l of issued) expect(l).toMatch(/valid until \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\)$/)
    expect(first.stdout).not.toMatch(/still holds? an unexpired code/)

    const again = await runImport()
    expect(again.code, again.stderr).toBe(0)
    expect(codeLines(again.stdout)).toEqual([])
    expect(again.stdout).toMatch(new RegExp(`${issued.length} unbound staff members? still holds? an unexpired code .*--new-codes`))

    const reissued = await runImport('--new-codes')
    expect(reissued.code, reissued.stderr).toBe(0)
    expect(codeLines(reissued.stdout).length).toBe(issued.length)
    expect(reissued.stdout).not.toMatch(/still holds? an unexpired code/)
  }, 60_000)
})
