import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'

export const PROMPT_KINDS = ['location', 'photo', 'resolve_note'] as const
export type PromptKind = (typeof PROMPT_KINDS)[number]
export type PromptStatus = 'open' | 'answered' | 'closed'

/**
 * A question the bot asked in a chat and is waiting for the answer to: 几号楼几单元, a promised photo, the
 * note of a 完成. Kept in the database so a restart does not forget it; it expires at `expiresAt`.
 */
@Entity('chat_prompts')
@Index(['chatKey', 'senderName', 'status'])
export class ChatPrompt {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  /** `room:<topic>` or `dm` — where the answer is expected */
  @Column({ type: 'varchar', length: 160 }) chatKey: string
  /** the WeChat name the answer must come from */
  @Column({ type: 'varchar', length: 64 }) senderName: string
  @Column({ type: 'varchar', length: 16 }) kind: PromptKind
  @Column({ type: 'int' }) requestId: number
  /** the staff member asked (a 完成 without a note), else null */
  @Column({ type: 'int', nullable: true }) staffId: number | null
  @Column({ type: 'varchar', length: 16 }) status: PromptStatus
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
  @Column({ type: 'datetime', precision: 3 }) expiresAt: Date
  @Column({ type: 'datetime', precision: 3, nullable: true }) answeredAt: Date | null
}

/** A notice a staff member posted in a group (停水, 停电, 电梯保养): residents' questions about it are answered from it. */
@Entity('room_notices')
@Index(['chatRoomId', 'createdAt'])
export class RoomNotice {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'int' }) chatRoomId: number
  @Column({ type: 'int' }) staffId: number
  @Column({ type: 'text' }) text: string
  /** what it is about: water, power, lift, gas … (see src/conversation/notices.ts) */
  @Column({ type: 'simple-json' }) topics: string[]
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
  @Column({ type: 'datetime', precision: 3 }) expiresAt: Date
}
