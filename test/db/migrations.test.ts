import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { MIGRATIONS } from '../../migrations/index.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'

describeEachDb('migrations', (kind) => {
  let db: DataSource, close: () => Promise<void>
  beforeAll(async () => { ({ db, close } = await openTestDb(kind, { migrate: false })) })
  afterAll(() => close())
  /** Which of the entities' tables exist. */
  const tables = async () => {
    const runner = db.createQueryRunner()
    const present = []
    for (const meta of db.entityMetadatas) if (await runner.hasTable(meta.tableName)) present.push(meta.tableName)
    await runner.release()
    return present.sort()
  }

  it('go up, down and up again, and leave the schema matching the entities', async () => {
    const applied = await db.runMigrations({ transaction: 'each' })
    expect(applied).toHaveLength(MIGRATIONS.length)
    expect(await tables()).toEqual(expect.arrayContaining(['requests', 'request_events', 'outbox', 'inbox', 'communities', 'grids', 'buildings', 'staff', 'residents', 'chat_rooms']))
    // Every entity column exists in the migrated schema with the same nullability.
    const runner = db.createQueryRunner()
    for (const meta of db.entityMetadatas) {
      const table = await runner.getTable(meta.tableName)
      expect(table, meta.tableName).toBeDefined()
      for (const col of meta.columns) {
        const dbCol = table!.findColumnByName(col.databaseName)
        expect(dbCol, `${meta.tableName}.${col.databaseName}`).toBeDefined()
        expect(dbCol!.isNullable, `${meta.tableName}.${col.databaseName} nullability`).toBe(col.isNullable)
      }
    }
    await runner.release()
    for (let i = 0; i < MIGRATIONS.length; i++) await db.undoLastMigration({ transaction: 'each' })
    expect(await tables()).toEqual([])
    await db.runMigrations({ transaction: 'each' })
    expect(await tables()).toContain('requests')
    expect(await db.runMigrations()).toHaveLength(0)
  })
})
