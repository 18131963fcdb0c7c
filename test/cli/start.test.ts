// `npm start` as a process: the API answers /healthz while the bot is still being loaded, the bot then reports its
// own state there, and SIGTERM shuts everything down cleanly.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)) })
})

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
let child: ChildProcess | null = null
afterAll(() => { child?.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) })

it('npm start: /healthz answers, the bot reports its state there, SIGTERM exits 0', async () => {
  const port = await freePort()
  let output = ''
  child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
    env: {
      ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'jiesu.db')}`,
      // A puppet that is not installed: the bot cannot log in, says why, and the API keeps running.
      WECHATY_PUPPET: 'wechaty-puppet-not-installed', JOBS_ENABLED: 'false', LOG_LEVEL: 'info', TEST_DATABASE_URL: '',
    },
  })
  child.stdout!.on('data', (b) => { output += b })
  child.stderr!.on('data', (b) => { output += b })
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))

  const health = async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`)
    return r.ok ? ((await r.json()) as { status: string; bot: { state: string } }) : null
  }
  const first = await until('/healthz answers', health)
  expect(first.status).toBe('ok')
  expect(['starting', 'error']).toContain(first.bot.state)
  const later = await until('the bot reports that it cannot log in', async () => ((await health())?.bot.state === 'error' ? 'error' : null))
  expect(later).toBe('error')
  expect(output).toContain('wechaty-puppet-not-installed')

  child.kill('SIGTERM')
  expect(await exited).toBe(0)
  child = null
}, 120_000)
