import type { EntityManager } from 'typeorm'
import { MoreThan } from 'typeorm'
import type { Clock } from '../clock.js'
import { ChatPrompt, Resident, type PromptKind } from '../db/entities/index.js'
import { insertRows } from '../db/insertRows.js'
import { rawColumns, sqlDate } from '../db/rawRows.js'
import { paddedList, placeholders } from '../db/statementShapes.js'

/** How long the bot waits for the answer to a question it asked (几号楼几单元, a promised photo, a 完成 note). */
export const PROMPT_TTL_MS = 10 * 60_000

/** Where an answer is expected: the group it was asked in, or the private chat. */
export const chatKeyOf = (roomTopic: string | null | undefined) => (roomTopic ? `room:${roomTopic}` : 'dm')

export interface OpenPromptProps {
  communityId: number
  chatKey: string
  senderName: string
  kind: PromptKind
  requestId: number
  staffId?: number | null
}

/** Asks once: a newer question of the same kind in the same chat replaces the older one. */
export async function openPrompt(em: EntityManager, clock: Clock, p: OpenPromptProps): Promise<ChatPrompt> {
  return (await openPrompts(em, clock, [p]))[0]!
}

/**
 * openPrompt for many questions at once, as if asked one after another: one UPDATE closes the open questions they
 * replace, one INSERT writes them (a later one of the same kind to the same person in the same chat replaces an
 * earlier one of the list, which is written closed). Returns them in order, with their ids.
 */
export async function openPrompts(em: EntityManager, clock: Clock, ps: OpenPromptProps[]): Promise<ChatPrompt[]> {
  if (!ps.length) return []
  const now = clock.now()
  const keyOf = (p: OpenPromptProps) => JSON.stringify([p.chatKey, p.senderName, p.kind])
  const last = new Map(ps.map((p, i) => [keyOf(p), i]))
  const replaced = paddedList([...last.values()].map((i) => ps[i]!))
  await em.query(
    `UPDATE chat_prompts SET status = 'closed' WHERE status = 'open' AND (${replaced.map(() => '(chat_key = ? AND sender_name = ? AND kind = ?)').join(' OR ')})`,
    replaced.flatMap((p) => [p.chatKey, p.senderName, p.kind]),
  )
  return insertRows(em, ChatPrompt, ps.map((p, i) => ({
    communityId: p.communityId, chatKey: p.chatKey, senderName: p.senderName, kind: p.kind, requestId: p.requestId,
    staffId: p.staffId ?? null, status: last.get(keyOf(p)) === i ? 'open' as const : 'closed' as const,
    createdAt: now, expiresAt: new Date(now.getTime() + PROMPT_TTL_MS), answeredAt: null,
  })))
}

/** The open, unexpired question awaiting this person's answer in this chat (newest first), or null. */
export async function pendingPrompt(em: EntityManager, clock: Clock, p: { chatKey: string; senderName: string; kinds: PromptKind[] }): Promise<ChatPrompt | null> {
  const rows = await em.find(ChatPrompt, {
    where: p.kinds.map((kind) => ({ chatKey: p.chatKey, senderName: p.senderName, kind, status: 'open' as const, expiresAt: MoreThan(clock.now()) })),
    order: { id: 'DESC' }, take: 1,
  })
  return rows[0] ?? null
}

/** The 完成 note a staff member still owes (asked in a private chat, wherever they typed 完成). */
export async function pendingNotePrompt(em: EntityManager, clock: Clock, staffId: number): Promise<ChatPrompt | null> {
  return em.findOne(ChatPrompt, { where: { staffId, kind: 'resolve_note', status: 'open', expiresAt: MoreThan(clock.now()) }, order: { id: 'DESC' } })
}

/** Marks the question answered (or closed unanswered). Guarded: true only for the one caller that closed it. */
export async function closePrompt(em: EntityManager, clock: Clock, id: number, status: 'answered' | 'closed'): Promise<boolean> {
  const r = await em.createQueryBuilder().update(ChatPrompt)
    .set({ status, answeredAt: status === 'answered' ? clock.now() : null })
    .where('id = :id AND status = :open', { id, open: 'open' }).execute()
  return !!r.affected
}

