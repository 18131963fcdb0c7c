import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm'
import { str } from './columns.js'

/** requests.resolution_outcome: 已解决 / 部分解决 / 未解决（已说明原因） / 不属于社区职责（已转办）, given with 办结. */
export class ResolutionOutcome1765150000000 implements MigrationInterface {
  name = 'ResolutionOutcome1765150000000'

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('requests', new TableColumn(str('resolution_outcome', 24, { nullable: true })))
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('requests', 'resolution_outcome')
  }
}
