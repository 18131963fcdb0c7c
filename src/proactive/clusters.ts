import type { EntityManager } from 'typeorm'
import { In, MoreThanOrEqual, Not } from 'typeorm'
import type { Clock } from '../clock.js'
import { ProblemCluster, ServiceRequest } from '../db/entities/index.js'
import { problemSimilarity } from '../intake/similarity.js'
import { suggestAction } from './suggestion.js'

export const CLUSTER_WINDOW_DAYS = 30
export const CLUSTER_MIN_REQUESTS = 3
export const CLUSTER_MIN_REOPENS = 2
/** Texts at least this alike (intake/similarity.ts) are about the same problem. */
export const CLUSTER_MIN_SIMILARITY = 0.5

interface Candidate { category: ServiceRequest['category']; building: string | null; gridId: number | null; reason: ProblemCluster['reason']; requests: ServiceRequest[] }

/** Same place (the building, else the grid) and category; similar text joins a group (greedy, oldest first). */
export function groupRecurring(requests: ServiceRequest[]): Candidate[] {
  const byPlace = new Map<string, ServiceRequest[]>()
  for (const r of [...requests].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id)) {
    const place = r.building ? `b:${r.building}` : r.gridId != null ? `g:${r.gridId}` : null
    if (!place) continue
    const k = `${r.category}|${place}`
    byPlace.set(k, [...(byPlace.get(k) ?? []), r])
  }
  const out: Candidate[] = []
  for (const rows of byPlace.values()) {
    const groups: ServiceRequest[][] = []
    for (const r of rows) {
      const g = groups.find((members) => members.some((m) => problemSimilarity(m.originalText, r.originalText) >= CLUSTER_MIN_SIMILARITY))
      if (g) g.push(r)
      else groups.push([r])
    }
    for (const g of groups) {
      const first = g[0]!
      if (g.length >= CLUSTER_MIN_REQUESTS) out.push({ category: first.category, building: first.building, gridId: first.gridId, reason: 'repeated', requests: g })
      else for (const r of g.filter((x) => x.reopenCount >= CLUSTER_MIN_REOPENS)) out.push({ category: r.category, building: r.building, gridId: r.gridId, reason: 'reopened', requests: [r] })
    }
  }
  return out
}

/**
 * The weekly detection for one community: requests of the last 30 days grouped into clusters, each stored
 * once. A cluster found again (sharing a request with an open or adopted one) is extended, not duplicated,
 * so running it twice changes nothing.
 */
export async function detectRecurringProblems(em: EntityManager, clock: Clock, communityId: number): Promise<{ created: number; extended: number }> {
  const now = clock.now()
  const since = new Date(now.getTime() - CLUSTER_WINDOW_DAYS * 86_400_000)
  const requests = await em.find(ServiceRequest, { where: { communityId, createdAt: MoreThanOrEqual(since), status: Not(In(['merged', 'cancelled'])) } })
  const known = await em.find(ProblemCluster, { where: { communityId, status: In(['open', 'topic']) }, order: { id: 'ASC' } })
  const summary = { created: 0, extended: 0 }
  for (const c of groupRecurring(requests)) {
    const ids = c.requests.map((r) => r.id)
    const reopened = Math.max(...c.requests.map((r) => r.reopenCount))
    const suggestion = suggestAction(c.category, c.requests.map((r) => r.originalText), reopened)
    const same = known.find((k) => k.category === c.category && k.building === c.building && (c.building || k.gridId === c.gridId) && k.requestIds.some((id) => ids.includes(id)))
    if (same) {
      const union = [...new Set([...same.requestIds, ...ids])].sort((a, b) => a - b)
      if (union.length === same.requestIds.length && same.suggestion === suggestion) continue
      await em.update(ProblemCluster, { id: same.id }, { requestIds: union, suggestion, updatedAt: now })
      same.requestIds = union
      summary.extended++
      continue
    }
    const key = `${c.category}|${c.building ? `b:${c.building}` : `g:${c.gridId}`}|${ids[0]}`
    // A dismissed cluster keeps its key: the same requests do not come back.
    if (await em.findOne(ProblemCluster, { where: { communityId, key } })) continue
    known.push(await em.save(ProblemCluster, em.create(ProblemCluster, {
      communityId, key, category: c.category, building: c.building, gridId: c.gridId, reason: c.reason, requestIds: ids,
      suggestion, status: 'open', topicId: null, detectedAt: now, updatedAt: now,
    })))
    summary.created++
  }
  return summary
}

export interface ClusterView { cluster: ProblemCluster; requests: Pick<ServiceRequest, 'id' | 'no' | 'status' | 'createdAt' | 'originalText'>[] }

/** Open clusters (not yet a topic) with their requests: for the digest, the console and the API. */
export async function openClusters(em: EntityManager, communityId: number): Promise<ClusterView[]> {
  const clusters = await em.find(ProblemCluster, { where: { communityId, status: 'open' }, order: { id: 'ASC' } })
  const ids = [...new Set(clusters.flatMap((c) => c.requestIds))]
  const requests = ids.length ? await em.find(ServiceRequest, { where: { id: In(ids) }, select: { id: true, no: true, status: true, createdAt: true, originalText: true } }) : []
  return clusters.map((cluster) => ({ cluster, requests: cluster.requestIds.map((id) => requests.find((r) => r.id === id)!).filter(Boolean) }))
}
