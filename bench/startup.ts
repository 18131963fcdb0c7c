// Start-up time: from spawning `node --import tsx app/main.ts` (what `npm start` runs) to the first 200 from
// /healthz, against bare Koa under tsx (bench/bareKoaStart.ts), each the median of `runs` starts. jiesu runs on a
// fresh SQLite file each time (migrations, the first-start community import, the classifier's model) with the bot
// enabled on a puppet that is not installed, so no network is involved. test/cli/start.test.ts starts it the same way.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)) })
})

/** The environment of `npm start` on a fresh SQLite file in `dir`, the bot on a puppet that is not installed. */
export const npmStartEnv = (dir: string): NodeJS.ProcessEnv => ({
  NODE_ENV: 'production', HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'jiesu.db')}`, LOG_LEVEL: 'silent',
  WECHATY_PUPPET: 'wechaty-puppet-not-installed', JOBS_ENABLED: 'true',
})

export interface Started { ms: number; port: number; child: ChildProcess; output: () => string; exited: Promise<number | null> }

/** Spawns `node --import tsx script` on a free PORT and resolves once /healthz answers 200 (the process keeps running). */
export async function startUntilHealthy(script: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env, PORT: String(port) } })
  let output = ''
  child.stdout!.on('data', (b) => { output += b })
  child.stderr!.on('data', (b) => { output += b })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode} before answering /healthz:\n${output}`)
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)
    if (ok) return { ms: performance.now() - t0, port, child, output: () => output, exited }
    if (performance.now() - t0 > 60_000) { child.kill('SIGKILL'); throw new Error(`${script}: no /healthz within 60 s`) }
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function msToHealthy(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = await startUntilHealthy(script, env)
  started.child.kill('SIGTERM')
  await started.exited
  return started.ms
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

export async function startupFigures(runs: number): Promise<{ jiesuMs: number; bareMs: number }> {
  const jiesu: number[] = [], bare: number[] = []
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-bench-start-'))
    try {
      jiesu.push(await msToHealthy('app/main.ts', npmStartEnv(dir)))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    bare.push(await msToHealthy('bench/bareKoaStart.ts', {}))
  }
  return { jiesuMs: median(jiesu), bareMs: median(bare) }
}
