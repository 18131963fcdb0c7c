import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { bool, float, id, int, str, text, time } from './columns.js'

const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') =>
  new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete })
const idx = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique })

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'communities',
      columns: [id(), str('name', 100), str('timezone', 64, { default: 'Asia/Shanghai' }), text('settings'), int('request_seq', { default: 0 }), time('created_at'), time('updated_at')],
      indices: [idx('uq_communities_name', ['name'], true)],
    }))
    await q.createTable(new Table({
      name: 'staff',
      columns: [id(), int('community_id'), str('name', 64), str('wechat', 64), str('role', 32), str('phone_masked', 32, { nullable: true }), str('phone_hash', 64, { nullable: true }), bool('active', true)],
      indices: [idx('uq_staff_wechat', ['community_id', 'wechat'], true), idx('ix_staff_phone_hash', ['phone_hash'])],
      foreignKeys: [fk('community_id', 'communities')],
    }))
    await q.createTable(new Table({
      name: 'grids',
      columns: [id(), int('community_id'), str('name', 100), int('leader_staff_id', { nullable: true }), int('deputy_staff_id', { nullable: true })],
      indices: [idx('uq_grids_name', ['community_id', 'name'], true)],
      foreignKeys: [fk('community_id', 'communities'), fk('leader_staff_id', 'staff', 'SET NULL'), fk('deputy_staff_id', 'staff', 'SET NULL')],
    }))
    await q.createTable(new Table({
      name: 'buildings',
      columns: [id(), int('community_id'), str('code', 32), int('grid_id', { nullable: true })],
      indices: [idx('uq_buildings_code', ['community_id', 'code'], true)],
      foreignKeys: [fk('community_id', 'communities'), fk('grid_id', 'grids', 'SET NULL')],
    }))
    await q.createTable(new Table({
      name: 'chat_rooms',
      columns: [id(), int('community_id'), str('topic', 128), int('grid_id', { nullable: true }), str('wechat_room_id', 128, { nullable: true })],
      indices: [idx('uq_chat_rooms_topic', ['community_id', 'topic'], true)],
      foreignKeys: [fk('community_id', 'communities'), fk('grid_id', 'grids', 'SET NULL')],
    }))
    await q.createTable(new Table({
      name: 'residents',
      columns: [
        id(), int('community_id', { nullable: true }), str('wechat_name', 64, { nullable: true }), str('wechat_contact_id', 128, { nullable: true }),
        str('openid', 128, { nullable: true }), str('name', 64, { nullable: true }), str('building', 32, { nullable: true }),
        str('unit', 32, { nullable: true }), str('room', 32, { nullable: true }), str('phone_encrypted', 255, { nullable: true }),
        str('phone_masked', 32, { nullable: true }), str('phone_hash', 64, { nullable: true }), text('vulnerability'),
        bool('subscribe_allowed', false), time('created_at'), time('updated_at'),
      ],
      indices: [idx('uq_residents_openid', ['openid'], true), idx('ix_residents_wechat', ['community_id', 'wechat_name']), idx('ix_residents_phone_hash', ['phone_hash'])],
      foreignKeys: [fk('community_id', 'communities', 'SET NULL')],
    }))
    await q.createTable(new Table({
      name: 'requests',
      columns: [
        id(), int('community_id'), str('no', 32), str('source', 16), int('chat_room_id', { nullable: true }), text('original_text'),
        str('category', 24), str('urgency', 16), str('building', 32, { nullable: true }), str('unit', 32, { nullable: true }), str('room_no', 32, { nullable: true }),
        int('reporter_resident_id', { nullable: true }), int('reporter_staff_id', { nullable: true }), int('grid_id', { nullable: true }), int('assignee_staff_id', { nullable: true }),
        str('status', 16), int('reopen_count', { default: 0 }),
        time('accept_due_at', { nullable: true }), time('resolve_due_at', { nullable: true }), time('dispatched_at', { nullable: true }),
        time('accepted_at', { nullable: true }), time('resolved_at', { nullable: true }), time('closed_at', { nullable: true }),
        time('accept_reminded_at', { nullable: true }), time('accept_escalated_at', { nullable: true }),
        time('resolve_reminded_at', { nullable: true }), time('resolve_escalated_at', { nullable: true }),
        str('classifier_method', 16), float('confidence'), bool('needs_triage', false),
        str('rating', 24, { nullable: true }), text('rating_comment', { nullable: true }), text('resolution_note', { nullable: true }),
        text('return_reason', { nullable: true }), int('merged_into_id', { nullable: true }), time('created_at'), time('updated_at'),
      ],
      indices: [
        idx('uq_requests_no', ['community_id', 'no'], true), idx('ix_requests_status', ['community_id', 'status']),
        idx('ix_requests_assignee', ['assignee_staff_id', 'status']), idx('ix_requests_created', ['community_id', 'created_at']),
      ],
      foreignKeys: [
        fk('community_id', 'communities'), fk('grid_id', 'grids', 'SET NULL'), fk('assignee_staff_id', 'staff', 'SET NULL'),
        fk('reporter_resident_id', 'residents', 'SET NULL'), fk('chat_room_id', 'chat_rooms', 'SET NULL'),
      ],
    }))
    await q.createTable(new Table({
      name: 'request_reporters',
      columns: [
        id(), int('request_id'), int('resident_id'), str('role', 16), str('source', 16), text('text', { nullable: true }),
        str('callback_status', 16, { nullable: true }), time('callback_due_at', { nullable: true }), time('callback_asked_at', { nullable: true }),
        time('callback_reminded_at', { nullable: true }), str('rating', 24, { nullable: true }), time('created_at'),
      ],
      indices: [idx('uq_request_reporters', ['request_id', 'resident_id'], true), idx('ix_request_reporters_callback', ['callback_status', 'callback_due_at'])],
      foreignKeys: [fk('request_id', 'requests'), fk('resident_id', 'residents')],
    }))
    await q.createTable(new Table({
      name: 'request_events',
      columns: [
        id(), int('request_id'), str('type', 32), str('from_status', 16, { nullable: true }), str('to_status', 16, { nullable: true }),
        str('actor_type', 16), int('actor_id', { nullable: true }), str('channel', 16), text('data', { nullable: true }), time('created_at'),
      ],
      indices: [idx('ix_request_events_request', ['request_id', 'id'])],
      foreignKeys: [fk('request_id', 'requests')],
    }))
    await q.createTable(new Table({
      name: 'attachments',
      columns: [
        id(), int('request_id', { nullable: true }), str('kind', 16), str('storage_key', 255), str('mime', 64), int('size'),
        str('uploader_type', 16), int('uploader_id', { nullable: true }), time('created_at'),
      ],
      indices: [idx('ix_attachments_request', ['request_id'])],
      foreignKeys: [fk('request_id', 'requests')],
    }))
    await q.createTable(new Table({
      name: 'outbox',
      columns: [
        id(), str('dedupe_key', 191), str('channel', 16), str('target', 128), text('mentions', { nullable: true }), text('text'),
        text('payload', { nullable: true }), int('priority', { default: 5 }), str('status', 16), int('attempts', { default: 0 }),
        time('next_attempt_at'), time('claimed_at', { nullable: true }), text('last_error', { nullable: true }),
        int('request_id', { nullable: true }), time('created_at'), time('sent_at', { nullable: true }),
      ],
      indices: [idx('uq_outbox_dedupe', ['dedupe_key'], true), idx('ix_outbox_due', ['status', 'next_attempt_at'])],
    }))
    await q.createTable(new Table({
      name: 'inbox',
      columns: [
        id(), str('channel', 16), str('message_id', 128), str('kind', 16), str('room_topic', 128, { nullable: true }),
        str('room_id', 128, { nullable: true }), str('sender_name', 64, { nullable: true }), str('sender_id', 128, { nullable: true }),
        text('text', { nullable: true }), text('payload', { nullable: true }), str('status', 16), int('attempts', { default: 0 }),
        text('error', { nullable: true }), int('request_id', { nullable: true }), time('received_at'), time('processed_at', { nullable: true }),
      ],
      indices: [idx('uq_inbox_message', ['channel', 'message_id'], true), idx('ix_inbox_status', ['status'])],
    }))
    await q.createTable(new Table({
      name: 'job_state',
      columns: [
        { name: 'name', type: 'varchar', length: '64', isPrimary: true },
        str('lock_holder', 128, { nullable: true }), time('lock_expires_at', { nullable: true }), time('watermark', { nullable: true }),
      ],
    }))
    await q.createTable(new Table({
      name: 'digests',
      columns: [
        id(), int('community_id'), time('period_start'), time('period_end'), text('figures'), text('text'),
        text('summary', { nullable: true }), time('created_at'),
      ],
      indices: [idx('uq_digests_period', ['community_id', 'period_start'], true)],
      foreignKeys: [fk('community_id', 'communities')],
    }))
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['digests', 'job_state', 'inbox', 'outbox', 'attachments', 'request_events', 'request_reporters', 'requests', 'residents', 'chat_rooms', 'buildings', 'grids', 'staff', 'communities']) {
      await q.dropTable(t, true)
    }
  }
}
