import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { bool, id, int, str, text, time } from './columns.js'

const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') =>
  new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete })
const idx = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique })

/** 未诉先办 (issue 14): 关爱对象 and their 走访; recurring-problem clusters and 治理项目. */
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
    await q.createTable(new Table({
      name: 'problem_clusters',
      columns: [
        id(), int('community_id'), str('key', 191), str('category', 24), str('building', 32, { nullable: true }), int('grid_id', { nullable: true }),
        str('reason', 16), text('request_ids'), text('suggestion'), str('status', 16), int('topic_id', { nullable: true }), time('detected_at'), time('updated_at'),
      ],
      indices: [idx('uq_problem_clusters_key', ['community_id', 'key'], true), idx('ix_problem_clusters_status', ['community_id', 'status'])],
      foreignKeys: [fk('community_id', 'communities'), fk('grid_id', 'grids', 'SET NULL')],
    }))
    await q.createTable(new Table({
      name: 'governance_topics',
      columns: [
        id(), int('community_id'), int('cluster_id', { nullable: true }), str('title', 200), str('category', 24), str('building', 32, { nullable: true }),
        int('grid_id', { nullable: true }), int('owner_staff_id'), time('due_at'), str('status', 16), int('created_by_staff_id'), time('created_at'),
        time('closed_at', { nullable: true }), text('close_note', { nullable: true }),
      ],
      indices: [idx('ix_governance_topics_status', ['community_id', 'status'])],
      foreignKeys: [fk('community_id', 'communities'), fk('cluster_id', 'problem_clusters', 'SET NULL'), fk('grid_id', 'grids', 'SET NULL'), fk('owner_staff_id', 'staff'), fk('created_by_staff_id', 'staff')],
    }))
    await q.createTable(new Table({
      name: 'topic_requests',
      columns: [id(), int('topic_id'), int('request_id'), str('via', 16), time('linked_at')],
      indices: [idx('uq_topic_requests', ['topic_id', 'request_id'], true), idx('ix_topic_requests_request', ['request_id'])],
      foreignKeys: [fk('topic_id', 'governance_topics'), fk('request_id', 'requests')],
    }))
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['topic_requests', 'governance_topics', 'problem_clusters', 'care_visit_events', 'care_visits', 'care_residents']) await q.dropTable(t, true)
  }
}
