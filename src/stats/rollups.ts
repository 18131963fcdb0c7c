import { createHash } from 'node:crypto'
import type { DataSource, EntityManager } from 'typeorm'
import { STATS_TRIGGERS } from '../../migrations/1765700000000-StatsRollups.js'
import type { CommunitySnapshot } from '../community/snapshot.js'
import { dialectOf } from '../db/dataSource.js'
import { inTransaction } from '../db/transaction.js'
import { toSqlTime } from '../jobs/sql.js'
import { zonedTime } from '../time.js'
import { factsFromRows, factsToRows, rowsToFacts, type Facts, type FactRow } from './facts.js'
import { localDate } from './period.js'

// Daily rollups of the summable figures (facts.ts), one set of rows per community and local day in stats_daily
// (day 'YYYY-MM-DD'), and per month that is over (day 'YYYY-MM': the sum of its days, recomputed with them).
// A day is read from its rollup only if stats_days says it was rolled up on the current basis (the settings the
// figures depend on) and no hour of it is in stats_dirty, which database triggers fill on every write to
// requests and request_events. Every other stretch of a period is computed from the rows, by the same function.

/** Bump when what factsFromRows computes changes: every rollup is then recomputed. */
export const ROLLUP_VERSION = 1

/** What a day's facts depend on besides its rows: the timezone (day boundaries) and the SLA windows (on time). */
export function rollupBasis(c: CommunitySnapshot): string {
  const basis = JSON.stringify({ v: ROLLUP_VERSION, tz: c.community.timezone, sla: c.community.settings.sla ?? null })
  return createHash('sha256').update(basis).digest('hex')
}

export interface LocalDay { day: string; start: Date; end: Date }

export function localDay(day: string, tz: string): LocalDay {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return { day, start: zonedTime(tz, y, m, d), end: zonedTime(tz, y, m, d + 1) }
}

/** The local days that start at or after `from` and end at or before `to`. */
export function daysWithin(from: Date, to: Date, tz: string): LocalDay[] {
  const days: LocalDay[] = []
  let d = localDay(localDate(from, tz), tz)
  if (d.start.getTime() < from.getTime()) d = localDay(localDate(d.end, tz), tz)
  while (d.end.getTime() <= to.getTime()) {
    days.push(d)
    d = localDay(localDate(d.end, tz), tz)
  }
  return days
}

/** stats_dirty keys: the UTC hour of a request's created_at, 'YYYY-MM-DD HH' (as the triggers write it). */
const hourKey = (at: Date) => at.toISOString().slice(0, 13).replace('T', ' ')
const HOUR = 3600_000
/** The local days an hour key touches (two in zones whose offset is not whole hours). */
function daysOfHour(hour: string, tz: string): string[] {
  const start = new Date(`${hour.replace(' ', 'T')}:00:00Z`)
  return [...new Set([localDate(start, tz), localDate(new Date(start.getTime() + HOUR - 1), tz)])]
}

const triggersChecked = new WeakMap<DataSource, Promise<boolean>>()

/** Are the triggers that keep stats_dirty in place? (A schema without them must never read rollups.) */
export function statsTriggersPresent(db: DataSource): Promise<boolean> {
  let p = triggersChecked.get(db)
  if (!p) {
    const names = STATS_TRIGGERS.map((n) => `'${n}'`).join(', ')
    const sql = dialectOf(db) === 'mysql'
      ? `SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME IN (${names})`
      : `SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (${names})`
    p = db.query(sql).then((rows: unknown[]) => rows.length === STATS_TRIGGERS.length, () => false)
    triggersChecked.set(db, p)
  }
  return p
}

const daysInMonth = (month: string) => { const [y, m] = month.split('-').map(Number) as [number, number]; return new Date(Date.UTC(y, m, 0)).getUTCDate() }

export interface StatsPlan {
  /** local days read from their rollups (whole months of them from the month's rollup) */
  rolled: string[]
  /** the rest of the period, computed from the rows */
  raw: { from: Date; to: Date }[]
  /** the months among `rolled` read from their month rollup */
  months: string[]
}

