import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm'
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
  }
  forDs.set(key, made as RawColumns<unknown>)
  return made
}

/** A Date as a raw statement's parameter: better-sqlite3 binds no Dates, and TypeORM stores SQLite DATETIMEs as UTC text. */
export function sqlDate(db: DataSource | EntityManager, d: Date): Date | string {
  return dialectOf(db) === 'mysql' ? d : d.toISOString().replace('T', ' ').replace('Z', '')
}

/** The id an INSERT of one row assigned, from a raw `query()` result on either database. */
export function insertedId(result: unknown): number {
  const id = typeof result === 'object' && result !== null && 'insertId' in result ? (result as { insertId: unknown }).insertId : result
  const n = Number(id)
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`insertedId: no id in ${JSON.stringify(result)}`)
  return n
}
