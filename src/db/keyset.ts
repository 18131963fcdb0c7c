import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm'

/**
 * Keyset pagination on (a datetime column, id): the page after a row is found by an index range, not by
 * skipping rows. A cursor is "<epoch ms>.<id>", or "n.<id>" when the column was NULL (NULLs sort first
 * ascending, on MySQL and SQLite alike).
 */
export interface Keyset { at: Date | null; id: number }

export const KEYSET_CURSOR = /^(?:\d{1,15}|n)\.\d{1,10}$/

export function encodeKeyset(at: Date | null, id: number): string {
  return `${at ? at.getTime() : 'n'}.${id}`
}

export function decodeKeyset(cursor: string): Keyset {
  const [at, id] = cursor.split('.')
  return { at: at === 'n' ? null : new Date(Number(at)), id: Number(id) }
}

/**
 * Rows after `k` in `ORDER BY column <dir>, id <dir>` (`alias.column` as SQL). The leading `column >= :at`
 * (or `<=`) is what lets the database range-scan its index; the OR only trims the boundary.
 */
export function afterKeyset<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, column: string, idColumn: string, dir: 'ASC' | 'DESC', k: Keyset): SelectQueryBuilder<T> {
  const [cmp, cmpEq] = dir === 'ASC' ? ['>', '>='] : ['<', '<=']
  const params = { ksAt: k.at, ksId: k.id }
  if (k.at === null) {
    // NULLs come first ascending and last descending.
    return dir === 'ASC'
      ? qb.andWhere(`(${column} IS NOT NULL OR ${idColumn} > :ksId)`, params)
      : qb.andWhere(`(${column} IS NULL AND ${idColumn} < :ksId)`, params)
  }
  const nulls = dir === 'DESC' ? ` OR ${column} IS NULL` : ''
  return qb.andWhere(`((${column} ${cmpEq} :ksAt AND (${column} ${cmp} :ksAt OR ${idColumn} ${cmp} :ksId))${nulls})`, params)
}
