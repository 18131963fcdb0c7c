import { BeforeInsert, BeforeUpdate, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'
import type { CommunitySettings } from '../../community/settings.js'

@Entity('communities')
export class Community {
  @PrimaryGeneratedColumn() id: number
  @Index({ unique: true }) @Column({ type: 'varchar', length: 100 }) name: string
  @Column({ type: 'varchar', length: 64, default: 'Asia/Shanghai' }) timezone: string
  /** Routing overrides, SLA overrides and the merge rule, validated by the YAML schema. */
  @Column({ type: 'simple-json' }) settings: CommunitySettings
  @Column({ type: 'int', default: 0 }) requestSeq: number
  /** Bumped by every change to the community's configuration (src/community/cache.ts): cached snapshots check it. */
  @Column({ type: 'int', default: 0 }) configVersion: number
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
  @Column({ type: 'datetime', precision: 3 }) updatedAt: Date
  // Audit times only; domain times come from the injected clock.
  @BeforeInsert() protected stampCreated() { this.createdAt ??= new Date(); this.updatedAt ??= this.createdAt }
  @BeforeUpdate() protected stampUpdated() { this.updatedAt = new Date() }
}

/** 网格: a block of buildings owned by one grid leader. */
@Entity('grids')
@Index(['communityId', 'name'], { unique: true })
export class Grid {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'varchar', length: 100 }) name: string
  @Column({ type: 'int', nullable: true }) leaderStaffId: number | null
  @Column({ type: 'int', nullable: true }) deputyStaffId: number | null
}

/** 楼栋, keyed by the code residents write: "3", "12", "B". */
@Entity('buildings')
@Index(['communityId', 'code'], { unique: true })
export class Building {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'varchar', length: 32 }) code: string
  @Column({ type: 'int', nullable: true }) gridId: number | null
}

export const STAFF_ROLES = ['grid_leader', 'mediator', 'social_worker', 'secretary'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

@Entity('staff')
@Index(['communityId', 'wechat'], { unique: true })
export class Staff {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'varchar', length: 64 }) name: string
  /** The name the person shows in WeChat: what the bot sees. */
  @Column({ type: 'varchar', length: 64 }) wechat: string
  @Column({ type: 'varchar', length: 32 }) role: StaffRole
  /** Staff phones are work contacts from the community file; kept masked for display and hashed for login lookup. */
  @Column({ type: 'varchar', length: 32, nullable: true }) phoneMasked: string | null
  @Index() @Column({ type: 'varchar', length: 64, nullable: true }) phoneHash: string | null
  @Column({ type: 'boolean', default: true }) active: boolean
  /**
   * The WeChat contact bound with a one-time code (认证 123456): staff powers follow this contact only.
   * Puppets may change contact ids between sessions, so the bot also gives the contact a remark of its own.
   */
  @Index('ix_staff_contact') @Column({ type: 'varchar', length: 128, nullable: true }) wechatContactId: string | null
  @Index('ix_staff_remark') @Column({ type: 'varchar', length: 64, nullable: true }) wechatRemark: string | null
  /** sha256 of the pending one-time binding code, and when it stops working. */
  @Index('ix_staff_bind_code') @Column({ type: 'varchar', length: 64, nullable: true }) bindCodeHash: string | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) bindCodeExpiresAt: Date | null
  @Column({ type: 'datetime', precision: 3, nullable: true }) boundAt: Date | null
}

/** A WeChat group (业主群/楼栋群) bound to a community and optionally to one grid. */
@Entity('chat_rooms')
@Index(['communityId', 'topic'], { unique: true })
export class ChatRoom {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'varchar', length: 128 }) topic: string
  @Column({ type: 'int', nullable: true }) gridId: number | null
  /** Wechaty's room id once the bot has seen the room. */
  @Column({ type: 'varchar', length: 128, nullable: true }) wechatRoomId: string | null
}
