import { BeforeInsert, BeforeUpdate, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'

export const VULNERABILITY_FLAGS = ['living_alone_elderly', 'elderly', 'disabled', 'chronic_illness', 'pregnant', 'low_income'] as const
export type VulnerabilityFlag = (typeof VULNERABILITY_FLAGS)[number]

/** A resident seen through WeChat (contact name) and/or the mini-program (openid). */
@Entity('residents')
@Index(['communityId', 'wechatName'])
export class Resident {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int', nullable: true }) communityId: number | null
  @Column({ type: 'varchar', length: 64, nullable: true }) wechatName: string | null
  @Column({ type: 'varchar', length: 128, nullable: true }) wechatContactId: string | null
  @Index({ unique: true }) @Column({ type: 'varchar', length: 128, nullable: true }) openid: string | null
  @Column({ type: 'varchar', length: 64, nullable: true }) name: string | null
  @Column({ type: 'varchar', length: 32, nullable: true }) building: string | null
  @Column({ type: 'varchar', length: 32, nullable: true }) unit: string | null
  @Column({ type: 'varchar', length: 32, nullable: true }) room: string | null
  /** AES-256-GCM ciphertext; never presented. */
  @Column({ type: 'varchar', length: 255, nullable: true }) phoneEncrypted: string | null
  @Column({ type: 'varchar', length: 32, nullable: true }) phoneMasked: string | null
  @Index() @Column({ type: 'varchar', length: 64, nullable: true }) phoneHash: string | null
  /** e.g. 独居老人 = living_alone_elderly */
  @Column({ type: 'simple-json' }) vulnerability: VulnerabilityFlag[]
  /** The resident allowed mini-program subscribe messages. */
  @Column({ type: 'boolean', default: false }) subscribeAllowed: boolean
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
  @Column({ type: 'datetime', precision: 3 }) updatedAt: Date
  // Audit times only; domain times come from the injected clock.
  @BeforeInsert() protected stampCreated() { this.createdAt ??= new Date(); this.updatedAt ??= this.createdAt }
  @BeforeUpdate() protected stampUpdated() { this.updatedAt = new Date() }
}
