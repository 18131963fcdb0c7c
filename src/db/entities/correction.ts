import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'
import type { Category, Urgency } from '../../community/taxonomy.js'

export const CORRECTION_KINDS = ['changed', 'confirmed', 'not_a_request'] as const
/** changed: category/urgency edited; confirmed: a triaged classification approved as is; not_a_request: staff said it is chatter. */
export type CorrectionKind = (typeof CORRECTION_KINDS)[number]

/**
 * A staff correction of the classifier, kept as a labelled example for retraining
 * (`npm run train -- --with-feedback`). Append-only; the text is the resident's message as received.
 */
@Entity('classification_corrections')
@Index(['communityId', 'createdAt'])
export class ClassificationCorrection {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'int', nullable: true }) requestId: number | null
  @Column({ type: 'text' }) text: string
  /** Group topic, 'private' or 'miniprogram'; null when unknown. */
  @Column({ type: 'varchar', length: 128, nullable: true }) room: string | null
  @Column({ type: 'varchar', length: 16 }) kind: CorrectionKind
  @Column({ type: 'boolean', nullable: true }) oldIsRequest: boolean | null
  @Column({ type: 'varchar', length: 24, nullable: true }) oldCategory: Category | null
  @Column({ type: 'varchar', length: 16, nullable: true }) oldUrgency: Urgency | null
  @Column({ type: 'boolean' }) newIsRequest: boolean
  @Column({ type: 'varchar', length: 24, nullable: true }) newCategory: Category | null
  @Column({ type: 'varchar', length: 16, nullable: true }) newUrgency: Urgency | null
  /** Who corrected it (staff id) and their role at the time (secretary, grid_leader …). */
  @Column({ type: 'int', nullable: true }) staffId: number | null
  @Column({ type: 'varchar', length: 32, nullable: true }) staffRole: string | null
  /** Model version that made the corrected classification, when known. */
  @Column({ type: 'varchar', length: 64, nullable: true }) classifierVersion: string | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}
