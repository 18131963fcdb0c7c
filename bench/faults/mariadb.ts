import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { join } from 'node:path'

/**
 * A MariaDB server of the fault script's own: its own data directory and socket under /tmp, a spare port
 * in 3310-3319. Only this instance is ever stopped, frozen or restarted; the shared server is never touched.
 */
export class OwnMariaDb {
  readonly dir: string
  readonly port: number
  private proc: ChildProcess | null = null

  private constructor(dir: string, port: number) {
    this.dir = dir
    this.port = port
  }

  static async create(): Promise<OwnMariaDb> {
    const dir = mkdtempSync('/tmp/jiesu-faults-')
    const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal'], { encoding: 'utf8' })
    if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`)
    for (let port = 3310; port <= 3319; port++) {
      if (await listening(port)) continue
      const db = new OwnMariaDb(dir, port)
      await db.start()
      return db
    }
    throw new Error('no free port in 3310-3319 for the fault script\'s MariaDB')
  }

  get url(): string { return `mysql://root@127.0.0.1:${this.port}` }
  get pid(): number { return this.proc?.pid ?? -1 }

  async start(): Promise<void> {
    this.proc = spawn('mariadbd', [
      '--no-defaults', `--datadir=${join(this.dir, 'data')}`, `--port=${this.port}`, `--socket=${join(this.dir, 'mysqld.sock')}`,
      `--pid-file=${join(this.dir, 'mysqld.pid')}`, '--bind-address=127.0.0.1', '--user=root', '--skip-grant-tables', '--skip-log-bin',
      '--innodb-buffer-pool-size=64M', '--max-connections=300', `--log-error=${join(this.dir, 'error.log')}`,
    ], { stdio: 'ignore' })
    for (let i = 0; i < 300; i++) {
      if (await listening(this.port)) return
      await sleep(100)
    }
    throw new Error(`the fault script's MariaDB did not start (see ${join(this.dir, 'error.log')})`)
  }

  /** A clean shutdown, as an operator's restart or a failover does. */
  async stop(): Promise<void> {
    const p = this.proc
    if (!p || p.exitCode !== null) return
    const exited = new Promise((r) => p.once('exit', r))
    p.kill('SIGTERM')
    await exited
    this.proc = null
  }

  freeze(): void { this.proc?.kill('SIGSTOP') }
  thaw(): void { this.proc?.kill('SIGCONT') }

  async destroy(): Promise<void> {
    this.thaw()
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port })
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}
