import type { EntityManager } from 'typeorm'
import { ClassificationCorrection } from '../db/entities/index.js'
import type { LabelledExample } from '../intake/classifier/training.js'

/** A staff correction counts as this many corpus lines: it is exactly what the model got wrong. */
export const CORRECTION_WEIGHT = 8

/**
 * Stored corrections as training examples, for `npm run train -- --with-feedback`. When the same request was
 * corrected more than once, the latest decision is the label.
 */
export async function correctionExamples(em: EntityManager): Promise<LabelledExample[]> {
  const rows = await em.find(ClassificationCorrection, { order: { id: 'ASC' } })
  const latest = new Map<string, ClassificationCorrection>()
  for (const r of rows) latest.set(r.requestId != null ? `r${r.requestId}` : `c${r.id}`, r)
  return [...latest.values()].map(r => ({
    text: r.text, room: r.room, isRequest: r.newIsRequest, category: r.newIsRequest ? r.newCategory : null,
    urgency: r.newIsRequest ? r.newUrgency : null, source: 'corrections', weight: CORRECTION_WEIGHT,
  }))
}
