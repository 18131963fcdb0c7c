import { z } from 'zod'
import { REQUEST_SOURCES, type Digest, type ServiceRequest, type Staff } from '../../src/db/entities/index.js'
import type { CommunitySettings } from '../../src/community/settings.js'
import { presentRequest, requestView } from './request.js'

export const triageItemView = requestView.extend({
  source: z.enum(REQUEST_SOURCES),
  grid: z.string().nullable(),
  needsTriage: z.boolean(),
  classifierMethod: z.string(),
  confidence: z.number(),
})
export type TriageItemView = z.infer<typeof triageItemView>

/** A request in the 书记's triage queue: the mini-program view plus what the classifier made of it. */
export function presentTriageItem(r: ServiceRequest, o: { assignee: Pick<Staff, 'name'> | null; gridName: string | null; now: Date; settings?: Pick<CommunitySettings, 'sla'> }): TriageItemView {
  return {
    ...presentRequest(r, { assignee: o.assignee, now: o.now, settings: o.settings, maskText: true }),
    source: r.source,
    grid: o.gridName,
    needsTriage: r.needsTriage,
    classifierMethod: r.classifierMethod,
    confidence: r.confidence,
  }
}

export const digestSummaryView = z.object({
  id: z.number().int(), periodStart: z.string(), periodEnd: z.string(), summary: z.string().nullable(), createdAt: z.string(),
  /** the HTML page (Bearer header or ?token=) */
  htmlUrl: z.string(),
})
export const digestView = digestSummaryView.extend({
  text: z.string(),
  /** the figures it was computed from (the dashboard's shape, plus the community) */
  figures: z.record(z.string(), z.unknown()),
})

/** A digest in the list: without its figures. */
export function presentDigestSummary(d: Digest): z.infer<typeof digestSummaryView> {
  return {
    id: d.id,
    periodStart: d.periodStart.toISOString(),
    periodEnd: d.periodEnd.toISOString(),
    summary: d.summary,
    createdAt: d.createdAt.toISOString(),
    htmlUrl: `/digests/${d.id}`,
  }
}

/** One digest as stored: its text, the optional LLM summary and the figures it was computed from. */
export function presentDigest(d: Digest): z.infer<typeof digestView> {
  return { ...presentDigestSummary(d), text: d.text, figures: d.figures }
}
