import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity } from '../community/snapshot.js'
import { CATEGORY_NAMES } from '../community/taxonomy.js'
import { GovernanceTopic, ProblemCluster, ServiceRequest, TopicRequest, type Staff } from '../db/entities/index.js'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js'
import { problemSimilarity } from '../intake/similarity.js'
import { enqueue, PRIORITY } from '../outbox/outbox.js'
import { withTitle } from '../requests/messages.js'
import { draftToStaff } from '../requests/notify.js'
import { formatLocal } from '../time.js'
import { CLUSTER_MIN_SIMILARITY } from './clusters.js'

/** Only the community's 书记 turns clusters into topics and closes them. */
export const canManageTopics = (actor: Pick<Staff, 'role' | 'active' | 'communityId'>, communityId: number) =>
  actor.active && actor.role === 'secretary' && actor.communityId === communityId

const placeText = (t: Pick<GovernanceTopic, 'building'>, grid: string | undefined) => (t.building ? `${t.building}号楼` : grid ?? '')

export interface CreateTopicProps {
  clusterId: number
  actor: Staff
  /** the owner's name (as in the community file) or staff id */
  owner: string | number
  dueAt: Date
  title?: string
}

/**
 * 立项: turns an open cluster into a 治理项目 with an owner and a due date; the cluster's requests are linked
 * to it and the owner is told. Guarded: a cluster becomes a topic once.
 */
export async function createTopicFromCluster(em: EntityManager, clock: Clock, p: CreateTopicProps): Promise<GovernanceTopic> {
  const cluster = await em.findOne(ProblemCluster, { where: { id: p.clusterId } })
  if (!cluster || cluster.communityId !== p.actor.communityId) throw new NotFoundError(`问题 #${p.clusterId}`, 'cluster_not_found')
  if (!canManageTopics(p.actor, cluster.communityId)) throw new ForbiddenError('只有书记可以立项')
  const now = clock.now()
  if (p.dueAt.getTime() <= now.getTime()) throw new ValidationError('完成期限要晚于今天')
  const c = await loadCommunity(em, cluster.communityId)
  const owner = c.staff.find((s) => s.active && (typeof p.owner === 'number' ? s.id === p.owner : s.name === p.owner || s.wechat === p.owner))
  if (!owner) throw new NotFoundError(`工作人员「${p.owner}」`, 'staff_not_found')
  const grid = c.grids.find((g) => g.id === cluster.gridId)
  const title = p.title?.trim() || `${cluster.building ? `${cluster.building}号楼` : grid?.name ?? ''}${CATEGORY_NAMES[cluster.category]}反复出现`
  const topic = await em.save(GovernanceTopic, em.create(GovernanceTopic, {
    communityId: cluster.communityId, clusterId: cluster.id, title: title.slice(0, 200), category: cluster.category, building: cluster.building, gridId: cluster.gridId,
    ownerStaffId: owner.id, dueAt: p.dueAt, status: 'open', createdByStaffId: p.actor.id, createdAt: now, closedAt: null, closeNote: null,
  }))
  const claimed = await em.createQueryBuilder().update(ProblemCluster).set({ status: 'topic', topicId: topic.id, updatedAt: now })
    .where('id = :id AND status = :open', { id: cluster.id, open: 'open' }).execute()
  if (!claimed.affected) throw new ConflictError('cluster_not_open', `问题 #${cluster.id} 已经立项或已忽略`)
  for (const requestId of cluster.requestIds) await em.save(TopicRequest, em.create(TopicRequest, { topicId: topic.id, requestId, via: 'cluster', linkedAt: now }))
  const text = `【治理项目】${withTitle(p.actor.name, '书记')}请您牵头：${topic.title}（${placeText(topic, grid?.name)}，已有 ${cluster.requestIds.length} 件相关工单）。\n完成期限：${formatLocal(topic.dueAt, c.community.timezone)}。\n建议：${cluster.suggestion}`
  const draft = draftToStaff(owner, `topic:${topic.id}:created`, text, { priority: PRIORITY.normal })
  if (draft) await enqueue(em, clock, [draft])
  return topic
}

