import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { bool, id, int, str, text, time } from './columns.js'

const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') =>
  new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete })
const idx = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique })

/** 关爱对象 and their 走访 (issue 14). */
export class CareRoster1765400000000 implements MigrationInterface {
  name = 'CareRoster1765400000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'care_residents',
      columns: [
        id(), int('community_id'), int('grid_id', { nullable: true }), str('key_hash', 64), str('wechat_hash', 64, { nullable: true }),
        int('grade'), text('details_encrypted'), int('resident_id', { nullable: true }), bool('active', true), time('last_contact_at', { nullable: true }),
      ],
      indices: [idx('uq_care_residents_key', ['community_id', 'key_hash'], true), idx('ix_care_residents_wechat', ['community_id', 'wechat_hash'])],
      foreignKeys: [fk('community_id', 'communities'), fk('grid_id', 'grids', 'SET NULL'), fk('resident_id', 'residents', 'SET NULL')],
    }))
    await q.createTable(new Table({
      name: 'care_visits',
      columns: [
        id(), int('community_id'), int('care_resident_id'), int('grid_id', { nullable: true }), str('status', 16), time('due_at'),
        int('open_for', { nullable: true }), time('overdue_at', { nullable: true }), time('escalated_at', { nullable: true }), time('done_at', { nullable: true }),
        int('visitor_staff_id', { nullable: true }), text('note_encrypted', { nullable: true }), int('request_id', { nullable: true }),
        str('cause_key', 191, { nullable: true }), time('created_at'),
      ],
      indices: [
        idx('ix_care_visits_status', ['community_id', 'status']), idx('ix_care_visits_resident', ['care_resident_id', 'id']),
        idx('uq_care_visits_open', ['open_for'], true), idx('uq_care_visits_cause', ['cause_key'], true),
      ],
      foreignKeys: [
        fk('community_id', 'communities'), fk('care_resident_id', 'care_residents'), fk('grid_id', 'grids', 'SET NULL'),
        fk('visitor_staff_id', 'staff', 'SET NULL'), fk('request_id', 'requests', 'SET NULL'),
      ],
    }))
    await q.createTable(new Table({
      name: 'care_visit_events',
      columns: [
        id(), int('visit_id'), str('type', 32), str('from_status', 16, { nullable: true }), str('to_status', 16, { nullable: true }),
        str('actor_type', 16), int('actor_id', { nullable: true }), text('data', { nullable: true }), time('created_at'),
      ],
      indices: [idx('ix_care_visit_events_visit', ['visit_id', 'id'])],
      foreignKeys: [fk('visit_id', 'care_visits')],
    }))
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['care_visit_events', 'care_visits', 'care_residents']) await q.dropTable(t, true)
  }
}
