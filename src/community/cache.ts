import { EventSubscriber, type DataSource, type EntityManager, type EntitySubscriberInterface, type InsertEvent, type QueryRunner, type RemoveEvent, type TransactionCommitEvent, type TransactionRollbackEvent, type TransactionStartEvent, type UpdateEvent } from 'typeorm'
import { Building, CareResident, ChatRoom, Community, GovernanceTopic, Grid, Staff } from '../db/entities/index.js'
import { NotFoundError } from '../errors.js'
import { loadCommunity, type CommunitySnapshot } from './snapshot.js'

/** A snapshot as cached, with what intake checks on every request: open 治理项目 and the roster's WeChat hashes. */
export interface CachedCommunity extends CommunitySnapshot {
  /** communities.config_version this snapshot was loaded at */
  configVersion: number
  openTopics: GovernanceTopic[]
  /** wechat_hash of the active 关爱对象 (a report from one of them restarts their visit clock). */
  rosterWechatHashes: ReadonlySet<string>
}

async function loadCached(em: EntityManager, communityId: number, configVersion: number): Promise<CachedCommunity> {
  const [snapshot, openTopics, roster] = await Promise.all([
    loadCommunity(em, communityId),
    em.find(GovernanceTopic, { where: { communityId, status: 'open' }, order: { id: 'ASC' } }),
    em.find(CareResident, { where: { communityId, active: true }, select: { id: true, wechatHash: true } }),
  ])
  return { ...snapshot, configVersion, openTopics, rosterWechatHashes: new Set(roster.flatMap((r) => (r.wechatHash ? [r.wechatHash] : []))) }
}

/**
 * A per-process cache of community snapshots (settings, grids, buildings, staff, rooms), which change rarely
 * and are read by every message. Each community row carries `config_version`, bumped in the same transaction
 * as any change to its configuration (ConfigChangeSubscriber below, so no write site can forget it). A snapshot
 * is used only while its version matches the database's: another process's change is seen at the next check.
 *
 * - `snapshot(em, id, version)`: inside a transaction that has already read the version (intake reads it with
 *   its row lock), no statement at all; without a version, one primary-key SELECT.
 * - `rooms()` / `staffOf()`: the bot's lookups before it knows a message's community. They check every
 *   community's version with one small SELECT, at most every `checkEveryMs` (a change made by this process
 *   is seen at once; one made elsewhere within that interval).
 * Returned snapshots are shared: callers must not modify them.
 */
export class ConfigCache {
  private readonly entries = new Map<number, { version: number; snapshot: CachedCommunity }>()
  /** Versions already read in a transaction (keyed by its query runner), so later reads there cost nothing. */
  private readonly readIn = new WeakMap<QueryRunner, Map<number, number>>()
  private checkedAt = -Infinity
  private known: Map<number, number> | null = null
  /** Moves on every invalidation: a read begun before one is not shared with the callers after it. */
  private generation = 0
  /** Reads in flight outside any transaction (see `shared`). */
  private readonly inFlight = new Map<string, Promise<unknown>>()
  /** Bumped versions: a snapshot loaded in that transaction must not outlive its rollback. */
  private readonly bumpedIn = new WeakSet<QueryRunner>()

  constructor(private readonly db: DataSource, public checkEveryMs = CHECK_EVERY_MS, private readonly now: () => number = () => performance.now()) {}

  /** The community's snapshot, checked against `version` (read by the caller in this transaction) or the row. */
  async snapshot(em: EntityManager, communityId: number, version?: number): Promise<CachedCommunity> {
    const qr = em.queryRunner?.isTransactionActive ? em.queryRunner : undefined
    if (version !== undefined && qr) this.remember(qr, communityId, version)
    const current = version ?? (qr && this.readIn.get(qr)?.get(communityId)) ?? await this.readVersion(em, communityId)
    if (current !== undefined && qr) this.remember(qr, communityId, current)
    const entry = this.entries.get(communityId)
    if (entry && current !== undefined && entry.version === current) return entry.snapshot
    if (current === undefined) throw new NotFoundError('社区', 'community_not_found')
    const snapshot = await loadCached(em, communityId, current)
    this.entries.set(communityId, { version: current, snapshot })
    return snapshot
  }

