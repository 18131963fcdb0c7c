import { Table, type MigrationInterface, type QueryRunner } from 'typeorm'
import { int, str } from './columns.js'

/**
 * Issue 12: intake no longer locks the community's row (which serialised every report of the community).
 * - intake_locks: one row per merge key (community, category, place) whose row lock intake holds to commit on
 *   MySQL, so reports that could merge are taken one at a time and all others run in parallel.
 * - request_numbers: the community's request counter on MySQL, in a table no other row points at (a foreign key
 *   to communities would share-lock that row in every transaction inserting a request, and block the counter's
 *   UPDATE behind them). Seeded from communities.request_seq, which SQLite keeps using.
 */
export class IntakeLocks1766000000000 implements MigrationInterface {
  name = 'IntakeLocks1766000000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'intake_locks',
      columns: [{ ...int('community_id'), isPrimary: true }, { ...str('merge_key', 160), isPrimary: true }, int('hits', { default: 0 })],
    }))
    await q.createTable(new Table({
      name: 'request_numbers',
      columns: [{ ...int('community_id'), isPrimary: true }, int('seq')],
    }))
    await q.query('INSERT INTO request_numbers (community_id, seq) SELECT id, request_seq FROM communities')
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'better-sqlite3') {
      await q.query('UPDATE communities c JOIN request_numbers n ON n.community_id = c.id SET c.request_seq = GREATEST(c.request_seq, n.seq)')
    }
    await q.dropTable('request_numbers')
    await q.dropTable('intake_locks')
  }
}
