import type { EntityManager } from 'typeorm'
import type { Category, Urgency } from '../community/taxonomy.js'
import { ChatRoom, ClassificationCorrection, ServiceRequest, type CorrectionKind } from '../db/entities/index.js'

/** What `recordCorrection` needs: the request as it was before the correction, and what staff decided. */
export interface RecordCorrectionProps {
  /** The request as the classifier (or the last correction) left it: its text, room and labels become the example's "old" side. */
  request: ServiceRequest
  /**
   * - `changed`: staff set a new category and/or urgency (give `category` / `urgency`);
   * - `confirmed`: staff approved the triaged classification as it is;
   * - `not_a_request`: staff said the message is chatter, not a request (new labels are null).
   */
  kind: CorrectionKind
  /** New category for `changed`; defaults to the request's current one. Ignored for the other kinds. */
  category?: Category | null
  /** New urgency for `changed`; defaults to the request's current one. Ignored for the other kinds. */
  urgency?: Urgency | null
  /** Who corrected it; null for a system action. */
  staff: { id: number; role: string } | null
  /** When, from the injected clock. */
  at: Date
}

/** The room label a classifier sees for this request: the group topic, 'private' or 'miniprogram', else null. */
export async function roomLabelOf(em: EntityManager, r: Pick<ServiceRequest, 'chatRoomId' | 'source'>): Promise<string | null> {
  if (r.chatRoomId != null) {
    const room = await em.findOne(ChatRoom, { where: { id: r.chatRoomId } })
    if (room) return room.topic
  }
  if (r.source === 'private' || r.source === 'miniprogram') return r.source
  return null
}

/**
 * Stores a staff correction as a labelled example for retraining (`npm run train -- --with-feedback`).
 * Call it inside the caller's transaction, with the request row read before it was changed.
 * A `changed` correction that changes nothing is stored as `confirmed`.
 */
export async function recordCorrection(em: EntityManager, p: RecordCorrectionProps): Promise<ClassificationCorrection> {
  const r = p.request
  let kind = p.kind
  let next: { isRequest: boolean; category: Category | null; urgency: Urgency | null }
  if (kind === 'not_a_request') next = { isRequest: false, category: null, urgency: null }
  else if (kind === 'confirmed') next = { isRequest: true, category: r.category, urgency: r.urgency }
  else {
    next = { isRequest: true, category: p.category ?? r.category, urgency: p.urgency ?? r.urgency }
    if (next.category === r.category && next.urgency === r.urgency) kind = 'confirmed'
  }
  return em.save(ClassificationCorrection, em.create(ClassificationCorrection, {
    communityId: r.communityId, requestId: r.id, text: r.originalText, room: await roomLabelOf(em, r), kind,
    oldIsRequest: true, oldCategory: r.category, oldUrgency: r.urgency,
    newIsRequest: next.isRequest, newCategory: next.category, newUrgency: next.urgency,
    staffId: p.staff?.id ?? null, staffRole: p.staff?.role ?? null, classifierVersion: r.classifierVersion ?? null, createdAt: p.at,
  }))
}