  /**
   * The snapshot last cached, unconfirmed (undefined when none): for a writer that confirms its version later
   * with a statement it makes anyway (see `confirm`), and runs again on StaleConfigError.
   */
  peek(communityId: number): CachedCommunity | undefined {
    return this.entries.get(communityId)?.snapshot
  }

  /**
   * The database's version, read in this transaction, against the snapshot a writer used unconfirmed: the same,
   * and later reads in the transaction need no statement; different, and StaleConfigError rolls it back.
   */
  confirm(em: EntityManager, used: Pick<CachedCommunity, 'community' | 'configVersion'>, version: number): void {
    const qr = em.queryRunner?.isTransactionActive ? em.queryRunner : undefined
    if (used.configVersion !== version) {
      this.invalidate(used.community.id)
      throw new StaleConfigError(used.community.id)
    }
    if (qr) this.remember(qr, used.community.id, version)
  }

  /** Every bound room of every community (checked as described above). */
  async rooms(): Promise<ChatRoom[]> {
    return (await this.all()).flatMap((s) => s.rooms)
  }

  /** Every staff member of one community, or of all. */
  async staffOf(communityId?: number | null): Promise<Staff[]> {
    const all = await this.all()
    return all.filter((s) => communityId == null || s.community.id === communityId).flatMap((s) => s.staff)
  }

  /** Forgets one community (or all): the next read loads it again. */
  invalidate(communityId?: number | null): void {
    if (communityId == null) this.entries.clear()
    else this.entries.delete(communityId)
    this.checkedAt = -Infinity
    this.generation++
  }

  /** Called by the subscriber: this transaction changed the configuration (its version reads are void now). */
  changedIn(qr: QueryRunner | undefined, communityId: number | null): void {
    this.invalidate(communityId)
    if (qr) { this.readIn.delete(qr); this.bumpedIn.add(qr) }
  }

  /** Called by the subscriber on rollback: what was loaded after an uncommitted bump is dropped. */
  rolledBack(qr: QueryRunner | undefined): void {
    if (qr && this.bumpedIn.has(qr)) { this.bumpedIn.delete(qr); this.invalidate() }
    if (qr) this.readIn.delete(qr)
  }

  /** A transaction began or committed on this runner: its version reads no longer hold. */
  ended(qr: QueryRunner): void {
    this.readIn.delete(qr)
    this.bumpedIn.delete(qr)
  }

  private remember(qr: QueryRunner, communityId: number, version: number) {
    let m = this.readIn.get(qr)
    if (!m) this.readIn.set(qr, (m = new Map()))
    m.set(communityId, version)
  }

  private async readVersion(em: EntityManager, communityId: number): Promise<number | undefined> {
    const rows: { v: number }[] = await em.query('SELECT config_version AS v FROM communities WHERE id = ?', [communityId])
    return rows[0] ? Number(rows[0].v) : undefined
  }

  private async all(): Promise<CachedCommunity[]> {
    const known = await this.checkedVersions()
    const out: CachedCommunity[] = []
    for (const [id, version] of known) {
      const entry = this.entries.get(id)
      if (entry && entry.version === version) { out.push(entry.snapshot); continue }
      try {
        out.push(await this.loadShared(id, version))
      } catch {
        // Removed since the check: it has no rooms or staff any more.
      }
    }
    return out
  }

  /**
   * Every community's version, read at most every `checkEveryMs`. Callers at the same moment (a burst of messages)
   * share one read — each would otherwise hold a pooled connection for the same answer — unless the cache was
   * invalidated after that read began: then they make their own, which sees the change.
   */
  private async checkedVersions(): Promise<Map<number, number>> {
    if (this.known && this.now() - this.checkedAt < this.checkEveryMs) return this.known
    const generation = this.generation
    return this.shared(`versions@${generation}`, async () => {
      const rows: { id: number; v: number }[] = await this.db.query('SELECT id, config_version AS v FROM communities ORDER BY id')
      const known = new Map(rows.map((r) => [Number(r.id), Number(r.v)]))
      if (generation === this.generation) { this.known = known; this.checkedAt = this.now() }
      return known
    })
  }

  /** A snapshot loaded outside any transaction, one load shared by the callers wanting the same version. */
  private loadShared(communityId: number, version: number): Promise<CachedCommunity> {
    return this.shared(`${communityId}@${version}@${this.generation}`, () => this.snapshot(this.db.manager, communityId, version))
  }

