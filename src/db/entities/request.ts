import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'
import type { Category, Urgency } from '../../community/taxonomy.js'
import type { ResolutionOutcome } from '../../requests/resolutionOutcome.js'
import type { RequestStatus } from '../../requests/stateMachine.js'

export const REQUEST_SOURCES = ['group', 'private', 'miniprogram', 'staff', 'open311'] as const
export type RequestSource = (typeof REQUEST_SOURCES)[number]

export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied', 'no_answer'] as const
export type Rating = (typeof RATINGS)[number]

/** 诉求工单. Times come from the injected clock, never from the database. */
@Entity('requests')
@Index(['communityId', 'no'], { unique: true })
@Index(['communityId', 'status'])
@Index(['assigneeStaffId', 'status'])
@Index('ix_requests_triage', ['communityId', 'needsTriage', 'createdAt'])
/** the merge search: open requests of a category about a building, newest first (intake's findDuplicate) */
@Index('ix_requests_merge', ['communityId', 'category', 'building', 'createdAt'])
export class ServiceRequest {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  /** Human-readable number residents and staff type: 接单 12 */
  @Column({ type: 'varchar', length: 32 }) no: string
  @Column({ type: 'varchar', length: 16 }) source: RequestSource
  @Column({ type: 'int', nullable: true }) chatRoomId: number | null
  @Column({ type: 'text' }) originalText: string
  @Column({ type: 'varchar', length: 24 }) category: Category
  @Column({ type: 'varchar', length: 16 }) urgency: Urgency
  @Column({ type: 'varchar', length: 32, nullable: true }) building: string | null
  @Column({ type: 'varchar', length: 32, nullable: true }) unit: string | null
  @Column({ type: 'varchar', length: 32, nullable: true }) roomNo: string | null
  @Column({ type: 'int', nullable: true }) reporterResidentId: number | null
  /** Staff who filed it on a resident's behalf (source = staff). */
  @Column({ type: 'int', nullable: true }) reporterStaffId: number | null
  @Column({ type: 'int', nullable: true }) gridId: number | null
  @Column({ type: 'int', nullable: true }) assigneeStaffId: number | null
  @Column({ type: 'varchar', length: 16 }) status: RequestStatus
  @Column({ type: 'int', default: 0 }) reopenCount: number
  @Column({ type: 'datetime', precision: 3, nullable: true }) acceptDueAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) resolveDueAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) dispatchedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) acceptedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) resolvedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) closedAt: Date | null
  /** SLA claims: set once by a guarded UPDATE so a reminder is never sent twice. */
  @Column({ type: 'datetime', precision: 3, nullable: true }) acceptRemindedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) acceptEscalatedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) resolveRemindedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) resolveEscalatedAt: Date | null
  @Column({ type: 'varchar', length: 16 }) classifierMethod: string
  /** Version of the model that classified it (offline model file or LLM model name); null for older rows and forms without a classifier. */
  @Column({ type: 'varchar', length: 64, nullable: true }) classifierVersion: string | null
  @Column({ type: 'float' }) confidence: number
  /** Low confidence: waits in the 书记's triage queue for a confirmed category. */
  @Column({ type: 'boolean', default: false }) needsTriage: boolean
  @Column({ type: 'varchar', length: 24, nullable: true }) rating: Rating | null
  @Column({ type: 'text', nullable: true }) ratingComment: string | null
  @Column({ type: 'text', nullable: true }) resolutionNote: string | null
  /** 已解决 / 部分解决 / 未解决（已说明原因） / 不属于社区职责（已转办）: see requests/resolutionOutcome.ts */
  @Column({ type: 'varchar', length: 24, nullable: true }) resolutionOutcome: ResolutionOutcome | null
  @Column({ type: 'text', nullable: true }) returnReason: string | null
  @Column({ type: 'int', nullable: true }) mergedIntoId: number | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
  @Column({ type: 'datetime', precision: 3 }) updatedAt: Date
}

/** Reporter and co-reporters (the same problem reported again); each gets updates and the 回访 callback. */
@Entity('request_reporters')
@Index(['requestId', 'residentId'], { unique: true })
@Index('ix_request_reporters_resident', ['residentId', 'requestId'])
export class RequestReporter {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) requestId: number
  @Column({ type: 'int' }) residentId: number
  @Column({ type: 'varchar', length: 16 }) role: 'reporter' | 'co_reporter'
  @Column({ type: 'varchar', length: 16 }) source: RequestSource
  @Column({ type: 'text', nullable: true }) text: string | null
  /** 回访 state for this person: pending → asked → reminded → answered | no_answer */
  @Column({ type: 'varchar', length: 16, nullable: true }) callbackStatus: 'pending' | 'asked' | 'reminded' | 'answered' | 'no_answer' | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) callbackDueAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) callbackAskedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) callbackRemindedAt: Date | null
  @Column({ type: 'varchar', length: 24, nullable: true }) rating: Rating | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}

export const ACTOR_TYPES = ['resident', 'staff', 'system'] as const
export type ActorType = (typeof ACTOR_TYPES)[number]
export const CHANNELS = ['group', 'private', 'miniprogram', 'api', 'open311', 'system'] as const
export type Channel = (typeof CHANNELS)[number]

/** Append-only: who did what, when, through which channel. */
@Entity('request_events')
@Index(['requestId', 'id'])
@Index('ix_request_events_type', ['type', 'requestId'])
export class RequestEvent {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) requestId: number
  @Column({ type: 'varchar', length: 32 }) type: string
  @Column({ type: 'varchar', length: 16, nullable: true }) fromStatus: string | null
  @Column({ type: 'varchar', length: 16, nullable: true }) toStatus: string | null
  @Column({ type: 'varchar', length: 16 }) actorType: ActorType
  @Column({ type: 'int', nullable: true }) actorId: number | null
  @Column({ type: 'varchar', length: 16 }) channel: Channel
  @Column({ type: 'simple-json', nullable: true }) data: Record<string, unknown> | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}

@Entity('attachments')
@Index(['requestId'])
export class Attachment {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int', nullable: true }) requestId: number | null
  @Column({ type: 'varchar', length: 16 }) kind: 'image' | 'voice'
  @Column({ type: 'varchar', length: 255 }) storageKey: string
  @Column({ type: 'varchar', length: 64 }) mime: string
  @Column({ type: 'int' }) size: number
  @Column({ type: 'varchar', length: 16 }) uploaderType: ActorType
  @Column({ type: 'int', nullable: true }) uploaderId: number | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}
