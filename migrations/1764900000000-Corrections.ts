import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { bool, id, int, str, text, time } from './columns.js'

/** Staff corrections kept as labelled examples, and the model version on every request. */
export class Corrections1764900000000 implements MigrationInterface {
  name = 'Corrections1764900000000'

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('requests', new TableColumn(str('classifier_version', 64, { nullable: true })))
    await q.createTable(new Table({
      name: 'classification_corrections',
      columns: [
        id(), int('community_id'), int('request_id', { nullable: true }), text('text'), str('room', 128, { nullable: true }), str('kind', 16),
        { name: 'old_is_request', type: 'boolean', isNullable: true }, str('old_category', 24, { nullable: true }), str('old_urgency', 16, { nullable: true }),
        bool('new_is_request', true), str('new_category', 24, { nullable: true }), str('new_urgency', 16, { nullable: true }),
        int('staff_id', { nullable: true }), str('staff_role', 32, { nullable: true }), str('classifier_version', 64, { nullable: true }), time('created_at'),
      ],
      indices: [new TableIndex({ name: 'ix_corrections_created', columnNames: ['community_id', 'created_at'] })],
    }))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('classification_corrections')
    await q.dropColumn('requests', 'classifier_version')
  }
}