/** Which days of [from, to) can be read from rollups, and the facts of those days summed in SQL. */
export async function rolledUpFacts(em: EntityManager, c: CommunitySnapshot, from: Date, to: Date): Promise<{ plan: StatsPlan; facts: Facts | null }> {
  const whole = { plan: { rolled: [], raw: [{ from, to }], months: [] }, facts: null }
  const tz = c.community.timezone
  const days = daysWithin(from, to, tz)
  if (!days.length || !(await statsTriggersPresent(em.connection))) return whole
  const communityId = c.community.id
  // One snapshot for the three reads (MySQL: one REPEATABLE READ transaction; SQLite: queued with the writers).
  const inSnapshot = <T>(fn: (tx: EntityManager) => Promise<T>) => (em.queryRunner?.isTransactionActive ? fn(em) : inTransaction(em.connection, fn))
  return inSnapshot(async (tx) => {
    const monthOf = (day: string) => day.slice(0, 7)
    const rolledRows: { day: string }[] = await tx.query('SELECT day FROM stats_days WHERE community_id = ? AND basis = ? AND day >= ? AND day <= ?',
      [communityId, rollupBasis(c), monthOf(days[0]!.day), days[days.length - 1]!.day])
    if (!rolledRows.length) return whole
    const dirtyRows: { hour: string }[] = await tx.query('SELECT hour FROM stats_dirty WHERE community_id = ? AND hour >= ? AND hour <= ?',
      [communityId, hourKey(new Date(from.getTime() - HOUR)), hourKey(to)])
    const dirty = new Set(dirtyRows.flatMap((r) => daysOfHour(r.hour, tz)))
    const rolled = new Set(rolledRows.map((r) => r.day).filter((d) => !dirty.has(d)))
    const plan: StatsPlan = { rolled: [], raw: [], months: [] }
    let cursor = from
    for (const d of days) {
      if (!rolled.has(d.day)) continue
      if (cursor.getTime() < d.start.getTime()) plan.raw.push({ from: cursor, to: d.start })
      plan.rolled.push(d.day)
      cursor = d.end
    }
    if (cursor.getTime() < to.getTime()) plan.raw.push({ from: cursor, to })
    if (!plan.rolled.length) return whole
    // A whole month of usable days whose month rollup is current is read as one set of rows instead of ~30.
    const byMonth = new Map<string, LocalDay[]>()
    for (const d of days) byMonth.set(monthOf(d.day), [...(byMonth.get(monthOf(d.day)) ?? []), d])
    const months = new Set([...byMonth].filter(([m, ds]) => rolled.has(m) && ds.length === daysInMonth(m) && ds.every((d) => rolled.has(d.day))).map(([m]) => m))
    plan.months = [...months]
    const keys = [...months, ...plan.rolled.filter((d) => !months.has(monthOf(d)))]
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT fact, category, grid_id, status, urgency, rating, flags, k, SUM(n) AS n FROM stats_daily
        WHERE community_id = ? AND day IN (${keys.map(() => '?').join(', ')})
        GROUP BY fact, category, grid_id, status, urgency, rating, flags, k`,
      [communityId, ...keys])
    const facts = rowsToFacts(rows.map((r) => ({
      fact: r.fact as FactRow['fact'], category: (r.category ?? null) as string | null, gridId: r.grid_id == null ? null : Number(r.grid_id),
      status: (r.status ?? null) as string | null, urgency: (r.urgency ?? null) as string | null, rating: (r.rating ?? null) as string | null,
      flags: Number(r.flags), k: (r.k ?? null) as string | null, n: Number(r.n),
    })))
    return { plan, facts }
  })
}

/**
 * The stretches of [from, to) that can hold the given spots' requests: the rolled days (in `plan`) each spot
 * occurs on, as far as the first `maxNos` of it reach, and every stretch not rolled up. Sorted, merged.
 */
export async function spotStretches(em: EntityManager, c: CommunitySnapshot, plan: StatsPlan, spots: { building: string; category: string }[], from: Date, maxNos: number): Promise<{ from: Date; to: Date }[]> {
  const tz = c.community.timezone
  const days = plan.rolled.filter((d) => localDay(d, tz).end.getTime() > from.getTime())
  const stretches = plan.raw.filter((r) => r.to.getTime() > from.getTime()).map((r) => ({ from: r.from, to: r.to }))
  if (days.length && spots.length) {
    const rows: { day: string; category: string; k: string; n: unknown }[] = await em.query(
      `SELECT day, category, k, n FROM stats_daily WHERE community_id = ? AND fact = 'spot' AND day IN (${days.map(() => '?').join(', ')})
        AND category IN (${spots.map(() => '?').join(', ')}) AND k IN (${spots.map(() => '?').join(', ')}) ORDER BY day`,
      [c.community.id, ...days, ...spots.map((x) => x.category), ...spots.map((x) => x.building)])
    const seen = new Map(spots.map((x) => [`${x.building}\u0000${x.category}`, 0]))
    for (const r of rows) {
      const key = `${r.k}\u0000${r.category}`
      const had = seen.get(key)
      if (had === undefined || had >= maxNos) continue
      seen.set(key, had + Number(r.n))
      const d = localDay(r.day, tz)
      stretches.push({ from: d.start, to: d.end })
    }
  }
  stretches.sort((a, b) => a.from.getTime() - b.from.getTime())
  const merged: { from: Date; to: Date }[] = []
  for (const s of stretches) {
    const last = merged[merged.length - 1]
    if (last && s.from.getTime() <= last.to.getTime()) { if (s.to.getTime() > last.to.getTime()) last.to = s.to } else merged.push({ ...s })
  }
  return merged
}

export interface RollupResult { days: number }

/**
 * Rolls up every past local day of the community that has no rollup on the current basis, or a dirty hour.
 * Each batch of days is one transaction: its dirty marks are deleted first (a write committed later marks the
 * day again), then the days are computed from the rows and their rollups replaced. Today is never rolled up.
 */
export async function rollUpCommunity(db: DataSource, c: CommunitySnapshot, now: Date): Promise<RollupResult> {
  const communityId = c.community.id
  const tz = c.community.timezone
  const basis = rollupBasis(c)
  const [{ first }] = await db.query('SELECT MIN(created_at) AS first FROM requests WHERE community_id = ?', [communityId]) as { first: unknown }[]
  if (first == null) return { days: 0 }
  const firstAt = first instanceof Date ? first : new Date(`${String(first).replace(' ', 'T')}Z`)
  const today = localDay(localDate(now, tz), tz)
  // From the first of the month of the first request, so that every month can be complete.
  const days = daysWithin(localDay(`${localDate(firstAt, tz).slice(0, 7)}-01`, tz).start, today.start, tz)
  const rolled = new Map(((await db.query('SELECT day, basis FROM stats_days WHERE community_id = ?', [communityId])) as { day: string; basis: string }[])
    .map((r) => [r.day, r.basis]))
  const dirtyHours: { hour: string }[] = await db.query('SELECT hour FROM stats_dirty WHERE community_id = ?', [communityId])
  const dirty = new Set(dirtyHours.flatMap((r) => daysOfHour(r.hour, tz)))
  const todo = days.filter((d) => rolled.get(d.day) !== basis || dirty.has(d.day))

  let done = 0
  for (let i = 0; i < todo.length; i += ROLLUP_BATCH_DAYS) {
    const batch = todo.slice(i, i + ROLLUP_BATCH_DAYS)
    // In zones whose offset is not whole hours an hour touches two days: only clear it when both are in the batch.
    const inBatch = new Set(batch.map((d) => d.day))
    const hours: string[] = []
    for (const d of batch) {
      for (let t = Math.floor(d.start.getTime() / HOUR) * HOUR; t < d.end.getTime(); t += HOUR) {
        const h = hourKey(new Date(t))
        if (daysOfHour(h, tz).every((x) => inBatch.has(x)) && !hours.includes(h)) hours.push(h)
      }
    }
    await inTransaction(db, async (em) => {
      const list = (xs: unknown[]) => xs.map(() => '?').join(', ')
      if (hours.length) await em.query(`DELETE FROM stats_dirty WHERE community_id = ? AND hour IN (${list(hours)})`, [communityId, ...hours])
      const dayNames = batch.map((d) => d.day)
      await em.query(`DELETE FROM stats_daily WHERE community_id = ? AND day IN (${list(dayNames)})`, [communityId, ...dayNames])
      await em.query(`DELETE FROM stats_days WHERE community_id = ? AND day IN (${list(dayNames)})`, [communityId, ...dayNames])
      for (const d of batch) {
        const rows = factsToRows(await factsFromRows(em, c, d.start, d.end))
        for (let j = 0; j < rows.length; j += 200) {
          const chunk = rows.slice(j, j + 200)
          await em.query(
            `INSERT INTO stats_daily (community_id, day, fact, category, grid_id, status, urgency, rating, flags, k, n) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
            chunk.flatMap((r) => [communityId, d.day, r.fact, r.category, r.gridId, r.status, r.urgency, r.rating, r.flags, r.k, r.n]))
        }
        await em.query('INSERT INTO stats_days (community_id, day, basis, computed_at) VALUES (?, ?, ?, ?)', [communityId, d.day, basis, toSqlTime(now)])
      }
    })
    done += batch.length
  }

  // Month rollups: the sum of a month's day rollups, recomputed when one of its days was, for months that are over.
  const touched = new Set(todo.map((d) => d.day.slice(0, 7)))
  const months = [...new Set(days.map((d) => d.day.slice(0, 7)))]
    .filter((m) => localDay(`${m}-01`, tz).start.getTime() < today.start.getTime() && !today.day.startsWith(m))
    .filter((m) => touched.has(m) || rolled.get(m) !== basis)
  for (const month of months) {
    await inTransaction(db, async (em) => {
      await em.query('DELETE FROM stats_daily WHERE community_id = ? AND day = ?', [communityId, month])
      await em.query('DELETE FROM stats_days WHERE community_id = ? AND day = ?', [communityId, month])
      const [{ n }] = await em.query('SELECT COUNT(*) AS n FROM stats_days WHERE community_id = ? AND basis = ? AND day > ? AND day < ?',
        [communityId, basis, month, `${month}-32`]) as { n: unknown }[]
      if (Number(n) !== daysInMonth(month)) return
      await em.query(`INSERT INTO stats_daily (community_id, day, fact, category, grid_id, status, urgency, rating, flags, k, n)
        SELECT community_id, ?, fact, category, grid_id, status, urgency, rating, flags, k, SUM(n) FROM stats_daily
         WHERE community_id = ? AND day > ? AND day < ? GROUP BY community_id, fact, category, grid_id, status, urgency, rating, flags, k`,
      [month, communityId, month, `${month}-32`])
      await em.query('INSERT INTO stats_days (community_id, day, basis, computed_at) VALUES (?, ?, ?, ?)', [communityId, month, basis, toSqlTime(now)])
    })
  }
  return { days: done }
}

/** Days rolled up per transaction: short transactions, few round trips. */
const ROLLUP_BATCH_DAYS = 7
