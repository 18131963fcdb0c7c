import { QueryFailedError, type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm'
import { dialectOf } from './dataSource.js'
import { dateOf } from './rawDate.js'

/**
 * Entity rows read by hand-written SQL, for the hot read paths (auth, lists): TypeORM's query builder and
 * hydration cost several times what the database does for a primary-key lookup. `select` names the columns
 * as `alias.column AS "prefix<property>"`; `hydrate` turns such a row back into the entity (or the picked
 * properties of it), converting values exactly as TypeORM does on both databases: DATETIME text or Date →
 * Date, 0/1 → boolean, simple-json text → value, numeric strings → number.
 */
export interface RawColumns<T> {
  /** the entity's table, quoted */
  table: string
  select(alias: string, prefix: string): string
  hydrate(row: Record<string, unknown>, prefix: string): T
  /** The same from rows as arrays (`rawArrays`), whose column positions are in `at`: for many rows, no object per row. */
  hydrateAll(rows: unknown[][], at: Map<string, number>, prefix: string): T[]
}

type Convert = (v: unknown) => unknown
const asDate: Convert = (v) => dateOf(v)
const asBoolean: Convert = (v) => (v == null ? v : v === true || Number(v) === 1)
const asJson: Convert = (v) => (v == null ? v : typeof v === 'string' ? JSON.parse(v) : v)
const asNumber: Convert = (v) => (v == null ? v : Number(v))
const asIs: Convert = (v) => v

function converterFor(type: unknown): Convert {
  switch (type) {
    case 'datetime': return asDate
    case 'boolean': return asBoolean
    case 'simple-json': return asJson
    case 'int': case 'integer': case 'float': case Number: return asNumber
    case Boolean: return asBoolean
    case Date: return asDate
    default: return asIs
  }
}

const cache = new WeakMap<DataSource, Map<unknown, RawColumns<unknown>>>()

/** The columns of `entity` (or only `props`), for a raw SELECT and back. Built once per data source and entity. */
export function rawColumns<T extends ObjectLiteral>(db: DataSource | EntityManager, entity: EntityTarget<T> & (new () => T)): RawColumns<T>
export function rawColumns<T extends ObjectLiteral, K extends keyof T & string>(db: DataSource | EntityManager, entity: EntityTarget<T> & (new () => T), props: readonly K[]): RawColumns<Pick<T, K>>
export function rawColumns<T extends ObjectLiteral, K extends keyof T & string>(db: DataSource | EntityManager, entity: EntityTarget<T> & (new () => T), props?: readonly K[]): RawColumns<Pick<T, K>> {
  const ds = 'connection' in db ? db.connection : db
  let forDs = cache.get(ds)
  if (!forDs) cache.set(ds, (forDs = new Map()))
  const key = props ? `${(entity as { name: string }).name}:${props.join(',')}` : entity
  const known = forDs.get(key)
  if (known) return known as RawColumns<Pick<T, K>>
  const quote = dialectOf(ds) === 'mysql' ? (s: string) => `\`${s}\`` : (s: string) => `"${s}"`
  const metadata = ds.getMetadata(entity)
  const columns = metadata.columns
    .filter((c) => !props || (props as readonly string[]).includes(c.propertyName))
    .map((c) => ({ property: c.propertyName, column: c.databaseName, convert: converterFor(c.type) }))
  const missing = props?.filter((p) => !columns.some((c) => c.property === p))
  if (missing?.length) throw new Error(`rawColumns: ${metadata.name} has no column for ${missing.join(', ')}`)
  const made: RawColumns<Pick<T, K>> = {
    table: quote(metadata.tableName),
    select: (alias, prefix) => columns.map((c) => `${quote(alias)}.${quote(c.column)} AS ${quote(prefix + c.property)}`).join(', '),
    hydrate: (row, prefix) => {
      const out = new entity() as Record<string, unknown>
      for (const c of columns) out[c.property] = c.convert(row[prefix + c.property])
      return out as Pick<T, K>
    },
    hydrateAll: (rows, at, prefix) => {
      if (!rows.length) return []
      const positions = columns.map((c) => {
        const i = at.get(prefix + c.property)
        if (i === undefined) throw new Error(`rawColumns: no column ${prefix + c.property} in the result`)
        return i
      })
      return rows.map((row) => {
        const out = new entity() as Record<string, unknown>
        for (let k = 0; k < columns.length; k++) out[columns[k]!.property] = columns[k]!.convert(row[positions[k]!])
        return out as Pick<T, K>
      })
    },
  }
  forDs.set(key, made as RawColumns<unknown>)
  return made
}

/** A Date as a raw statement's parameter: better-sqlite3 binds no Dates, and TypeORM stores SQLite DATETIMEs as UTC text. */
export function sqlDate(db: DataSource | EntityManager, d: Date): Date | string {
  return dialectOf(db) === 'mysql' ? d : d.toISOString().replace('T', ' ').replace('Z', '')
}

interface SqliteStatement {
  reader: boolean
  all(...params: unknown[]): Record<string, unknown>[]
  raw(on: boolean): SqliteStatement
  columns(): { name: string }[]
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint }
}
/** By connection, not data source: a data source destroyed and initialized again has a new connection. */
const sqliteStatements = new WeakMap<object, Map<string, SqliteStatement>>()
const STATEMENT_CACHE_SIZE = 200

