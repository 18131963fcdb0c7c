import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm'
import { id, str, time } from './columns.js'

/**
 * API rate limits kept in the database, so several API replicas share one limit per user and per IP;
 * an index on request_events (type, request_id) for the statistics' SLA-notice lookup.
 */
export class SharedLimits1765200000001 implements MigrationInterface {
  name = 'SharedLimits1765200000001'

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'rate_limit_hits',
      columns: [id(), str('limit_key', 191), time('at')],
      indices: [new TableIndex({ name: 'ix_rate_limit_hits_key', columnNames: ['limit_key', 'at'] }), new TableIndex({ name: 'ix_rate_limit_hits_at', columnNames: ['at'] })],
    }))
    await q.createIndex('request_events', new TableIndex({ name: 'ix_request_events_type', columnNames: ['type', 'request_id'] }))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('request_events', 'ix_request_events_type')
    await q.dropTable('rate_limit_hits', true)
  }
}
