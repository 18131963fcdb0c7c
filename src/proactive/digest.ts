import type { EntityManager } from 'typeorm'
import { careDigestLines, careFigures, type CareFigures } from '../care/figures.js'
import { CATEGORY_NAMES } from '../community/taxonomy.js'
import { Community } from '../db/entities/index.js'
import { formatLocal } from '../time.js'
import { volunteerDigestLines, volunteerFigures, type VolunteerFigures } from '../volunteers/figures.js'
import { openClusters } from './clusters.js'
import { topicProgress } from './topics.js'

export interface ProactiveFigures {
  care: CareFigures
  clusters: { id: number; category: string; building: string | null; gridId: number | null; reason: string; requestNos: string[]; suggestion: string }[]
  topics: { id: number; title: string; owner: string | null; dueAt: string; status: string; requests: number; resolved: number; newInPeriod: number; overdue: boolean }[]
  volunteers: VolunteerFigures
}

const MAX_CLUSTERS = 5

/**
 * The digest's 未诉先办 figures and their lines, computed by the same functions the console and API call.
 * Empty lines when a community uses none of it, so its digest reads as before. No resident text or roster
 * detail appears: request numbers, counts and the suggested action only.
 */
export async function proactiveDigest(em: EntityManager, p: { communityId: number; from: Date; to: Date; now: Date }): Promise<{ figures: ProactiveFigures; lines: string[] }> {
  const tz = (await em.findOneOrFail(Community, { where: { id: p.communityId }, select: { id: true, timezone: true } })).timezone
  const care = await careFigures(em, p)
  const clusters = (await openClusters(em, p.communityId)).map(({ cluster: c, requests }) => ({
    id: c.id, category: c.category, building: c.building, gridId: c.gridId, reason: c.reason, requestNos: requests.map((r) => r.no), suggestion: c.suggestion,
  }))
  const topics = (await topicProgress(em, p)).map((t) => ({
    id: t.topic.id, title: t.topic.title, owner: t.owner, dueAt: t.topic.dueAt.toISOString(), status: t.topic.status,
    requests: t.requests, resolved: t.resolved, newInPeriod: t.newInPeriod, overdue: t.overdue,
  }))
  const lines = [...careDigestLines(care)]
  if (clusters.length) {
    lines.push(`【反复出现的问题】${clusters.length} 个：`)
    for (const c of clusters.slice(0, MAX_CLUSTERS)) {
      const place = c.building ? `${c.building}号楼` : '本网格'
      const why = c.reason === 'reopened' ? '工单多次重办' : `30天内 ${c.requestNos.length} 次`
      lines.push(`#${c.id} ${place}${CATEGORY_NAMES[c.category as keyof typeof CATEGORY_NAMES]}（${why}，工单 ${c.requestNos.join('、')}）建议：${c.suggestion}`)
    }
    if (clusters.length > MAX_CLUSTERS) lines.push(`……另有 ${clusters.length - MAX_CLUSTERS} 个，可在后台查看。`)
    lines.push('回复「立项 问题号 负责人 期限」转为治理项目，例如：立项 ' + clusters[0]!.id + ' 王芳 12月31日')
  }
  if (topics.length) {
    lines.push(`【治理项目】${topics.filter((t) => t.status === 'open').length} 个进行中：`)
    for (const t of topics) {
      const state = t.status === 'closed' ? '已结项' : t.overdue ? '⚠️已超期' : `期限 ${formatLocal(new Date(t.dueAt), tz)}`
      lines.push(`#${t.id} ${t.title}｜${t.owner ?? '—'}｜相关工单 ${t.requests} 件，已办结 ${t.resolved} 件${t.newInPeriod ? `，本周新增 ${t.newInPeriod} 件` : ''}｜${state}`)
    }
  }
  const volunteers = await volunteerFigures(em, p)
  lines.push(...volunteerDigestLines(volunteers))
  return { figures: { care, clusters, topics, volunteers }, lines: lines.length ? ['', ...lines] : [] }
}