/** better-sqlite3 prepares a statement once; its connection is the one TypeORM's query runner uses. */
function sqliteStatement(ds: DataSource, sql: string, asArrays = false): SqliteStatement {
  if (asArrays) sql = `/* arrays */ ${sql}`
  const connection = (ds.driver as unknown as { databaseConnection: { prepare(sql: string): SqliteStatement } }).databaseConnection
  let forDs = sqliteStatements.get(connection)
  if (!forDs) sqliteStatements.set(connection, (forDs = new Map()))
  let stmt = forDs.get(sql)
  if (!stmt) {
    stmt = connection.prepare(sql)
    if (asArrays) stmt.raw(true)
    if (forDs.size >= STATEMENT_CACHE_SIZE) forDs.delete(forDs.keys().next().value!)
    forDs.set(sql, stmt)
  }
  return stmt
}
/** A prepared statement's result columns by name, read once (better-sqlite3 builds an object per column per call). */
const columnPositions = new WeakMap<SqliteStatement, Map<string, number>>()
const sqliteParams = (params: unknown[]) => params.map((p) => (typeof p === 'boolean' ? Number(p) : p))

interface MysqlConnection {
  query(o: { sql: string; rowsAsArray?: boolean; dateStrings?: boolean }, params: unknown[], cb: (err: Error | null, rows: unknown, fields: { name: string }[]) => void): void
  release(): void
}

/**
 * One statement on a pooled mysql2 connection, by mysql2's callback API: TypeORM's query runner (a runner object,
 * subscriber broadcasts, mysql2's promise wrapper built anew per call) costs more CPU than the round trip. The
 * connection comes from TypeORM's driver as its own queries get it (same pool, settings and error listener);
 * failures are TypeORM's QueryFailedError, as db.query() throws them. As arrays: `{ rows, fields }`.
 */
function mysqlQuery(db: DataSource, sql: string, params: unknown[], asArrays: boolean): Promise<unknown> {
  const driver = db.driver as unknown as { obtainMasterConnection(): Promise<MysqlConnection> }
  return driver.obtainMasterConnection().then((connection) => new Promise((resolve, reject) => {
    connection.query(asArrays ? { sql, rowsAsArray: true, dateStrings: true } : { sql }, params, (err, rows, fields) => {
      connection.release()
      if (err) reject(new QueryFailedError(sql, params, err))
      else resolve(asArrays ? { rows, fields } : rows)
    })
  }))
}

/** Told to TypeORM's logger as its own statements are, so that the query log (and a count of statements) has them too. */
const logged = (db: DataSource, sql: string, params: unknown[]) => db.logger.logQuery(sql, params)

/**
 * A raw statement with `?` placeholders, outside any transaction (hot paths: TypeORM's query runner costs more
 * than SQLite takes to answer a primary-key lookup). Rows for a SELECT; for anything else the affected count and
 * the id an INSERT assigned.
 */
export async function rawQuery(db: DataSource, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  logged(db, sql, params)
  if (dialectOf(db) === 'mysql') return mysqlQuery(db, sql, params, false) as Promise<Record<string, unknown>[]>
  return sqliteStatement(db, sql).all(...sqliteParams(params))
}

/**
 * A raw SELECT whose rows come as arrays, with each column's position: better-sqlite3 builds no object per row,
 * which halves the time of a page of wide rows; mysql2 likewise (rowsAsArray). DATETIMEs come as the database's
 * text on both (hydrateAll makes the Dates): plain values, so that two reads of a page compare value by value.
 */
export async function rawArrays(db: DataSource, sql: string, params: unknown[] = []): Promise<{ at: Map<string, number>; rows: unknown[][] }> {
  logged(db, sql, params)
  if (dialectOf(db) === 'mysql') {
    const { rows, fields } = await mysqlQuery(db, sql, params, true) as unknown as { rows: unknown[][]; fields: { name: string }[] }
    return { at: new Map(fields.map((f, i) => [f.name, i])), rows }
  }
  const stmt = sqliteStatement(db, sql, true)
  let at = columnPositions.get(stmt)
  if (!at) columnPositions.set(stmt, (at = new Map(stmt.columns().map((c, i) => [c.name, i]))))
  return { at, rows: stmt.all(...sqliteParams(params)) as unknown as unknown[][] }
}

export async function rawExecute(db: DataSource, sql: string, params: unknown[] = []): Promise<{ affected: number; insertId: number }> {
  logged(db, sql, params)
  if (dialectOf(db) === 'mysql') {
    const r = (await mysqlQuery(db, sql, params, false)) as unknown as { affectedRows?: number; insertId?: number }
    return { affected: Number(r.affectedRows ?? 0), insertId: Number(r.insertId ?? 0) }
  }
  const r = sqliteStatement(db, sql).run(...sqliteParams(params))
  return { affected: r.changes, insertId: Number(r.lastInsertRowid) }
}
