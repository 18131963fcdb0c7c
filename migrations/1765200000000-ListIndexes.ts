import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'

/**
 * Indexes for the lists that page in the database: a resident's requests (request_reporters by resident,
 * newest request first) and the 书记's triage queue (by community, oldest first). MySQL already had an index
 * on request_reporters.resident_id for its foreign key; SQLite had none.
 */
export class ListIndexes1765200000000 implements MigrationInterface {
  name = 'ListIndexes1765200000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('request_reporters', new TableIndex({ name: 'ix_request_reporters_resident', columnNames: ['resident_id', 'request_id'] }))
    await q.createIndex('requests', new TableIndex({ name: 'ix_requests_triage', columnNames: ['community_id', 'needs_triage', 'created_at'] }))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('requests', 'ix_requests_triage')
    // InnoDB dropped the foreign key's own index on resident_id when this one could serve it: give it one back first.
    if (q.connection.options.type !== 'better-sqlite3') await q.createIndex('request_reporters', new TableIndex({ name: 'ix_request_reporters_resident_fk', columnNames: ['resident_id'] }))
    await q.dropIndex('request_reporters', 'ix_request_reporters_resident')
  }
}
