import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'

/** wechat_remark: the bot sets its remark (alias) for a contact: target is the contact id, text the remark. */
export const OUTBOX_CHANNELS = ['wechat_room', 'wechat_dm', 'wechat_remark', 'mp_subscribe'] as const
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number]
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead'

/** Transactional outbox: written with the state change that causes it; a worker sends it. */
@Entity('outbox')
@Index(['status', 'nextAttemptAt'])
@Index('ix_outbox_claimed', ['claimedAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn() id: number
  /** Unique: writing the same notification twice is a no-op. */
  @Index({ unique: true }) @Column({ type: 'varchar', length: 191 }) dedupeKey: string
  @Column({ type: 'varchar', length: 16 }) channel: OutboxChannel
  /** Room topic, staff/resident WeChat name, or mini-program openid. */
  @Column({ type: 'varchar', length: 128 }) target: string
  /** WeChat names to @-mention in a room message. */
  @Column({ type: 'simple-json', nullable: true }) mentions: string[] | null
  @Column({ type: 'text' }) text: string
  /** Channel-specific extras, e.g. a subscribe-message template and data. */
  @Column({ type: 'simple-json', nullable: true }) payload: Record<string, unknown> | null
  /** Lower sends first: urgent messages jump the queue. */
  @Column({ type: 'int', default: 5 }) priority: number
  @Column({ type: 'varchar', length: 16 }) status: OutboxStatus
  @Column({ type: 'int', default: 0 }) attempts: number
  @Column({ type: 'datetime', precision: 3 }) nextAttemptAt: Date
  @Column({ type: 'datetime', precision: 3, nullable: true }) claimedAt: Date | null
  @Column({ type: 'text', nullable: true }) lastError: string | null
  @Column({ type: 'int', nullable: true }) requestId: number | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
  @Column({ type: 'datetime', precision: 3, nullable: true }) sentAt: Date | null
}

export type InboxStatus = 'pending' | 'processed' | 'failed'

/** Every received message lands here first, keyed by the channel's message id: a replay is a no-op. */
@Entity('inbox')
@Index(['channel', 'messageId'], { unique: true })
@Index(['status'])
export class InboxMessage {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'varchar', length: 16 }) channel: 'wechat' | 'miniprogram'
  @Column({ type: 'varchar', length: 128 }) messageId: string
  @Column({ type: 'varchar', length: 16 }) kind: 'text' | 'image' | 'voice' | 'other'
  @Column({ type: 'varchar', length: 128, nullable: true }) roomTopic: string | null
  @Column({ type: 'varchar', length: 128, nullable: true }) roomId: string | null
  @Column({ type: 'varchar', length: 64, nullable: true }) senderName: string | null
  @Column({ type: 'varchar', length: 128, nullable: true }) senderId: string | null
  @Column({ type: 'text', nullable: true }) text: string | null
  @Column({ type: 'simple-json', nullable: true }) payload: Record<string, unknown> | null
  @Column({ type: 'varchar', length: 16 }) status: InboxStatus
  @Column({ type: 'int', default: 0 }) attempts: number
  @Column({ type: 'text', nullable: true }) error: string | null
  @Column({ type: 'int', nullable: true }) requestId: number | null
  @Column({ type: 'datetime', precision: 3 }) receivedAt: Date
  @Column({ type: 'datetime', precision: 3, nullable: true }) processedAt: Date | null
  /** When a worker last took the row up: a pending row claimed long ago was abandoned by a crash. */
  @Column({ type: 'datetime', precision: 3, nullable: true }) claimedAt: Date | null
}

/** Lease-based job lock for SQLite (MySQL uses GET_LOCK) and per-job watermarks. */
@Entity('job_state')
export class JobState {
  @Column({ type: 'varchar', length: 64, primary: true }) name: string
  @Column({ type: 'varchar', length: 128, nullable: true }) lockHolder: string | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) lockExpiresAt: Date | null
  /** The last scheduled time the job completed for. */
  @Column({ type: 'datetime', precision: 3, nullable: true }) watermark: Date | null
}

/** The 书记's weekly digest, stored as computed. */
@Entity('digests')
@Index(['communityId', 'periodStart'], { unique: true })
export class Digest {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'datetime', precision: 3 }) periodStart: Date
  @Column({ type: 'datetime', precision: 3 }) periodEnd: Date
  @Column({ type: 'simple-json' }) figures: Record<string, unknown>
  @Column({ type: 'text' }) text: string
  @Column({ type: 'text', nullable: true }) summary: string | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}
