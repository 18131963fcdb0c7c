import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { str, time } from './columns.js'

const LONG_TEXT: [string, string, boolean][] = [['inbox', 'text', true], ['requests', 'original_text', false], ['request_reporters', 'text', true]]

/**
 * Staff identity bound to a WeChat contact (one-time code, contact id, the bot's remark for them);
 * inbox claims that can be recovered; an index for the outbox send budget.
 */
export class Reliability1765000000000 implements MigrationInterface {
  name = 'Reliability1765000000000'

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('staff', [
      new TableColumn(str('wechat_contact_id', 128, { nullable: true })),
      new TableColumn(str('wechat_remark', 64, { nullable: true })),
      new TableColumn(str('bind_code_hash', 64, { nullable: true })),
      new TableColumn(time('bind_code_expires_at', { nullable: true })),
      new TableColumn(time('bound_at', { nullable: true })),
    ])
    await q.createIndex('staff', new TableIndex({ name: 'ix_staff_contact', columnNames: ['wechat_contact_id'] }))
    await q.createIndex('staff', new TableIndex({ name: 'ix_staff_remark', columnNames: ['wechat_remark'] }))
    await q.createIndex('staff', new TableIndex({ name: 'ix_staff_bind_code', columnNames: ['bind_code_hash'] }))
    await q.addColumn('inbox', new TableColumn(time('claimed_at', { nullable: true })))
    await q.createIndex('outbox', new TableIndex({ name: 'ix_outbox_claimed', columnNames: ['claimed_at'] }))
    // MySQL's TEXT holds 65,535 bytes: a message is kept whole whatever its length (SQLite's TEXT has no such limit).
    if (q.connection.options.type !== 'better-sqlite3') {
      for (const [table, column, nullable] of LONG_TEXT) await q.query(`ALTER TABLE \`${table}\` MODIFY \`${column}\` MEDIUMTEXT ${nullable ? 'NULL' : 'NOT NULL'}`)
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'better-sqlite3') {
      for (const [table, column, nullable] of LONG_TEXT) await q.query(`ALTER TABLE \`${table}\` MODIFY \`${column}\` TEXT ${nullable ? 'NULL' : 'NOT NULL'}`)
    }
    await q.dropIndex('outbox', 'ix_outbox_claimed')
    await q.dropColumn('inbox', 'claimed_at')
    for (const i of ['ix_staff_bind_code', 'ix_staff_remark', 'ix_staff_contact']) await q.dropIndex('staff', i)
    for (const c of ['bound_at', 'bind_code_expires_at', 'bind_code_hash', 'wechat_remark', 'wechat_contact_id']) await q.dropColumn('staff', c)
  }
}
