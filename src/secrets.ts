import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export interface GeneratedSecrets { JWT_SECRET: string; DATA_ENCRYPTION_KEY: string }

const FILE = 'secrets.json'

/**
 * The secrets kept in the data directory: created with random values at first start (owner-only, created
 * exclusively so two processes starting together agree), read back on every later start. A value missing
 * from an older file is added.
 */
export function generatedSecrets(dataDir: string): GeneratedSecrets {
  const path = join(dataDir, FILE)
  mkdirSync(dataDir, { recursive: true })
  const fresh = (): GeneratedSecrets => ({ JWT_SECRET: randomBytes(32).toString('base64url'), DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64url') })
  let kept: Partial<GeneratedSecrets> | null = null
  try {
    kept = JSON.parse(readFileSync(path, 'utf8')) as Partial<GeneratedSecrets>
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: cannot read the generated secrets (${(err as Error).message})`)
  }
  if (kept?.JWT_SECRET && kept.DATA_ENCRYPTION_KEY) return { JWT_SECRET: kept.JWT_SECRET, DATA_ENCRYPTION_KEY: kept.DATA_ENCRYPTION_KEY }
  const secrets = { ...fresh(), ...(kept ?? {}) } as GeneratedSecrets
  try {
    const fd = openSync(path, kept ? 'w' : 'wx', 0o600)
    try {
      writeSync(fd, `${JSON.stringify(secrets, null, 2)}\n`)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return generatedSecrets(dataDir)
    throw err
  }
  return secrets
}
