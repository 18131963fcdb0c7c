import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { seedRequests } from '../../../bench/seed.js'
import { requestsCsvChunks, type CsvContext } from '../../../miniprogram-api/presenters/requestsCsv.js'
import { closeIdleCsvWorkers, idleCsvWorkers } from '../../../miniprogram-api/presenters/csvWorkerPool.js'
import { csvWorkerDatabase, requestsCsvInWorkers } from '../../../miniprogram-api/presenters/requestsCsvWorkers.js'
import { Grid, Staff } from '../../../src/db/entities/index.js'
import { openDatabase } from '../../../src/db/dataSource.js'
import { requestsCreatedIn } from '../../../src/requests/periodRows.js'
import { utcDatetimeText } from '../../../src/time.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../../helpers/db.js'

const DAY = 86_400_000

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of stream) parts.push(Buffer.from(part))
  return Buffer.concat(parts)
}

describeEachDb('CSV export in worker threads', (kind) => {
  let db: DataSource, close: () => Promise<void>
  let communityId: number, context: CsvContext
  const now = new Date('2026-11-24T00:00:00Z')
  // the last 9 days and a half: whole days and a partial one, each holding several reads of 3 rows
  const period = { from: new Date(now.getTime() - 9.5 * DAY), to: now, batchSize: 3 }

  beforeAll(async () => {
    if (kind === 'sqlite') {
      // a file: the workers open it read-only themselves (an in-memory database has no second connection)
      const dir = mkdtempSync(join(tmpdir(), 'jiesu-csv-workers-'))
      db = await openDatabase(`sqlite:${join(dir, 'test.db')}`)
      close = async () => { await db.destroy(); rmSync(dir, { recursive: true, force: true }) }
    } else ({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
    const grids = await db.getRepository(Grid).findBy({ communityId })
    await seedRequests(db, { communityId, gridIds: grids.map((g) => g.id), n: 4000, now })
    // text that needs quoting, a formula, a phone to mask, a line break; one ties another's created_at
    await db.query(`UPDATE requests SET original_text = ?, resolution_note = ? WHERE no IN ('B3950', 'B3960', 'B3990')`,
      ['漏水, 电话13812345678，"急"\n谢谢', '=已处理'])
    // a line longer than a worker's first day buffer (it grows mid-day), and characters outside the BMP
    await db.query(`UPDATE requests SET original_text = ? WHERE no = 'B3955'`, [`${'长'.repeat(30_000)} 🏠漏水🚰`])
    const [tie] = await db.query(`SELECT created_at AS at FROM requests WHERE no = 'B3970'`)
    await db.query(`UPDATE requests SET created_at = ? WHERE no = 'B3971'`, [tie.at])
    // ids out of created_at order (the workers read a day along the primary key while they agree): one request
    // a second before the one created just ahead of it, another moved back three days
    const [[ahead], [far]] = [await db.query(`SELECT created_at AS at FROM requests WHERE no = 'B3984'`), await db.query(`SELECT created_at AS at FROM requests WHERE no = 'B3940'`)]
    const earlier = (at: unknown, ms: number) => utcDatetimeText(new Date((at instanceof Date ? at : new Date(`${String(at).replace(' ', 'T')}Z`)).getTime() - ms))
    await db.query(`UPDATE requests SET created_at = ? WHERE no = 'B3985'`, [earlier(ahead.at, 1000)])
    await db.query(`UPDATE requests SET created_at = ? WHERE no = 'B3995'`, [earlier(far.at, 0)])
    const staff = await db.getRepository(Staff).findBy({ communityId })
    context = { timeZone: 'Asia/Shanghai', now, gridNames: new Map(grids.map((g) => [g.id, g.name])), staffNames: new Map(staff.map((s) => [s.id, s.name])) }
  }, 60_000)
  afterAll(async () => { await closeIdleCsvWorkers(); await close?.() })

  it('writes the same bytes as the single-thread path, over several days', async () => {
    const q = { communityId, ...period }
    const single: Buffer[] = []
    for await (const chunk of requestsCsvChunks(requestsCreatedIn(db, q), context)) single.push(Buffer.from(chunk))
    const expected = Buffer.concat(single)
    const rows = expected.toString('utf8').split('\r\n').length - 2
    expect(rows).toBeGreaterThan(80) // ~4000 over a year: ~10 a day
    expect(expected.toString('utf8')).toContain('138****5678')
    expect(expected.toString('utf8')).toContain(`${'长'.repeat(30_000)} 🏠漏水🚰`)
    for (const workers of [1, 2, 3]) {
      const got = await bytesOf(requestsCsvInWorkers(csvWorkerDatabase(db)!, q, context, { workers }))
      expect(got.equals(expected)).toBe(true)
    }
  }, 60_000)

  it('keeps its workers for the next export, which writes the same bytes with them', async () => {
    await closeIdleCsvWorkers()
    const q = { communityId, ...period }
    const first = await bytesOf(requestsCsvInWorkers(csvWorkerDatabase(db)!, q, context, { workers: 2 }))
    expect(idleCsvWorkers()).toBe(2)
    const second = await bytesOf(requestsCsvInWorkers(csvWorkerDatabase(db)!, q, context, { workers: 2 }))
    expect(idleCsvWorkers()).toBe(2) // the same two, not two more
    expect(second.equals(first)).toBe(true)
  }, 60_000)

  it('ends the stream with an error when a worker cannot read', async () => {
    const database = kind === 'sqlite' ? { kind: 'sqlite' as const, file: join(tmpdir(), 'jiesu-no-such-dir', 'none.db') } : { ...csvWorkerDatabase(db)!, database: 'jiesu_no_such_database' }
    const stream = requestsCsvInWorkers(database as never, { communityId, ...period }, context)
    await expect(bytesOf(stream)).rejects.toThrow(/^CSV export: /)
  }, 30_000)

  it('stops when the reader goes away early', async () => {
    const stream = requestsCsvInWorkers(csvWorkerDatabase(db)!, { communityId, ...period }, context)
    const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve))
    expect(first.length).toBeGreaterThan(0)
    const kept = idleCsvWorkers()
    stream.destroy()
    await new Promise((resolve) => stream.once('close', resolve))
    expect(stream.destroyed).toBe(true)
    expect(idleCsvWorkers()).toBe(kept) // a stopped export's workers are ended, not kept
  }, 30_000)
})
