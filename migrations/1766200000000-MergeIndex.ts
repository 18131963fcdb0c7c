import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'

/**
 * The merge search's index: an incoming report looks for an open request of the same category and building in the
 * merge window, newest first (src/intake/run.ts findDuplicate). Without it the search read every request of the
 * community in the window (ix_requests_created) and sorted them in a temporary table, for every message.
 */
export class MergeIndex1766200000000 implements MigrationInterface {
  name = 'MergeIndex1766200000000'

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('requests', new TableIndex({ name: 'ix_requests_merge', columnNames: ['community_id', 'category', 'building', 'created_at'] }))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('requests', 'ix_requests_merge')
  }
}
