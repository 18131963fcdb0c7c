import type { Digest, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import type { CommunitySettings } from '../../src/community/settings.js'
import { presentRequest } from './request.js'

/** A request in the 书记's triage queue: the mini-program view plus what the classifier made of it. */
export function presentTriageItem(r: ServiceRequest, o: { assignee: Pick<Staff, 'name'> | null; gridName: string | null; now: Date; settings?: Pick<CommunitySettings, 'sla'> }) {
  return {
    ...presentRequest(r, { assignee: o.assignee, now: o.now, settings: o.settings, maskText: true }),
    source: r.source,
    grid: o.gridName,
    needsTriage: r.needsTriage,
    classifierMethod: r.classifierMethod,
    confidence: r.confidence,
  }
}

/** A digest in the list: without its figures. */
export function presentDigestSummary(d: Digest) {
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
export function presentDigest(d: Digest) {
  return { ...presentDigestSummary(d), text: d.text, figures: d.figures }
}
