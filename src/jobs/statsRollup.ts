import type { DataSource } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity } from '../community/snapshot.js'
import { Community } from '../db/entities/index.js'
import type { Logger } from '../logger.js'
import { rollUpCommunity, statsTriggersPresent } from '../stats/rollups.js'
import type { JobRunSummary } from './types.js'

/**
 * Keeps the daily rollups of the 三率 (src/stats/rollups.ts) current: rolls up each past local day that has no
 * rollup on the current basis or was changed since (stats_dirty). Idempotent: a second run finds nothing to do.
 * Without the triggers that mark changed days it does nothing (the figures are then always read from the rows).
 */
export async function runStatsRollup(deps: { db: DataSource; clock: Clock; logger?: Logger }): Promise<JobRunSummary> {
  if (!(await statsTriggersPresent(deps.db))) {
    deps.logger?.error('stats rollup skipped: the stats_dirty triggers are missing (a migration dropped them?); figures are computed from the rows')
    return { acted: 0, details: { reason: 'no_triggers' } }
  }
  const communities = await deps.db.getRepository(Community).find({ select: { id: true }, order: { id: 'ASC' } })
  let days = 0
  for (const { id } of communities) {
    try {
      days += (await rollUpCommunity(deps.db, await loadCommunity(deps.db.manager, id), deps.clock.now())).days
    } catch (err) {
      deps.logger?.error({ err, communityId: id }, 'stats rollup failed')
    }
  }
  return { acted: days, details: { days } }
}
