import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm'
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js'
import { dialectOf } from './dataSource.js'

/**
 * Inserts rows of one entity in a single multi-row INSERT and returns them as entities with their ids, without
 * reading them back: every column is written (a column left out takes its declared default, else null), so the
 * returned objects are what the table now holds. Ids come from the driver: MySQL reports the first id of the
 * statement and numbers the rest consecutively (the same assumption TypeORM makes), SQLite the last.
 */
export async function insertRows<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, rows: Partial<T>[]): Promise<T[]> {
  if (!rows.length) return []
  const meta = em.connection.getMetadata(target)
  const generated = meta.primaryColumns.find((c) => c.isGenerated)
  const full = rows.map((row) => {
    const entity = em.create(target, {} as never) as T
    for (const c of meta.columns) {
      if (c === generated) continue
      const given = c.getEntityValue(row as ObjectLiteral)
      c.setEntityValue(entity, given !== undefined ? given : typeof c.default === 'function' ? undefined : c.default !== undefined ? c.default : c.isNullable ? null : undefined)
    }
    return entity
  })
  const raw = await rawInsert(em, meta, full, '')
  if (generated) {
    const ids = insertedIds(em, raw, full.length)
    full.forEach((e, i) => generated.setEntityValue(e, ids[i]))
  }
  return full
}

/**
 * One multi-row INSERT of every column but the generated id, in hand-written SQL with bound parameters (TypeORM's
 * query builder costs several times the database's own time per row on the bot's hot path). Values go through the
 * driver's own conversion (dates, simple-json, booleans), as the query builder's would. No entity subscribers run:
 * only for tables no subscriber watches (inbox, requests, their events and reporters, the outbox — not the
 * configuration entities of src/community/cache.ts). `ignore`: a row a unique key refuses is skipped.
 */
export async function rawInsert(em: EntityManager, meta: EntityMetadata, rows: ObjectLiteral[], ignore: '' | 'ignore'): Promise<unknown> {
  const driver = em.connection.driver
  const generated = meta.primaryColumns.find((c) => c.isGenerated)
  const columns = meta.columns.filter((c) => c !== generated)
  const one = `(${columns.map(() => '?').join(', ')})`
  const verb = !ignore ? 'INSERT' : dialectOf(em) === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE'
  const sql = `${verb} INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES ${rows.map(() => one).join(', ')}`
  const params: unknown[] = []
  for (const row of rows) for (const c of columns) params.push(boundValue(em, c, c.getEntityValue(row)))
  return (await queryOn(em, sql, params)).raw
}

/** A property's value as a bound parameter: the driver's own conversion (dates, simple-json), booleans as 1/0, undefined as NULL. */
export function boundValue(em: EntityManager, column: ColumnMetadata, value: unknown): unknown {
  const v = em.connection.driver.preparePersistentValue(value, column)
  return typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v
}

/** Runs one statement in the caller's transaction when it has one, else on a query runner of its own. */
export async function queryOn(em: EntityManager, sql: string, params: unknown[]): Promise<{ raw: unknown; affected?: number }> {
  const qr = em.queryRunner ?? em.connection.createQueryRunner()
  try {
    return await qr.query(sql, params, true)
  } finally {
    if (!em.queryRunner) await qr.release()
  }
}

/** The first id a multi-row INSERT of n rows wrote, from the id the driver reported: MySQL's first, SQLite's last. */
export function firstInsertedId(db: DataSource | EntityManager, reported: number, n: number): number {
  return dialectOf(db) === 'sqlite' ? reported - n + 1 : reported
}

/** The ids of the n rows the last INSERT wrote, from the driver's result. */
function insertedIds(em: EntityManager, raw: unknown, n: number): number[] {
  const first = firstInsertedId(em, Number(dialectOf(em) === 'sqlite' ? raw : (raw as { insertId: number | bigint }).insertId), n)
  return Array.from({ length: n }, (_, i) => first + i)
}

/** A unique key refused the row (MySQL ER_DUP_ENTRY, SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY). */
export function isDuplicateKeyError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } } | null
  const codes = [e?.code, e?.driverError?.code]
  return codes.includes('ER_DUP_ENTRY') || [e?.errno, e?.driverError?.errno].includes(1062)
    || codes.includes('SQLITE_CONSTRAINT_UNIQUE') || codes.includes('SQLITE_CONSTRAINT_PRIMARYKEY')
}

/**
 * Inserts one row unless a row with the same values in `uniqueBy` exists (INSERT … SELECT … WHERE NOT EXISTS,
 * one statement; on MySQL a locking read, so two writers cannot both insert). Returns the row with its id, or
 * null when one existed. Every column is written as in insertRows; no entity listeners run (give audit times).
 */
export async function insertRowIfAbsent<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Partial<T>, uniqueBy: (keyof T & string)[]): Promise<T | null> {
  const meta = em.connection.getMetadata(target)
  const driver = em.connection.driver
  const generated = meta.primaryColumns.find((c) => c.isGenerated)
  const entity = em.create(target, {} as never) as T
  const columns = meta.columns.filter((c) => c !== generated)
  for (const c of columns) {
    const given = c.getEntityValue(row as ObjectLiteral)
    c.setEntityValue(entity, given !== undefined ? given : c.default !== undefined && typeof c.default !== 'function' ? c.default : c.isNullable ? null : undefined)
  }
  const keys = uniqueBy.map((k) => meta.findColumnWithPropertyName(k)!)
  const table = driver.escape(meta.tableName)
  const value = (c: (typeof columns)[number]) => {
    const v = driver.preparePersistentValue(c.getEntityValue(entity), c)
    return typeof v === 'boolean' ? (v ? 1 : 0) : v
  }
  const sql = `INSERT INTO ${table} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) `
    + `SELECT ${columns.map(() => '?').join(', ')}${dialectOf(em) === 'mysql' ? ' FROM DUAL' : ''} `
    + `WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${keys.map((k) => `${driver.escape(k.databaseName)} = ?`).join(' AND ')})`
  const params = [...columns.map(value), ...keys.map(value)]
  const qr = em.queryRunner ?? em.connection.createQueryRunner()
  try {
    const result = await qr.query(sql, params, true)
    if (!result.affected) return null
    if (generated) generated.setEntityValue(entity, dialectOf(em) === 'sqlite' ? Number(result.raw) : Number((result.raw as { insertId: number }).insertId))
    return entity
  } finally {
    if (!em.queryRunner) await qr.release()
  }
}
