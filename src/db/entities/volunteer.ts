import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'
import type { TaskStatus } from '../../volunteers/taskStateMachine.js'

/**
 * 志愿者, listed in the community file. Like staff, a volunteer is known to the bot only by the WeChat contact
 * bound with a one-time code (认证 123456), never by display name.
 */
@Entity('volunteers')
@Index(['communityId', 'wechat'], { unique: true })
export class Volunteer {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'varchar', length: 64 }) name: string
  /** the WeChat display name from the file: the binding code is issued for it, nothing more */
  @Column({ type: 'varchar', length: 64 }) wechat: string
  @Column({ type: 'varchar', length: 32, nullable: true }) phoneMasked: string | null
  @Column({ type: 'varchar', length: 64, nullable: true }) phoneHash: string | null
  /** the grids whose tasks are offered to them */
  @Column({ type: 'simple-json' }) gridIds: number[]
  @Column({ type: 'boolean', default: true }) active: boolean
  @Index('ix_volunteers_contact') @Column({ type: 'varchar', length: 128, nullable: true }) wechatContactId: string | null
  @Index('ix_volunteers_remark') @Column({ type: 'varchar', length: 64, nullable: true }) wechatRemark: string | null
  @Index('ix_volunteers_bind_code') @Column({ type: 'varchar', length: 64, nullable: true }) bindCodeHash: string | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) bindCodeExpiresAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) boundAt: Date | null
}

/** A 微心愿 or a low-risk 为老服务 request offered to a grid's volunteers. Its lifecycle is taskStateMachine.ts. */
@Entity('volunteer_tasks')
@Index(['communityId', 'status'])
export class VolunteerTask {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'int', nullable: true }) gridId: number | null
  @Column({ type: 'varchar', length: 16 }) source: 'request' | 'wish'
  /** request:<id> or wish:<cause>: the same request or wish is offered once */
  @Index({ unique: true }) @Column({ type: 'varchar', length: 191 }) offerKey: string
  @Column({ type: 'int', nullable: true }) requestId: number | null
  /** who is helped, and who confirms it was done */
  @Column({ type: 'int', nullable: true }) residentId: number | null
  /** 代买药 / 陪同就医 / 送餐 …: what volunteers are told */
  @Column({ type: 'varchar', length: 32 }) kind: string
  @Column({ type: 'text' }) description: string
  @Column({ type: 'varchar', length: 16 }) urgency: string
  @Column({ type: 'varchar', length: 16 }) status: TaskStatus
  @Column({ type: 'int', nullable: true }) volunteerId: number | null
  @Column({ type: 'int', nullable: true }) offeredByStaffId: number | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) claimedAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) reportedAt: Date | null
  @Column({ type: 'text', nullable: true }) reportNote: string | null
  /** hours the volunteer spent (reported, or the community's default) */
  @Column({ type: 'float', nullable: true }) hours: number | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) confirmedAt: Date | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}

/** Append-only log of task transitions. */
@Entity('volunteer_task_events')
@Index(['taskId', 'id'])
export class VolunteerTaskEvent {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) taskId: number
  @Column({ type: 'varchar', length: 32 }) type: string
  @Column({ type: 'varchar', length: 16, nullable: true }) fromStatus: string | null
  @Column({ type: 'varchar', length: 16, nullable: true }) toStatus: string | null
  @Column({ type: 'varchar', length: 16 }) actorType: 'resident' | 'staff' | 'volunteer' | 'system'
  @Column({ type: 'int', nullable: true }) actorId: number | null
  @Column({ type: 'simple-json', nullable: true }) data: Record<string, unknown> | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}

export type PointsHolder = 'volunteer' | 'resident'

/** 爱心积分 balance of one volunteer or resident: the sum of their ledger rows, kept for a guarded redemption. */
@Entity('points_accounts')
@Index(['communityId', 'holderType', 'holderId'], { unique: true })
export class PointsAccount {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'varchar', length: 16 }) holderType: PointsHolder
  @Column({ type: 'int' }) holderId: number
  @Column({ type: 'int', default: 0 }) balance: number
}

/** The points ledger: append-only; earnings are positive, redemptions negative. */
@Entity('points_entries')
@Index(['communityId', 'createdAt'])
@Index(['accountId', 'id'])
export class PointsEntry {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'int' }) accountId: number
  @Column({ type: 'int' }) amount: number
  /** volunteering | verified_report | redemption */
  @Column({ type: 'varchar', length: 24 }) action: string
  @Column({ type: 'int', nullable: true }) taskId: number | null
  @Column({ type: 'int', nullable: true }) requestId: number | null
  @Column({ type: 'float', nullable: true }) hours: number | null
  @Column({ type: 'varchar', length: 200, nullable: true }) note: string | null
  @Column({ type: 'int', nullable: true }) actorStaffId: number | null
  /** what earned or spent it: the same cause never writes twice */
  @Index({ unique: true }) @Column({ type: 'varchar', length: 191 }) dedupeKey: string
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}
