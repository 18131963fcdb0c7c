import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm'
import type { Category } from '../../community/taxonomy.js'

/** 反复出现的问题: requests about the same thing in the same building (or grid), found by the weekly job. */
@Entity('problem_clusters')
@Index(['communityId', 'key'], { unique: true })
@Index(['communityId', 'status'])
export class ProblemCluster {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  /** category|scope|first request id: the same cluster found again is the same row */
  @Column({ type: 'varchar', length: 191 }) key: string
  @Column({ type: 'varchar', length: 24 }) category: Category
  @Column({ type: 'varchar', length: 32, nullable: true }) building: string | null
  @Column({ type: 'int', nullable: true }) gridId: number | null
  /** repeated: ≥3 similar requests in 30 days; reopened: one request reopened twice or more */
  @Column({ type: 'varchar', length: 16 }) reason: 'repeated' | 'reopened'
  @Column({ type: 'simple-json' }) requestIds: number[]
  @Column({ type: 'text' }) suggestion: string
  /** open → topic (a 治理项目 took it on) | dismissed */
  @Column({ type: 'varchar', length: 16 }) status: 'open' | 'topic' | 'dismissed'
  @Column({ type: 'int', nullable: true }) topicId: number | null
  @Column({ type: 'datetime', precision: 3 }) detectedAt: Date
  @Column({ type: 'datetime', precision: 3 }) updatedAt: Date
}

/** 治理项目: a cluster the 书记 turned into a piece of work with an owner and a due date (解决一件事→治理一类事). */
@Entity('governance_topics')
@Index(['communityId', 'status'])
export class GovernanceTopic {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) communityId: number
  @Column({ type: 'int', nullable: true }) clusterId: number | null
  @Column({ type: 'varchar', length: 200 }) title: string
  @Column({ type: 'varchar', length: 24 }) category: Category
  @Column({ type: 'varchar', length: 32, nullable: true }) building: string | null
  @Column({ type: 'int', nullable: true }) gridId: number | null
  @Column({ type: 'int' }) ownerStaffId: number
  @Column({ type: 'datetime', precision: 3 }) dueAt: Date
  @Column({ type: 'varchar', length: 16 }) status: 'open' | 'closed'
  @Column({ type: 'int' }) createdByStaffId: number
  @Column({ type: 'datetime', precision: 3 }) createdAt: Date
  @Column({ type: 'datetime', precision: 3, nullable: true }) closedAt: Date | null
  @Column({ type: 'text', nullable: true }) closeNote: string | null
}

/** A request collected by a topic: from its cluster, or linked automatically when a matching one arrives. */
@Entity('topic_requests')
@Index(['topicId', 'requestId'], { unique: true })
@Index(['requestId'])
export class TopicRequest {
  @PrimaryGeneratedColumn() id: number
  @Column({ type: 'int' }) topicId: number
  @Column({ type: 'int' }) requestId: number
  @Column({ type: 'varchar', length: 16 }) via: 'cluster' | 'auto'
  @Column({ type: 'datetime', precision: 3 }) linkedAt: Date
}
