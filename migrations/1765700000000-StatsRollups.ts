import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { id, int, str, time } from './columns.js'

const key = <T extends object>(c: T) => ({ ...c, isPrimary: true })

export const OPEN_INDEX_COLUMNS = [
  'community_id', 'status', 'created_at', 'resolve_due_at', 'accept_due_at', 'accepted_at', 'resolved_at', 'closed_at',
  'urgency', 'category', 'grid_id', 'rating', 'reopen_count',
]

/** The triggers that mark a request's creation hour as changed; their names, for the down migration and the check. */
export const STATS_TRIGGERS = ['tr_stats_request_ins', 'tr_stats_request_upd', 'tr_stats_request_del', 'tr_stats_event_ins'] as const

/**
 * Daily rollups of the 三率 (issue 12): stats_daily holds each local day's summable figures, stats_days which
 * days are rolled up and on what basis (settings), and stats_dirty the UTC hours (of requests' created_at)
 * changed since. Triggers fill stats_dirty on every write to requests and request_events, whoever writes, so a
 * request reopened or rated late after its day was rolled up is never read from a stale rollup.
 */
export class StatsRollups1765700000000 implements MigrationInterface {
  name = 'StatsRollups1765700000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({ name: 'stats_dirty', columns: [key(int('community_id')), key(str('hour', 13))] }))
    await q.createTable(new Table({
      name: 'stats_days',
      columns: [key(int('community_id')), key(str('day', 10)), str('basis', 64), time('computed_at')],
    }))
    await q.createTable(new Table({
      name: 'stats_daily',
      columns: [
        id(), int('community_id'), str('day', 10), str('fact', 16), str('category', 24, { nullable: true }), int('grid_id', { nullable: true }),
        str('status', 16, { nullable: true }), str('urgency', 16, { nullable: true }), str('rating', 24, { nullable: true }),
        int('flags', { default: 0 }), str('k', 191, { nullable: true }), int('n'),
      ],
      // Covering: a period's sums are read from the index alone.
      indices: [new TableIndex({ name: 'ix_stats_daily_day', columnNames: ['community_id', 'day', 'fact', 'category', 'grid_id', 'status', 'urgency', 'rating', 'flags', 'k', 'n'] })],
    }))
    // The live part of the figures, read from indexes alone: a period's open requests by status (covering what
    // their cells and SLA colours need, so no row is read), urgent cases by time.
    await q.createIndex('requests', new TableIndex({ name: 'ix_requests_open', columnNames: OPEN_INDEX_COLUMNS }))
    await q.createIndex('requests', new TableIndex({ name: 'ix_requests_urgency_created', columnNames: ['community_id', 'urgency', 'created_at'] }))
    const mysql = q.connection.options.type !== 'better-sqlite3'
    for (const sql of mysql ? mysqlTriggers() : sqliteTriggers()) await q.query(sql)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of STATS_TRIGGERS) await q.query(`DROP TRIGGER IF EXISTS ${name}`)
    await q.dropIndex('requests', 'ix_requests_urgency_created')
    await q.dropIndex('requests', 'ix_requests_open')
    await q.dropTable('stats_daily')
    await q.dropTable('stats_days')
    await q.dropTable('stats_dirty')
  }
}

/**
 * A session that sets @jiesu_stats_dirty_off (a bulk load, such as the benchmark's seed) writes without the
 * per-row marks and must mark the hours it wrote itself, with one INSERT … SELECT DISTINCT.
 */
function mysqlTriggers(): string[] {
  const mark = (row: 'NEW' | 'OLD') => `INSERT IGNORE INTO stats_dirty (community_id, hour) VALUES (${row}.community_id, DATE_FORMAT(${row}.created_at, '%Y-%m-%d %H'))`
  const unlessBulk = (body: string) => `IF @jiesu_stats_dirty_off IS NULL THEN ${body}; END IF`
  return [
    `CREATE TRIGGER tr_stats_request_ins AFTER INSERT ON requests FOR EACH ROW BEGIN ${unlessBulk(mark('NEW'))}; END`,
    `CREATE TRIGGER tr_stats_request_upd AFTER UPDATE ON requests FOR EACH ROW BEGIN
       ${mark('NEW')};
       IF OLD.created_at <> NEW.created_at OR OLD.community_id <> NEW.community_id THEN ${mark('OLD')}; END IF;
     END`,
    `CREATE TRIGGER tr_stats_request_del AFTER DELETE ON requests FOR EACH ROW ${mark('OLD')}`,
    `CREATE TRIGGER tr_stats_event_ins AFTER INSERT ON request_events FOR EACH ROW BEGIN
       ${unlessBulk("INSERT IGNORE INTO stats_dirty (community_id, hour) SELECT r.community_id, DATE_FORMAT(r.created_at, '%Y-%m-%d %H') FROM requests r WHERE r.id = NEW.request_id")};
     END`,
  ]
}

function sqliteTriggers(): string[] {
  // WHERE NOT EXISTS rather than OR IGNORE: inside a trigger SQLite applies the outer statement's conflict policy.
  const mark = (community: string, createdAt: string, from = '', where = '') =>
    `INSERT INTO stats_dirty (community_id, hour) SELECT ${community}, substr(${createdAt}, 1, 13)${from}
       WHERE ${where}NOT EXISTS (SELECT 1 FROM stats_dirty d WHERE d.community_id = ${community} AND d.hour = substr(${createdAt}, 1, 13))`
  const markRequest = (row: 'NEW' | 'OLD') => mark(`${row}.community_id`, `${row}.created_at`)
  return [
    `CREATE TRIGGER tr_stats_request_ins AFTER INSERT ON requests BEGIN ${markRequest('NEW')}; END`,
    `CREATE TRIGGER tr_stats_request_upd AFTER UPDATE ON requests BEGIN ${markRequest('NEW')}; ${markRequest('OLD')}; END`,
    `CREATE TRIGGER tr_stats_request_del AFTER DELETE ON requests BEGIN ${markRequest('OLD')}; END`,
    `CREATE TRIGGER tr_stats_event_ins AFTER INSERT ON request_events BEGIN
       ${mark('r.community_id', 'r.created_at', ' FROM requests r', 'r.id = NEW.request_id AND ')}; END`,
  ]
}
