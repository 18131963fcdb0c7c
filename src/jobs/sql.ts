import type { EntityManager } from 'typeorm'

// The lock and watermark run every minute for every job: they use plain SQL, which is an order of
// magnitude cheaper than the query builder. Times are written in the format TypeORM itself stores
// (UTC 'YYYY-MM-DD HH:mm:ss.SSS'), so comparisons agree with entity-written rows on both databases.

export const toSqlTime = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ')

export function fromSqlTime(v: unknown): Date | null {
  if (v == null) return null
  if (v instanceof Date) return v
  const s = String(v)
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`)
}

/** Runs a write statement in the manager's transaction and returns how many rows it changed. */
export async function execute(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const runner = em.queryRunner
  if (!runner) throw new Error('execute() must run inside a transaction')
  const result = await runner.query(sql, params, true)
  return Number(result.affected ?? 0)
}
