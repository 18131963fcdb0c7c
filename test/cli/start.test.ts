// `npm start` as a process: the API answers /healthz while the bot is still being loaded, the bot then reports its
// own state there, and SIGTERM shuts everything down cleanly. Started as bench/startup.ts times it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { npmStartEnv, startUntilHealthy, type Started } from '../../bench/startup.js'

async function until<T>(what: string, probe: () => Promise<T | null>, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const v = await probe().catch(() => null)
    if (v !== null) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const dir = mkdtempSync(join(tmpdir(), 'jiesu-start-'))
let started: Started | null = null
afterAll(() => { started?.child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) })

it('npm start: /healthz answers, the bot reports its state there, SIGTERM exits 0', async () => {
  // The bot's puppet is not installed: it cannot log in, says why, and the API keeps running.
  started = await startUntilHealthy('app/main.ts', { ...npmStartEnv(dir), JOBS_ENABLED: 'false', LOG_LEVEL: 'info', TEST_DATABASE_URL: '' })
  const health = async () => {
    const r = await fetch(`http://127.0.0.1:${started!.port}/healthz`)
    return r.ok ? ((await r.json()) as { status: string; bot: { state: string } }) : null
  }
  const first = await until('/healthz answers', health)
  expect(first.status).toBe('ok')
  expect(['starting', 'error']).toContain(first.bot.state)
  const later = await until('the bot reports that it cannot log in', async () => ((await health())?.bot.state === 'error' ? 'error' : null))
  expect(later).toBe('error')
  // jiesu's own log says why (Wechaty's is silent in the tests), in the line it writes just after the state changes
  const why = await until('the log says why the bot cannot log in', async () => started!.output().split('\n').find((l) => l.includes('WeChat bot not logged in')) ?? null)
  expect(why).toContain('wechaty-puppet-not-installed')

  started.child.kill('SIGTERM')
  expect(await started.exited).toBe(0)
  started = null
}, 120_000)
