import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { id, int, str, time } from './columns.js'

/** The web console's one-time login links and sessions (hashed tokens only). */
export class ConsoleLogin1765300000000 implements MigrationInterface {
  name = 'ConsoleLogin1765300000000'

  async up(q: QueryRunner): Promise<void> {
    for (const name of ['console_login_links', 'console_sessions']) {
      const extra = name === 'console_login_links' ? [time('used_at', { nullable: true })] : [time('revoked_at', { nullable: true })]
      await q.createTable(new Table({
        name,
        columns: [id(), str('token_hash', 64), int('staff_id'), time('expires_at'), ...extra, time('created_at')],
        indices: [new TableIndex({ name: `uq_${name}_token`, columnNames: ['token_hash'], isUnique: true }), new TableIndex({ name: `ix_${name}_staff`, columnNames: ['staff_id'] })],
        foreignKeys: [new TableForeignKey({ columnNames: ['staff_id'], referencedTableName: 'staff', referencedColumnNames: ['id'], onDelete: 'CASCADE' })],
      }))
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('console_sessions')
    await q.dropTable('console_login_links')
  }
}
