import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { bool, id, int, str, text, time } from './columns.js'

const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') =>
  new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete })
const idx = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique })
const hours = (name: string) => ({ name, type: 'float', isNullable: true })

/** 志愿者与积分 (issue 14): volunteers, the tasks offered to them, and the points ledger. */
export class Volunteers1765800000000 implements MigrationInterface {
  name = 'Volunteers1765800000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'volunteers',
      columns: [
        id(), int('community_id'), str('name', 64), str('wechat', 64), str('phone_masked', 32, { nullable: true }), str('phone_hash', 64, { nullable: true }),
        text('grid_ids'), bool('active', true), str('wechat_contact_id', 128, { nullable: true }), str('wechat_remark', 64, { nullable: true }),
        str('bind_code_hash', 64, { nullable: true }), time('bind_code_expires_at', { nullable: true }), time('bound_at', { nullable: true }),
      ],
      indices: [
        idx('uq_volunteers_wechat', ['community_id', 'wechat'], true), idx('ix_volunteers_contact', ['wechat_contact_id']),
        idx('ix_volunteers_remark', ['wechat_remark']), idx('ix_volunteers_bind_code', ['bind_code_hash']),
      ],
      foreignKeys: [fk('community_id', 'communities')],
    }))
    await q.createTable(new Table({
      name: 'volunteer_tasks',
      columns: [
        id(), int('community_id'), int('grid_id', { nullable: true }), str('source', 16), str('offer_key', 191), int('request_id', { nullable: true }),
        int('resident_id', { nullable: true }), str('kind', 32), text('description'), str('urgency', 16), str('status', 16), int('volunteer_id', { nullable: true }),
        int('offered_by_staff_id', { nullable: true }), time('claimed_at', { nullable: true }), time('reported_at', { nullable: true }), text('report_note', { nullable: true }),
        hours('hours'), time('confirmed_at', { nullable: true }), time('created_at'),
      ],
      indices: [idx('uq_volunteer_tasks_offer', ['offer_key'], true), idx('ix_volunteer_tasks_status', ['community_id', 'status'])],
      foreignKeys: [
        fk('community_id', 'communities'), fk('grid_id', 'grids', 'SET NULL'), fk('request_id', 'requests', 'SET NULL'),
        fk('resident_id', 'residents', 'SET NULL'), fk('volunteer_id', 'volunteers', 'SET NULL'), fk('offered_by_staff_id', 'staff', 'SET NULL'),
      ],
    }))
    await q.createTable(new Table({
      name: 'volunteer_task_events',
      columns: [
        id(), int('task_id'), str('type', 32), str('from_status', 16, { nullable: true }), str('to_status', 16, { nullable: true }),
        str('actor_type', 16), int('actor_id', { nullable: true }), text('data', { nullable: true }), time('created_at'),
      ],
      indices: [idx('ix_volunteer_task_events_task', ['task_id', 'id'])],
      foreignKeys: [fk('task_id', 'volunteer_tasks')],
    }))
    await q.createTable(new Table({
      name: 'points_accounts',
      columns: [id(), int('community_id'), str('holder_type', 16), int('holder_id'), int('balance', { default: 0 })],
      indices: [idx('uq_points_accounts_holder', ['community_id', 'holder_type', 'holder_id'], true)],
      foreignKeys: [fk('community_id', 'communities')],
    }))
    await q.createTable(new Table({
      name: 'points_entries',
      columns: [
        id(), int('community_id'), int('account_id'), int('amount'), str('action', 24), int('task_id', { nullable: true }), int('request_id', { nullable: true }),
        hours('hours'), str('note', 200, { nullable: true }), int('actor_staff_id', { nullable: true }), str('dedupe_key', 191), time('created_at'),
      ],
      indices: [
        idx('uq_points_entries_dedupe', ['dedupe_key'], true), idx('ix_points_entries_time', ['community_id', 'created_at']),
        idx('ix_points_entries_account', ['account_id', 'id']),
      ],
      foreignKeys: [
        fk('community_id', 'communities'), fk('account_id', 'points_accounts'), fk('task_id', 'volunteer_tasks', 'SET NULL'),
        fk('request_id', 'requests', 'SET NULL'), fk('actor_staff_id', 'staff', 'SET NULL'),
      ],
    }))
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['points_entries', 'points_accounts', 'volunteer_task_events', 'volunteer_tasks', 'volunteers']) await q.dropTable(t, true)
  }
}
