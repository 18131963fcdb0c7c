import type { EntityManager } from 'typeorm'
import { ServiceRequest } from '../db/entities/index.js'
import { afterKeyset, type Keyset } from '../db/keyset.js'

export interface PeriodRowsQuery {
  communityId: number
  from: Date
  to: Date
  /** rows per read (default 2,000) */
  batchSize?: number
}

/**
 * The requests a community received in [from, to), oldest first, in batches read by keyset on
 * (created_at, id) over ix_requests_created: memory holds one batch, and no connection or
 * transaction is held between batches.
 */
export async function* requestsCreatedIn(em: EntityManager, q: PeriodRowsQuery): AsyncGenerator<ServiceRequest[]> {
  const batchSize = q.batchSize ?? 2000
  let after: Keyset | null = null
  for (;;) {
    const qb = em.getRepository(ServiceRequest).createQueryBuilder('r')
      .where('r.community_id = :c AND r.created_at >= :from AND r.created_at < :to', { c: q.communityId, from: q.from, to: q.to })
    if (after) afterKeyset(qb, 'r.created_at', 'r.id', 'ASC', after)
    const rows = await qb.orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(batchSize).getMany()
    if (rows.length) yield rows
    if (rows.length < batchSize) return
    const last = rows[rows.length - 1]!
    after = { at: last.createdAt, id: last.id }
  }
}
