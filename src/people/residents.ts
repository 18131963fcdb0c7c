import { In, type EntityManager } from 'typeorm'
import { dialectOf } from '../db/dataSource.js'
import { Resident } from '../db/entities/index.js'
import { insertRowIfAbsent, insertRowsIfAbsent } from '../db/insertRows.js'
import { paddedList } from '../db/statementShapes.js'

/**
 * The resident behind a WeChat name in a community; created the first time they speak. One SELECT when known;
 * a caller that has just read the sender (`known`: their row, or null for none) saves even that.
 */
export async function findOrCreateWechatResident(em: EntityManager, p: { communityId: number; wechatName: string; contactId?: string | null }, known?: Resident | null): Promise<Resident> {
  const existing = known !== undefined ? known : await findWechatResident(em, p)
  if (existing) {
    if (p.contactId && existing.wechatContactId !== p.contactId) {
      existing.wechatContactId = p.contactId
      await em.update(Resident, { id: existing.id }, { wechatContactId: p.contactId, updatedAt: new Date() })
    }
    return existing
  }
  const now = new Date()
  // Unless someone else made them meanwhile: then they are read as committed (not as this transaction's snapshot,
  // which can predate them — read that way they would never be found, and never made).
  const created = await insertRowIfAbsent(em, Resident, {
    communityId: p.communityId, wechatName: p.wechatName, wechatContactId: p.contactId ?? null, name: p.wechatName, vulnerability: [], createdAt: now, updatedAt: now,
  }, ['communityId', 'wechatName'])
  if (created) return created
  const made = await findWechatResident(em, p, true)
  if (!made) throw new Error(`resident "${p.wechatName}" of community ${p.communityId}: the insert found one, the read none`)
  return findOrCreateWechatResident(em, p, made)
}

/**
 * findOrCreateWechatResident for the senders of a batch (bot/groupBatch.ts), by WeChat name: those not known yet are
 * made in one INSERT (unless someone else made them meanwhile) and read in one SELECT, however many they are.
 */
export async function findOrCreateWechatResidents(em: EntityManager, communityId: number, senders: { wechatName: string; contactId: string | null; known: Resident | null }[]): Promise<Map<string, Resident>> {
  // Each name as its first sender gives it (as a batch's first report of that name would find or make them).
  const byName = new Map<string, (typeof senders)[number]>()
  for (const s of senders) if (!byName.has(s.wechatName)) byName.set(s.wechatName, s)
  const unknown = [...byName.values()].filter((s) => !s.known)
  const made = new Map<string, Resident>()
  if (unknown.length) {
    const now = new Date()
    await insertRowsIfAbsent(em, Resident, unknown.map((s) => ({
      communityId, wechatName: s.wechatName, wechatContactId: s.contactId, name: s.wechatName, vulnerability: [], createdAt: now, updatedAt: now,
    })), ['communityId', 'wechatName'])
    const rows = await em.find(Resident, { where: { communityId, wechatName: In(paddedList(unknown.map((s) => s.wechatName))) }, order: { id: 'ASC' }, ...asCommitted(em) })
    for (const r of rows) if (!made.has(r.wechatName!)) made.set(r.wechatName!, r)
  }
  const out = new Map<string, Resident>()
  for (const [name, s] of byName) {
    // The oldest row of the name, as findWechatResident reads it, its contact id brought up to date.
    out.set(name, await findOrCreateWechatResident(em, { communityId, wechatName: name, contactId: s.contactId }, s.known ?? made.get(name)))
  }
  return out
}

const findWechatResident = (em: EntityManager, p: { communityId: number; wechatName: string }, committed = false) =>
  em.findOne(Resident, { where: { communityId: p.communityId, wechatName: p.wechatName }, order: { id: 'ASC' }, ...(committed ? asCommitted(em) : {}) })

/**
 * A read that sees what is committed now. In a MySQL transaction a plain read sees the transaction's snapshot, while
 * INSERT … WHERE NOT EXISTS sees the latest rows: after the insert ran into a row made since, only a locking read finds
 * it. (Outside a transaction, and on SQLite with its one writer, every read sees the latest.)
 */
const asCommitted = (em: EntityManager) => (dialectOf(em) === 'mysql' && em.queryRunner?.isTransactionActive ? { lock: { mode: 'pessimistic_write' as const } } : {})
