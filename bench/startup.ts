// Start-up time: from spawning `node --import tsx app/main.ts` (what `npm start` runs) to the first 200 from
// /healthz, against bare Koa under tsx (bench/bareKoaStart.ts), each the median of `runs` starts. jiesu runs on a
// fresh SQLite file each time (migrations, the first-start community import, the classifier's model) with the bot
// enabled on a puppet that is not installed, so no network is involved.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)) })
})

async function msToHealthy(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env, PORT: String(port) }, stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode} before answering /healthz`)
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)
      if (ok) return performance.now() - t0
      if (performance.now() - t0 > 60_000) throw new Error(`${script}: no /healthz within 60 s`)
      await new Promise((r) => setTimeout(r, 20))
    }
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

export async function startupFigures(runs: number): Promise<{ jiesuMs: number; bareMs: number }> {
  const jiesu: number[] = [], bare: number[] = []
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-bench-start-'))
    try {
      jiesu.push(await msToHealthy('app/main.ts', {
        NODE_ENV: 'production', HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'jiesu.db')}`, LOG_LEVEL: 'silent',
        WECHATY_PUPPET: 'wechaty-puppet-not-installed', JOBS_ENABLED: 'true',
      }))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    bare.push(await msToHealthy('bench/bareKoaStart.ts', {}))
  }
  return { jiesuMs: median(jiesu), bareMs: median(bare) }
}
