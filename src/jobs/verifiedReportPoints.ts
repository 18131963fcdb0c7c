import type { DataSource } from 'typeorm'
import type { Clock } from '../clock.js'
import { Community } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'
import { awardVerifiedReports } from '../volunteers/verifiedReportAwarder.js'
import type { JobRunSummary } from './types.js'

/**
 * Daily: 爱心积分 for residents' reports that were handled and closed, where the community's rule counts them.
 * One transaction per community; the ledger's dedupe key makes a second run (or instance) award nothing.
 */
export async function runVerifiedReportPoints(deps: { db: DataSource; clock: Clock; logger?: Logger }): Promise<JobRunSummary> {
  const communities = await deps.db.getRepository(Community).find({ select: { id: true }, order: { id: 'ASC' } })
  let awarded = 0
  for (const { id } of communities) {
    try {
      awarded += await inTransaction(deps.db, (em) => awardVerifiedReports(em, deps.clock, id))
    } catch (err) {
      deps.logger?.error({ err, communityId: id }, 'verified report points failed')
    }
  }
  return { acted: awarded, details: { awarded } }
}
