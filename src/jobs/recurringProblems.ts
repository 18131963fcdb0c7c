import type { DataSource } from 'typeorm'
import type { Clock } from '../clock.js'
import { Community } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'
import { detectRecurringProblems } from '../proactive/clusters.js'
import type { JobRunSummary } from './types.js'

/** Weekly, before the digest: finds 反复出现的问题 in each community (detection is idempotent per cluster). */
export async function runRecurringProblems(deps: { db: DataSource; clock: Clock; logger?: Logger }): Promise<JobRunSummary> {
  const communities = await deps.db.getRepository(Community).find({ select: { id: true }, order: { id: 'ASC' } })
  let created = 0, extended = 0
  for (const { id } of communities) {
    try {
      const s = await inTransaction(deps.db, (em) => detectRecurringProblems(em, deps.clock, id))
      created += s.created
      extended += s.extended
    } catch (err) {
      deps.logger?.error({ err, communityId: id }, 'recurring problem detection failed')
    }
  }
  return { acted: created + extended, details: { created, extended } }
}
