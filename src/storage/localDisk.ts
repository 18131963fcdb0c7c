import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { assertSafeKey, type FileStorage } from './fileStorage.js'

/** Files on the local disk under one root directory (UPLOAD_DIR). Writes are atomic: temp file, then rename. */
export class LocalDiskStorage implements FileStorage {
  readonly root: string
  constructor(root: string) {
    this.root = resolve(root)
  }

  private pathOf(key: string): string {
    assertSafeKey(key)
    return join(this.root, ...key.split('/'))
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.pathOf(key)
    await mkdir(dirname(path), { recursive: true })
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
    try {
      await writeFile(tmp, data)
      await rename(tmp, path)
    } catch (e) {
      await rm(tmp, { force: true })
      throw e
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw e
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true })
  }
}
