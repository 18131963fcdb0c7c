import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm'
import { int } from './columns.js'

/**
 * communities.config_version: bumped with every change to a community's configuration (its settings, grids,
 * buildings, staff, rooms), so each process can keep that configuration cached and check it with one read.
 */
export class ConfigVersion1765500000000 implements MigrationInterface {
  name = 'ConfigVersion1765500000000'

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('communities', new TableColumn(int('config_version', { default: 0 })))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('communities', 'config_version')
  }
}
