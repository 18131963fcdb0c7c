import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { id, int, str, text, time } from './columns.js'

const fk = (column: string, table: string) =>
  new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'CASCADE' })

/** The bot's open questions (几号楼几单元, a promised photo, a 完成 note) and staff notices per room. */
export class ChatPrompts1765100000000 implements MigrationInterface {
  name = 'ChatPrompts1765100000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'chat_prompts',
      columns: [
        id(), int('community_id'), str('chat_key', 160), str('sender_name', 64), str('kind', 16), int('request_id'),
        int('staff_id', { nullable: true }), str('status', 16), time('created_at'), time('expires_at'), time('answered_at', { nullable: true }),
      ],
      indices: [new TableIndex({ name: 'ix_chat_prompts_chat', columnNames: ['chat_key', 'sender_name', 'status'] })],
      foreignKeys: [fk('community_id', 'communities'), fk('request_id', 'requests')],
    }))
    await q.createTable(new Table({
      name: 'room_notices',
      columns: [id(), int('community_id'), int('chat_room_id'), int('staff_id'), text('text'), text('topics'), time('created_at'), time('expires_at')],
      indices: [new TableIndex({ name: 'ix_room_notices_room', columnNames: ['chat_room_id', 'created_at'] })],
      foreignKeys: [fk('community_id', 'communities'), fk('chat_room_id', 'chat_rooms'), fk('staff_id', 'staff')],
    }))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('room_notices', true)
    await q.dropTable('chat_prompts', true)
  }
}