/** 结项: the topic is done; it leaves the digest after the week it closed in. */
export async function closeTopic(em: EntityManager, clock: Clock, p: { topicId: number; actor: Staff; note?: string | null }): Promise<GovernanceTopic> {
  const topic = await em.findOne(GovernanceTopic, { where: { id: p.topicId } })
  if (!topic || topic.communityId !== p.actor.communityId) throw new NotFoundError(`治理项目 #${p.topicId}`, 'topic_not_found')
  if (!canManageTopics(p.actor, topic.communityId)) throw new ForbiddenError('只有书记可以结项')
  const done = await em.createQueryBuilder().update(GovernanceTopic).set({ status: 'closed', closedAt: clock.now(), closeNote: p.note?.trim() || null })
    .where('id = :id AND status = :open', { id: topic.id, open: 'open' }).execute()
  if (!done.affected) throw new ConflictError('topic_closed', `治理项目 #${topic.id} 已经结项`)
  return em.findOneOrFail(GovernanceTopic, { where: { id: topic.id } })
}

/**
 * A new request about the same thing in the same place as an open topic is linked to it (in the caller's
 * transaction, right after intake creates it). Returns the topic ids it joined.
 */
export async function linkRequestToTopics(em: EntityManager, clock: Clock, request: ServiceRequest, openTopics?: GovernanceTopic[]): Promise<number[]> {
  // The caller may pass the community's open topics from the configuration cache (src/community/cache.ts).
  const topics = openTopics
    ? openTopics.filter((t) => t.communityId === request.communityId && t.status === 'open' && t.category === request.category)
    : await em.find(GovernanceTopic, { where: { communityId: request.communityId, status: 'open', category: request.category } })
  const joined: number[] = []
  for (const t of topics) {
    const samePlace = t.building ? t.building === request.building : t.gridId != null && t.gridId === request.gridId
    if (!samePlace) continue
    const links = await em.find(TopicRequest, { where: { topicId: t.id } })
    if (links.some((l) => l.requestId === request.id)) continue
    const texts = links.length ? await em.find(ServiceRequest, { where: { id: In(links.map((l) => l.requestId)) }, select: { id: true, originalText: true } }) : []
    if (!texts.some((x) => problemSimilarity(x.originalText, request.originalText) >= CLUSTER_MIN_SIMILARITY)) continue
    await em.save(TopicRequest, em.create(TopicRequest, { topicId: t.id, requestId: request.id, via: 'auto', linkedAt: clock.now() }))
    joined.push(t.id)
  }
  return joined
}

export interface TopicProgress {
  topic: GovernanceTopic
  owner: string | null
  requests: number
  resolved: number
  /** linked automatically in [from, to): the problem is still coming back */
  newInPeriod: number
  overdue: boolean
}

/** Open topics, and those closed in [from, to), with their progress: for the digest, the console and the API. */
export async function topicProgress(em: EntityManager, p: { communityId: number; from: Date; to: Date; now: Date }): Promise<TopicProgress[]> {
  const topics = (await em.find(GovernanceTopic, { where: { communityId: p.communityId }, order: { id: 'ASC' } }))
    .filter((t) => t.status === 'open' || (t.closedAt && t.closedAt.getTime() >= p.from.getTime()))
  if (!topics.length) return []
  const c = await loadCommunity(em, p.communityId)
  const links = await em.find(TopicRequest, { where: { topicId: In(topics.map((t) => t.id)) } })
  const requests = links.length ? await em.find(ServiceRequest, { where: { id: In([...new Set(links.map((l) => l.requestId))]) }, select: { id: true, status: true } }) : []
  return topics.map((topic) => {
    const mine = links.filter((l) => l.topicId === topic.id)
    const done = mine.filter((l) => ['resolved', 'closed'].includes(requests.find((r) => r.id === l.requestId)?.status ?? ''))
    return {
      topic, owner: c.staff.find((s) => s.id === topic.ownerStaffId)?.name ?? null, requests: mine.length, resolved: done.length,
      newInPeriod: mine.filter((l) => l.via === 'auto' && l.linkedAt.getTime() >= p.from.getTime() && l.linkedAt.getTime() < p.to.getTime()).length,
      overdue: topic.status === 'open' && topic.dueAt.getTime() < p.now.getTime(),
    }
  })
}

