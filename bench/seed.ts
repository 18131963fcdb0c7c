// Bulk SQL seed for the benchmarks: N requests spread evenly over the 365 days before `now`, with their
// dispatch/accept events, by INSERT … SELECT over a number sequence (MariaDB's seq_1_to_N, SQLite's
// recursive CTE): a million rows in seconds, no row passes through JavaScript.
import type { DataSource } from 'typeorm'
import { dialectOf } from '../src/db/dataSource.js'

const YEAR_S = 365 * 86400
const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '')

export interface SeedResult { requests: number; events: number; ms: number }

export async function seedRequests(db: DataSource, o: { communityId: number; gridIds: number[]; n: number; now: Date }): Promise<SeedResult> {
  const t0 = performance.now()
  const mysql = dialectOf(db) === 'mysql'
  const base = iso(new Date(o.now.getTime() - YEAR_S * 1000))
  /** base + seconds, as each database stores DATETIME(3) */
  const at = (seconds: string) => (mysql ? `TIMESTAMPADD(MICROSECOND, CAST((${seconds}) * 1000000 AS SIGNED), '${base}')` : `strftime('%Y-%m-%d %H:%M:%f', '${base}', (${seconds}) || ' seconds')`)
  const str = (e: string) => (mysql ? `CAST(${e} AS CHAR)` : `CAST(${e} AS TEXT)`)
  const seq = mysql ? `(SELECT seq AS i FROM seq_1_to_${o.n}) s` : `(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${o.n}) SELECT i FROM c) s`
  const created = `(s.i * ${YEAR_S}.0 / ${o.n})`
  const grid = `CASE s.i % ${o.gridIds.length} ${o.gridIds.map((g, k) => `WHEN ${k} THEN ${g}`).join(' ')} END`
  const cat = `CASE s.i % 8 WHEN 0 THEN 'repair' WHEN 1 THEN 'elderly_help' WHEN 2 THEN 'dispute' WHEN 3 THEN 'environment' WHEN 4 THEN 'safety' WHEN 5 THEN 'consultation' WHEN 6 THEN 'suggestion' ELSE 'repair' END`
  const urg = `CASE WHEN s.i % 20 = 0 THEN 'urgent' WHEN s.i % 20 < 4 THEN 'high' WHEN s.i % 20 < 18 THEN 'normal' ELSE 'low' END`
  // status by i % 100: 85 closed, 5 resolved, 5 accepted, 2 dispatched, 1 merged, 1 cancelled, 1 new
  const m = 's.i % 100'
  const status = `CASE WHEN ${m} < 85 THEN 'closed' WHEN ${m} < 90 THEN 'resolved' WHEN ${m} < 95 THEN 'accepted' WHEN ${m} < 97 THEN 'dispatched' WHEN ${m} < 98 THEN 'merged' WHEN ${m} < 99 THEN 'cancelled' ELSE 'new' END`
  const accepted = `${m} < 95`
  const resolved = `${m} < 90`
  const acceptLag = `CASE WHEN s.i % 17 = 0 THEN 18000 ELSE 1800 END`
  const rating = `CASE WHEN ${m} >= 85 THEN NULL WHEN s.i % 10 < 6 THEN 'satisfied' WHEN s.i % 10 < 8 THEN 'basically_satisfied' WHEN s.i % 10 < 9 THEN 'unsatisfied' ELSE 'no_answer' END`
  const range = `community_id = ${o.communityId} AND no LIKE 'B%'`
  // One connection for the whole load. MySQL: a bulk-load session (no per-row stats_dirty marks, no foreign-key
  // checks: the rows are consistent by construction); the hours written are marked once at the end.
  const runner = db.createQueryRunner()
  await runner.connect()
  try {
    if (mysql) await runner.query('SET @jiesu_stats_dirty_off = 1, foreign_key_checks = 0')
    await runner.query(`INSERT INTO requests (community_id, no, source, chat_room_id, original_text, category, urgency, building, unit, room_no,
        reporter_resident_id, reporter_staff_id, grid_id, assignee_staff_id, status, reopen_count, accept_due_at, resolve_due_at, dispatched_at,
        accepted_at, resolved_at, closed_at, classifier_method, confidence, needs_triage, rating, created_at, updated_at)
      SELECT ${o.communityId}, ${mysql ? `CONCAT('B', s.i)` : `'B' || s.i`}, 'group', NULL, ${mysql ? `CONCAT(${str('1 + s.i % 40')}, '号楼楼道灯坏了，麻烦派人看看 ', s.i)` : `(1 + s.i % 40) || '号楼楼道灯坏了，麻烦派人看看 ' || s.i`},
        ${cat}, ${urg}, ${str('1 + s.i % 40')}, NULL, NULL, NULL, NULL, ${grid}, NULL, ${status}, CASE WHEN s.i % 50 = 0 THEN 1 ELSE 0 END,
        ${at(`${created} + 14400`)}, ${at(`${created} + 259200`)}, ${at(`${created} + 60`)},
        CASE WHEN ${accepted} THEN ${at(`${created} + ${acceptLag}`)} END, CASE WHEN ${resolved} THEN ${at(`${created} + 86400`)} END,
        CASE WHEN ${m} < 85 THEN ${at(`${created} + 172800`)} END, 'offline', 0.9, CASE WHEN s.i % 1000 = 0 THEN 1 ELSE 0 END, ${rating},
        ${at(created)}, ${at(created)}
      FROM ${seq}`)
    await runner.query(`INSERT INTO request_events (request_id, type, from_status, to_status, actor_type, actor_id, channel, data, created_at)
      SELECT id, 'dispatch', 'new', 'dispatched', 'system', NULL, 'system', NULL, dispatched_at FROM requests WHERE ${range} AND dispatched_at IS NOT NULL`)
    await runner.query(`INSERT INTO request_events (request_id, type, from_status, to_status, actor_type, actor_id, channel, data, created_at)
      SELECT id, 'accept', 'dispatched', 'accepted', 'staff', NULL, 'private', NULL, accepted_at FROM requests WHERE ${range} AND accepted_at IS NOT NULL`)
    await runner.query(`${mysql ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO stats_dirty (community_id, hour)
      SELECT DISTINCT community_id, ${mysql ? "DATE_FORMAT(created_at, '%Y-%m-%d %H')" : 'substr(created_at, 1, 13)'} FROM requests WHERE ${range}`)
    if (mysql) await runner.query('SET @jiesu_stats_dirty_off = NULL, foreign_key_checks = 1')
  } finally {
    await runner.release()
  }
  const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM request_events e JOIN requests r ON r.id = e.request_id WHERE r.${range.replace(' AND no', ' AND r.no')}`)
  return { requests: o.n, events: Number(n), ms: performance.now() - t0 }
}