/**
 * Who wrote — their resident row in the community, if any — and the open question of ours they may be answering
 * in this chat, in one SELECT. Those questions are asked of residents who reported, so a sender without a row has none.
 */
export async function senderWithPrompt(em: EntityManager, clock: Clock, p: { communityId: number; wechatName: string; chatKey: string; kinds: PromptKind[] }): Promise<{ resident: Resident | null; prompt: ChatPrompt | null }> {
  // Hand-written, built once per shape: on every group message, TypeORM's query builder and entity mapping cost
  // more Node CPU than the database takes to answer (issue 12). The first resident by id, and their newest question.
  const resident = rawColumns(em, Resident), prompt = rawColumns(em, ChatPrompt)
  const kinds = p.kinds.map(() => '?').join(', ')
  const [row] = await em.query(
    `SELECT ${resident.select('r', 'r_')}, ${prompt.select('p', 'p_')} FROM ${resident.table} r `
    + `LEFT JOIN ${prompt.table} p ON p.chat_key = ? AND p.sender_name = r.wechat_name AND p.kind IN (${kinds}) AND p.status = 'open' AND p.expires_at > ? `
    + 'WHERE r.community_id = ? AND r.wechat_name = ? ORDER BY r.id ASC, p.id DESC LIMIT 1',
    [p.chatKey, ...p.kinds, sqlDate(em, clock.now()), p.communityId, p.wechatName],
  ) as Record<string, unknown>[]
  if (!row) return { resident: null, prompt: null }
  return { resident: resident.hydrate(row, 'r_'), prompt: row.p_id == null ? null : prompt.hydrate(row, 'p_') }
}

/**
 * senderWithPrompt for many senders at once (the bot's batch, bot/groupBatch.ts): each sender's first resident row
 * in the community, and the chats in which an open question of these kinds awaits their answer. Two SELECTs.
 */
export async function sendersWithPrompts(em: EntityManager, clock: Clock, p: { communityId: number; senders: { wechatName: string; chatKey: string }[]; kinds: PromptKind[] }): Promise<Map<string, { resident: Resident | null; promptedIn: Set<string> }>> {
  const names = [...new Set(p.senders.map((s) => s.wechatName))]
  const found = new Map<string, { resident: Resident | null; promptedIn: Set<string> }>(names.map((n) => [n, { resident: null, promptedIn: new Set<string>() }]))
  if (!names.length) return found
  const list = placeholders
  const resident = rawColumns(em, Resident)
  const inNames = paddedList(names)
  const rows: Record<string, unknown>[] = await em.query(
    `SELECT ${resident.select('r', 'r_')} FROM ${resident.table} r WHERE r.community_id = ? AND r.wechat_name IN (${list(inNames.length)}) ORDER BY r.id ASC`,
    [p.communityId, ...inNames],
  )
  for (const row of rows) {
    const r = resident.hydrate(row, 'r_')
    const entry = found.get(r.wechatName!)
    if (entry && !entry.resident) entry.resident = r
  }
  // Those questions are asked of residents who reported: a sender without a row has none (as senderWithPrompt).
  const known = paddedList(names.filter((n) => found.get(n)!.resident))
  const chats = paddedList([...new Set(p.senders.map((s) => s.chatKey))])
  if (!known.length) return found
  const open: { n: string; k: string }[] = await em.query(
    `SELECT sender_name AS n, chat_key AS k FROM chat_prompts WHERE chat_key IN (${list(chats.length)}) AND sender_name IN (${list(known.length)}) `
    + `AND kind IN (${list(p.kinds.length)}) AND status = 'open' AND expires_at > ?`,
    [...chats, ...known, ...p.kinds, sqlDate(em, clock.now())],
  )
  for (const o of open) found.get(o.n)?.promptedIn.add(o.k)
  return found
}
