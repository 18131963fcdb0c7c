import { Table, type MigrationInterface, type QueryRunner } from 'typeorm'
import { int } from './columns.js'

/** The triggers that keep resident_request_counts; their names, for the down migration. */
export const REPORTER_COUNT_TRIGGERS = [
  'tr_counts_resident_ins', 'tr_counts_resident_del', 'tr_counts_reporter_ins', 'tr_counts_reporter_del', 'tr_counts_reporter_upd', 'tr_counts_request_del',
] as const

/**
 * How many requests each resident reported or co-reported (issue 12): GET /api/requests answers its `total`
 * from this row instead of counting the resident's request_reporters on every call (the 书记 who co-reported
 * 10,000 requests cost a 10,000-entry index range per page). Triggers keep it, whoever writes: a row per resident
 * from its creation (so a filing only updates an existing row by primary key: no gap locks), ±1 per reporter row
 * inserted, deleted or moved. MySQL runs no triggers for foreign-key cascades, so deleting a request there takes
 * its reporters off their counts first; SQLite runs the reporter trigger for the cascade itself.
 */
export class ReporterCounts1766100000000 implements MigrationInterface {
  name = 'ReporterCounts1766100000000'

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type !== 'better-sqlite3'
    await q.createTable(new Table({ name: 'resident_request_counts', columns: [{ ...int('resident_id'), isPrimary: true }, int('n', { default: 0 })] }))
    await q.query(`INSERT INTO resident_request_counts (resident_id, n)
      SELECT r.id, (SELECT COUNT(*) FROM request_reporters rr WHERE rr.resident_id = r.id) FROM residents r`)
    for (const sql of mysql ? mysqlTriggers() : sqliteTriggers()) await q.query(sql)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of REPORTER_COUNT_TRIGGERS) await q.query(`DROP TRIGGER IF EXISTS ${name}`)
    await q.dropTable('resident_request_counts')
  }
}

const add = (resident: string, by: string) => `UPDATE resident_request_counts SET n = n ${by} WHERE resident_id = ${resident}`

function mysqlTriggers(): string[] {
  return [
    'CREATE TRIGGER tr_counts_resident_ins AFTER INSERT ON residents FOR EACH ROW INSERT INTO resident_request_counts (resident_id, n) VALUES (NEW.id, 0)',
    'CREATE TRIGGER tr_counts_resident_del AFTER DELETE ON residents FOR EACH ROW DELETE FROM resident_request_counts WHERE resident_id = OLD.id',
    `CREATE TRIGGER tr_counts_reporter_ins AFTER INSERT ON request_reporters FOR EACH ROW ${add('NEW.resident_id', '+ 1')}`,
    `CREATE TRIGGER tr_counts_reporter_del AFTER DELETE ON request_reporters FOR EACH ROW ${add('OLD.resident_id', '- 1')}`,
    `CREATE TRIGGER tr_counts_reporter_upd AFTER UPDATE ON request_reporters FOR EACH ROW BEGIN
       IF OLD.resident_id <> NEW.resident_id THEN ${add('OLD.resident_id', '- 1')}; ${add('NEW.resident_id', '+ 1')}; END IF;
     END`,
    `CREATE TRIGGER tr_counts_request_del BEFORE DELETE ON requests FOR EACH ROW
       UPDATE resident_request_counts c JOIN request_reporters rr ON rr.resident_id = c.resident_id SET c.n = c.n - 1 WHERE rr.request_id = OLD.id`,
  ]
}

function sqliteTriggers(): string[] {
  return [
    // WHERE NOT EXISTS rather than OR IGNORE: inside a trigger SQLite applies the outer statement's conflict policy.
    `CREATE TRIGGER tr_counts_resident_ins AFTER INSERT ON residents BEGIN
       INSERT INTO resident_request_counts (resident_id, n) SELECT NEW.id, 0 WHERE NOT EXISTS (SELECT 1 FROM resident_request_counts WHERE resident_id = NEW.id); END`,
    'CREATE TRIGGER tr_counts_resident_del AFTER DELETE ON residents BEGIN DELETE FROM resident_request_counts WHERE resident_id = OLD.id; END',
    `CREATE TRIGGER tr_counts_reporter_ins AFTER INSERT ON request_reporters BEGIN ${add('NEW.resident_id', '+ 1')}; END`,
    `CREATE TRIGGER tr_counts_reporter_del AFTER DELETE ON request_reporters BEGIN ${add('OLD.resident_id', '- 1')}; END`,
    `CREATE TRIGGER tr_counts_reporter_upd AFTER UPDATE OF resident_id ON request_reporters WHEN OLD.resident_id <> NEW.resident_id BEGIN
       ${add('OLD.resident_id', '- 1')}; ${add('NEW.resident_id', '+ 1')}; END`,
  ]
}
