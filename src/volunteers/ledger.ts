import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { PointsAccount, PointsEntry, type PointsHolder } from '../db/entities/index.js'

/** The holder's account, created at 0 on first use (the unique index makes a racing create harmless). */
export async function accountOf(em: EntityManager, p: { communityId: number; holderType: PointsHolder; holderId: number }): Promise<PointsAccount> {
  const where = { communityId: p.communityId, holderType: p.holderType, holderId: p.holderId }
  const found = await em.findOne(PointsAccount, { where })
  if (found) return found
  await em.createQueryBuilder().insert().into(PointsAccount).values({ ...where, balance: 0 }).orIgnore().updateEntity(false).execute()
  return em.findOneOrFail(PointsAccount, { where })
}

export interface LedgerWrite {
  communityId: number; holderType: PointsHolder; holderId: number
  /** positive: earned; negative: redeemed */
  amount: number
  action: string
  dedupeKey: string
  taskId?: number | null; requestId?: number | null; hours?: number | null; note?: string | null; actorStaffId?: number | null
}

/**
 * Appends one ledger row and moves the balance with it, in the caller's transaction. The dedupe key makes a
 * replay write nothing (returns null). A negative amount is taken only if the balance covers it: the guarded
 * UPDATE (balance >= n) lets exactly one of two racing redemptions through, so a balance never goes below 0.
 */
export async function appendEntry(em: EntityManager, clock: Clock, w: LedgerWrite): Promise<{ entry: PointsEntry; balance: number } | null | 'insufficient'> {
  if (await em.exists(PointsEntry, { where: { dedupeKey: w.dedupeKey } })) return null
  const account = await accountOf(em, w)
  const q = em.createQueryBuilder().update(PointsAccount).set({ balance: () => `balance + ${Math.trunc(w.amount)}` }).where('id = :id', { id: account.id })
  if (w.amount < 0) q.andWhere('balance >= :need', { need: -Math.trunc(w.amount) })
  const moved = await q.execute()
  if (!moved.affected) return 'insufficient'
  const entry = await em.save(PointsEntry, em.create(PointsEntry, {
    communityId: w.communityId, accountId: account.id, amount: Math.trunc(w.amount), action: w.action, dedupeKey: w.dedupeKey.slice(0, 191),
    taskId: w.taskId ?? null, requestId: w.requestId ?? null, hours: w.hours ?? null, note: w.note?.slice(0, 200) ?? null, actorStaffId: w.actorStaffId ?? null,
    createdAt: clock.now(),
  }))
  const after = await em.findOneOrFail(PointsAccount, { where: { id: account.id } })
  return { entry, balance: after.balance }
}

export async function balanceOf(em: EntityManager, p: { communityId: number; holderType: PointsHolder; holderId: number }): Promise<number> {
  return (await em.findOne(PointsAccount, { where: { communityId: p.communityId, holderType: p.holderType, holderId: p.holderId } }))?.balance ?? 0
}