  /** One read in flight per key (its key names the generation it began in), shared by every caller meanwhile. */
  private shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    let running = this.inFlight.get(key) as Promise<T> | undefined
    if (!running) {
      running = read()
      this.inFlight.set(key, running)
      void running.catch(() => undefined).finally(() => this.inFlight.delete(key))
    }
    return running
  }
}

/** The configuration changed under a writer that used the cached snapshot unconfirmed: run it again. */
export class StaleConfigError extends Error {
  constructor(readonly communityId: number) { super(`community ${communityId}: configuration changed during the transaction`) }
}

/** How often the bot's lookups by room and contact check every community's version (a change made elsewhere shows within this). */
export const CHECK_EVERY_MS = 1000

const caches = new WeakMap<DataSource, ConfigCache>()

/** The cache of this DataSource (one per process and database). */
export function configCache(db: DataSource): ConfigCache {
  let c = caches.get(db)
  if (!c) caches.set(db, (c = new ConfigCache(db)))
  return c
}

/** The cached snapshot (see ConfigCache.snapshot): a drop-in for loadCommunity on hot paths. */
export const cachedCommunity = (em: EntityManager, communityId: number, version?: number) => configCache(em.connection).snapshot(em, communityId, version)

/** The entities a snapshot is made of, each with the columns whose changes leave the snapshot as it was. */
const WATCHED = new Map<Function, ReadonlySet<string>>([
  [Community, new Set(['requestSeq', 'configVersion', 'updatedAt', 'createdAt'])], // the request counter moves with every request
  [Grid, new Set()], [Building, new Set()], [ChatRoom, new Set()], [GovernanceTopic, new Set()],
  [Staff, new Set(['bindCodeHash', 'bindCodeExpiresAt'])],
  [CareResident, new Set(['lastContactAt', 'residentId', 'detailsEncrypted', 'grade', 'gridId', 'keyHash'])], // only who is on the roster is cached
])

/**
 * Bumps communities.config_version in the writer's transaction whenever a watched entity is inserted, updated or
 * removed through TypeORM (repositories, managers and query builders alike), and drops this process's copy.
 * Raw SQL writes are not seen: configuration is written through entities only.
 */
@EventSubscriber()
export class ConfigChangeSubscriber implements EntitySubscriberInterface {
  async afterInsert(e: InsertEvent<object>) { await this.changed(e.metadata.target, e.queryRunner, e.entity as Record<string, unknown>, null) }
  async afterUpdate(e: UpdateEvent<object>) {
    const entity = e.entity as Record<string, unknown> | undefined
    // save() reports the columns it changed; an update through a query builder, the values it set.
    const keys = e.updatedColumns.length ? e.updatedColumns.map((c) => c.propertyName) : Object.keys(entity ?? {})
    await this.changed(e.metadata.target, e.queryRunner, entity, e.databaseEntity as Record<string, unknown> | undefined, keys)
  }
  async afterRemove(e: RemoveEvent<object>) { await this.changed(e.metadata.target, e.queryRunner, (e.entity ?? e.databaseEntity) as Record<string, unknown> | undefined, null) }
  // SQLite shares one query runner between transactions: versions read in one are void in the next.
  afterTransactionStart(e: TransactionStartEvent) { configCache(e.queryRunner.connection).ended(e.queryRunner) }
  afterTransactionCommit(e: TransactionCommitEvent) { configCache(e.queryRunner.connection).ended(e.queryRunner) }
  afterTransactionRollback(e: TransactionRollbackEvent) { configCache(e.queryRunner.connection).rolledBack(e.queryRunner) }

  private async changed(target: unknown, qr: QueryRunner, entity: Record<string, unknown> | undefined, before: Record<string, unknown> | undefined | null, keys?: string[]) {
    const ignored = WATCHED.get(target as Function)
    if (!ignored) return
    if (keys?.length && keys.every((k) => ignored.has(k))) return
    const id = target === Community ? entity?.id ?? before?.id : entity?.communityId ?? before?.communityId
    const communityId = typeof id === 'number' ? id : null
    if (communityId === null) await qr.query('UPDATE communities SET config_version = config_version + 1')
    else await qr.query('UPDATE communities SET config_version = config_version + 1 WHERE id = ?', [communityId])
    configCache(qr.connection).changedIn(qr.isTransactionActive ? qr : undefined, communityId)
  }
}
