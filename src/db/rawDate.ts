/** A DATETIME read raw: mysql2 returns a Date; better-sqlite3 the UTC text TypeORM wrote ('2026-11-23 01:00:00.000'). */
export function dateOf(v: unknown): Date | null {
  if (v == null) return null
  if (v instanceof Date) return v
  return new Date(`${String(v).replace(' ', 'T')}Z`)
}
