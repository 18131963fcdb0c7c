import type { DataSource } from 'typeorm'
import { checkVisits, ensureVisitsScheduled } from '../care/visits.js'
import type { Clock } from '../clock.js'
import { Community } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'
import type { JobRunSummary } from './types.js'

export interface CareVisitsDeps { db: DataSource; clock: Clock; encryptionKey: string; logger?: Logger }

/**
 * Daily, before the to-do goes out: every roster resident has a visit scheduled; visits past due are flagged
 * for a door knock; those overdue by more than half their interval are escalated to the 书记. One transaction
 * per community; guarded transitions and keyed DMs make a second run a no-op.
 */
export async function runCareVisits(deps: CareVisitsDeps): Promise<JobRunSummary> {
  const communities = await deps.db.getRepository(Community).find({ select: { id: true }, order: { id: 'ASC' } })
  let scheduled = 0, flagged = 0, escalated = 0
  for (const { id } of communities) {
    try {
      await inTransaction(deps.db, async (em) => {
        scheduled += await ensureVisitsScheduled(em, deps.clock, id)
        const s = await checkVisits(em, deps.clock, id, deps.encryptionKey)
        flagged += s.flagged
        escalated += s.escalated
      })
    } catch (err) {
      deps.logger?.error({ err, communityId: id }, 'care visit check failed')
    }
  }
  return { acted: scheduled + flagged + escalated, details: { scheduled, flagged, escalated } }
}
