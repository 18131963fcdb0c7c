import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'
import type { VisitStatus } from '../../care/visitStateMachine.js'

/**
 * 关爱对象: a resident under care (专人专档). Everything personal (name, address, types, contact person) is one
 * AES-256-GCM blob; only the grid, the grade and keyed hashes (for idempotent import and for recognising the
 * resident's own WeChat messages) are stored in clear.
 */
@Entity('care_residents')
@Index(['communityId', 'keyHash'], { unique: true })
@Index(['communityId', 'wechatHash'])
export class CareResident {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'int', nullable: true }) gridId: number | null
  /** HMAC of name + address: the same person in the file twice is one row. */
  @Column({ type: 'varchar', length: 64 }) keyHash: string
  /** HMAC of the resident's own WeChat name, when the file gives it. */
  @Column({ type: 'varchar', length: 64, nullable: true }) wechatHash: string | null
  /** 1 = 一级 (most need) … 3 = 三级 */
  @Column({ type: 'int' }) grade: number
  /** encrypted CareDetails JSON; never presented except to the 书记 and the grid's staff */
  @Column({ type: 'text' }) detailsEncrypted: string
  /** The Resident row requests filed on their behalf (代报) point at; created on the first 代报. */
  @Column({ type: 'int', nullable: true }) residentId: number | null
  @Column({ type: 'boolean', default: true }) active: boolean
  /** Last time they were seen (a visit) or heard from (their own report). */
  @Column({ type: 'datetime', precision: 3, nullable: true }) lastContactAt: Date | null
}

/** 走访: one scheduled visit of a roster resident, from due to done. Its lifecycle is visitStateMachine.ts. */
@Entity('care_visits')
@Index(['communityId', 'status'])
@Index(['careResidentId', 'id'])
export class CareVisit {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'int' }) careResidentId: number
  @Column({ type: 'int', nullable: true }) gridId: number | null
  @Column({ type: 'varchar', length: 16 }) status: VisitStatus
  @Column({ type: 'datetime', precision: 3 }) dueAt: Date
  /** = careResidentId while the visit is open, NULL once done or cancelled: at most one open visit per resident. */
  @Index({ unique: true }) @Column({ type: 'int', nullable: true }) openFor: number | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) overdueAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) escalatedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) doneAt: Date | null
  @Column({ type: 'int', nullable: true }) visitorStaffId: number | null
  /** 民情日志, encrypted */
  @Column({ type: 'text', nullable: true }) noteEncrypted: string | null
  /** The 代报 request the visit note became. */
  @Column({ type: 'int', nullable: true }) requestId: number | null
  /** What recorded it (an inbox message), so a replay records nothing twice. */
  @Index({ unique: true }) @Column({ type: 'varchar', length: 191, nullable: true }) causeKey: string | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}

/** Append-only log of visit transitions. */
@Entity('care_visit_events')
@Index(['visitId', 'id'])
export class CareVisitEvent {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) visitId: number
  @Column({ type: 'varchar', length: 32 }) type: string
  @Column({ type: 'varchar', length: 16, nullable: true }) fromStatus: string | null
  @Column({ type: 'varchar', length: 16, nullable: true }) toStatus: string | null
  @Column({ type: 'varchar', length: 16 }) actorType: 'resident' | 'staff' | 'system'
  @Column({ type: 'int', nullable: true }) actorId: number | null
  @Column({ type: 'simple-json', nullable: true }) data: Record<string, unknown> | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}
