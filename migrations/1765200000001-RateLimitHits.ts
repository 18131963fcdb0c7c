import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { id, str, time } from './columns.js'

/** API rate limits kept in the database, so several API replicas share one limit per user and per IP. */
export class RateLimitHits1765200000001 implements MigrationInterface {
  name = 'RateLimitHits1765200000001'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'rate_limit_hits',
      columns: [id(), str('limit_key', 191), time('at')],
      indices: [new TableIndex({ name: 'ix_rate_limit_hits_key', columnNames: ['limit_key', 'at'] }), new TableIndex({ name: 'ix_rate_limit_hits_at', columnNames: ['at'] })],
    }))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('rate_limit_hits', true)
  }
}
