import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm'
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js'
import { dialectOf } from './dataSource.js'
import { powerOfTwoRuns } from './statementShapes.js'

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
  const full = rows.map((row) => completeRow(em, target, meta, row))
  // SQLite: runs of power-of-two lengths, so that batches of every size share a few prepared statements.
  for (const run of dialectOf(em) === 'sqlite' ? powerOfTwoRuns(full) : [full]) {
    const raw = await rawInsert(em, meta, run, '')
    if (generated) {
      const ids = insertedIds(em, raw, run.length)
      run.forEach((e, i) => generated.setEntityValue(e, ids[i]))
    }
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
  if (dialectOf(em) === 'sqlite' && rows.length & (rows.length - 1)) {
    let raw: unknown
    for (const run of powerOfTwoRuns(rows)) raw = await rawInsert(em, meta, run, ignore)
    return raw // the last run's (callers of a run of mixed lengths use none of it)
  }
  const { columns, into } = insertTarget(em, meta)
  const one = `(${columns.map(() => '?').join(', ')})`
  const verb = !ignore ? 'INSERT' : dialectOf(em) === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE'
  const sql = `${verb} ${into} VALUES ${rows.map(() => one).join(', ')}`
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
 * Inserts one row only when `condition` (SQL, its parameters bound after the row's) holds as the row is written:
 * INSERT … SELECT … WHERE, one statement, so nothing can change in between (a locking read in the condition, on
 * MySQL, holds what it read to commit). Returns the row with its id, or null when the condition was false.
 * Every column is written as in insertRows; no entity listeners run (give audit times).
 */
export async function insertRowIf<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Partial<T>, condition: string, conditionParams: unknown[]): Promise<T | null> {
  const meta = em.connection.getMetadata(target)
  const { columns, into } = insertTarget(em, meta)
  const entity = completeRow(em, target, meta, row)
  const select = `SELECT ${columns.map(() => '?').join(', ')}${dialectOf(em) === 'mysql' ? ' FROM DUAL' : ''}` // SQLite has no DUAL
  const params = [...columns.map((c) => boundValue(em, c, c.getEntityValue(entity))), ...conditionParams]
  const { raw, affected } = await queryOn(em, `INSERT ${into} ${select} WHERE ${condition}`, params)
  if (!affected) return null
  const generated = meta.primaryColumns.find((c) => c.isGenerated)
  if (generated) generated.setEntityValue(entity, insertedIds(em, raw, 1)[0])
  return entity
}

/**
 * Inserts one row unless a row with the same values in `uniqueBy` exists (INSERT … SELECT … WHERE NOT EXISTS,
 * one statement; on MySQL a locking read, so two writers cannot both insert). Returns the row with its id, or
 * null when one existed. Every column is written as in insertRows; no entity listeners run (give audit times).
 */
export async function insertRowIfAbsent<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Partial<T>, uniqueBy: (keyof T & string)[]): Promise<T | null> {
  const meta = em.connection.getMetadata(target)
  const driver = em.connection.driver
  const keys = uniqueBy.map((k) => meta.findColumnWithPropertyName(k)!)
  const absent = `NOT EXISTS (SELECT 1 FROM ${driver.escape(meta.tableName)} WHERE ${keys.map((k) => `${driver.escape(k.databaseName)} = ?`).join(' AND ')})`
  return insertRowIf(em, target, row, absent, keys.map((k) => boundValue(em, k, k.getEntityValue(row as ObjectLiteral))))
}

/**
 * insertRowIfAbsent for many rows in one statement: INSERT … SELECT over the rows (UNION ALL) WHERE NOT EXISTS a
 * row with the same `uniqueBy` values (on MySQL a locking read, as in the single form). The rows must differ in
 * those values. Returns how many were written; which ones is for the caller to read (the skipped ones existed).
 */
export async function insertRowsIfAbsent<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, rows: Partial<T>[], uniqueBy: (keyof T & string)[]): Promise<number> {
  if (!rows.length) return 0
  if (dialectOf(em) === 'sqlite' && rows.length & (rows.length - 1)) {
    let written = 0
    for (const run of powerOfTwoRuns(rows)) written += await insertRowsIfAbsent(em, target, run, uniqueBy)
    return written
  }
  const meta = em.connection.getMetadata(target)
  const driver = em.connection.driver
  const { columns, into } = insertTarget(em, meta)
  const full = rows.map((row) => completeRow(em, target, meta, row))
  const first = `SELECT ${columns.map((c) => `? AS ${driver.escape(c.databaseName)}`).join(', ')}`
  const rest = `SELECT ${columns.map(() => '?').join(', ')}`
  const values = full.map((_, i) => (i === 0 ? first : rest)).join(' UNION ALL ')
  const keys = uniqueBy.map((k) => driver.escape(meta.findColumnWithPropertyName(k)!.databaseName))
  const absent = `NOT EXISTS (SELECT 1 FROM ${driver.escape(meta.tableName)} x WHERE ${keys.map((k) => `x.${k} = v.${k}`).join(' AND ')})`
  const params = full.flatMap((row) => columns.map((c) => boundValue(em, c, c.getEntityValue(row))))
  const { affected } = await queryOn(em, `INSERT ${into} SELECT * FROM (${values}) v WHERE ${absent}`, params)
  return affected ?? 0
}

/** "INTO table (columns)" for every column but the generated id, and those columns in that order. */
function insertTarget(em: EntityManager, meta: EntityMetadata): { columns: ColumnMetadata[]; into: string } {
  const driver = em.connection.driver
  const generated = meta.primaryColumns.find((c) => c.isGenerated)
  const columns = meta.columns.filter((c) => c !== generated)
  return { columns, into: `INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')})` }
}

/** The row as the table will hold it: every column but the generated id, one not given taking its declared default, else null. */
function completeRow<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, meta: EntityMetadata, row: Partial<T>): T {
  const generated = meta.primaryColumns.find((c) => c.isGenerated)
  const entity = em.create(target, {} as never) as T
  for (const c of meta.columns) {
    if (c === generated) continue
    const given = c.getEntityValue(row as ObjectLiteral)
    c.setEntityValue(entity, given !== undefined ? given : typeof c.default === 'function' ? undefined : c.default !== undefined ? c.default : c.isNullable ? null : undefined)
  }
  return entity
}
