import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'

/** A one-time console login link sent by the bot (`后台`): only its SHA-256 is stored. */
@Entity('console_login_links')
export class ConsoleLoginLink {
  @PrimaryGeneratedColumn() id: number
  @Index({ unique: true }) @Column({ type: 'varchar', length: 64 }) tokenHash: string
  @Column({ type: 'int' }) staffId: number
  @Column({ type: 'datetime', precision: 3 }) expiresAt: Date
  /** set once by a guarded UPDATE: a link opens one session */
  @Column({ type: 'datetime', precision: 3, nullable: true }) usedAt: Date | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}

/** A console session (httpOnly cookie); only the cookie value's SHA-256 is stored. */
@Entity('console_sessions')
export class ConsoleSession {
  @PrimaryGeneratedColumn() id: number
  @Index({ unique: true }) @Column({ type: 'varchar', length: 64 }) tokenHash: string
  @Column({ type: 'int' }) staffId: number
  @Column({ type: 'datetime', precision: 3 }) expiresAt: Date
  @Column({ type: 'datetime', precision: 3, nullable: true }) revokedAt: Date | null
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
}
