import type { DataSource, EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { InboxMessage } from '../db/entities/index.js'
import { insertRows, isDuplicateKeyError } from '../db/insertRows.js'
import { updateRow } from '../db/updateRow.js'
import { sqlDate } from '../db/rawRows.js'
import { paddedList, placeholders } from '../db/statementShapes.js'

/**
 * The inbox, for every channel: a received message is kept first (keyed by the channel's message id, so a
 * second delivery is a no-op), then processed; the row is marked processed in the same transaction as the
 * work it triggered. The WeChat bot keeps messages here (and in ./spool.ts while the database is away);
 * the mini-program API keeps submissions here under their Idempotency-Key (./submissions.ts).
 */

/** What the bot keeps of a received WeChat message: enough to process it after a restart. */
export interface ReceivedMessage {
  messageId: string
  kind: InboxMessage['kind']
  roomTopic: string | null
  roomId: string | null
  senderName: string
  senderId: string | null
  text: string | null
  /** file: { storageKey, mime, size, name } for images and voice; mentionSelf: the puppet's @-me flag */
  payload: Record<string, unknown> | null
}

/** Processing gives up after this many failed attempts (status 'failed'); until then the row stays pending. */
export const MAX_INBOX_ATTEMPTS = 3

/**
 * Lands a message in the inbox, keyed by (channel, message id), in one INSERT. A message delivered twice
 * keeps the first row (and its processing state): the unique key refuses the second, and the first row is
 * returned, so the caller sees it was already handled.
 */
export async function recordInbox(em: EntityManager, clock: Clock, m: ReceivedMessage): Promise<InboxMessage> {
  const messageId = m.messageId.slice(0, 128)
  try {
    const [row] = await insertRows(em, InboxMessage, [fieldsOf(clock, m)])
    return row!
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err
    return em.findOneOrFail(InboxMessage, { where: { channel: 'wechat', messageId } })
  }
}

/**
 * Lands several messages in the inbox in one multi-row INSERT (the bot's batch), returned in order with their ids.
 * A message delivered before makes the whole statement fail with the unique key's error, writing nothing: the
 * caller then keeps them one by one with recordInbox, which says which was delivered before.
 */
export async function recordInboxMany(em: EntityManager, clock: Clock, ms: ReceivedMessage[]): Promise<InboxMessage[]> {
  return insertRows(em, InboxMessage, ms.map((m) => fieldsOf(clock, m)))
}

/**
 * A received message not written yet (the bot's one-statement path, bot/processor.ts): markProcessed writes it,
 * already processed, in the transaction of the work it led to. Its id does not exist until then: reading it
 * throws InboxIdNeeded, and the processor runs the message again with the row kept first in that transaction.
 */
const unsaved = new WeakSet<object>()

/** Thrown on reading the id of an unsaved row (see unsavedInbox). */
export class InboxIdNeeded extends Error {
  constructor() { super('the inbox row has no id yet') }
}

/** The unique key refused an unsaved row when it was written: the message was delivered before. */
export class DuplicateDelivery extends Error {
  constructor(readonly messageId: string) { super(`message ${messageId} is already in the inbox`) }
}

/** A received message's fields as its inbox row holds them (cut to the columns' lengths). */
export const receivedFields = (m: ReceivedMessage) => ({
  kind: m.kind, roomTopic: m.roomTopic?.slice(0, 128) ?? null, roomId: m.roomId?.slice(0, 128) ?? null,
  senderName: m.senderName.slice(0, 64), senderId: m.senderId?.slice(0, 128) ?? null, text: m.text, payload: (m.payload ?? null) as never,
})

const fieldsOf = (clock: Clock, m: ReceivedMessage) => ({
  channel: 'wechat' as const, messageId: m.messageId.slice(0, 128), ...receivedFields(m),
  status: 'pending' as const, attempts: 0, receivedAt: clock.now(), error: null, requestId: null, processedAt: null, claimedAt: null,
})

/** The row a message will have, not written; its id throws InboxIdNeeded until markProcessed or keepUnsaved writes it. */
export function unsavedInbox(clock: Clock, m: ReceivedMessage): InboxMessage {
  const row = Object.assign(new InboxMessage(), fieldsOf(clock, m))
  let id: number | undefined
  Object.defineProperty(row, 'id', {
    enumerable: true, configurable: true,
    get() { if (id === undefined) throw new InboxIdNeeded(); return id },
    set(v: number) { id = v },
  })
  unsaved.add(row)
  return row
}

/** Not written yet (see unsavedInbox). */
export const isUnsaved = (row: object) => unsaved.has(row)

/** Writes an unsaved row as it is (pending), in the caller's transaction; DuplicateDelivery when it was delivered before. */
export async function keepUnsaved(em: EntityManager, row: InboxMessage): Promise<void> {
  await writeUnsaved(em, row, {})
}

async function writeUnsaved(em: EntityManager, row: InboxMessage, set: Partial<InboxMessage>): Promise<void> {
  const { id: _id, ...fields } = Object.fromEntries(Object.keys(row).filter((k) => k !== 'id').map((k) => [k, (row as unknown as Record<string, unknown>)[k]]))
  try {
    const [written] = await insertRows(em, InboxMessage, [{ ...fields, ...set } as Partial<InboxMessage>])
    unsaved.delete(row)
    Object.assign(row, set)
    row.id = written!.id
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new DuplicateDelivery(row.messageId)
    throw err
  }
}

/** The transaction that wrote an unsaved row was rolled back: it is unsaved again. */
export function unsaveAgain(row: InboxMessage): void {
  if (unsaved.has(row)) return
  unsaved.add(row)
  Object.defineProperty(row, 'id', { enumerable: true, configurable: true, writable: true, value: undefined })
  let id: number | undefined
  Object.defineProperty(row, 'id', {
    enumerable: true, configurable: true,
    get() { if (id === undefined) throw new InboxIdNeeded(); return id },
    set(v: number) { id = v },
  })
  Object.assign(row, { status: 'pending', processedAt: null, error: null })
}

/** Marks the row processed, in the transaction of the work it led to. `extra` is merged into its payload. */
export async function markProcessed(em: EntityManager, clock: Clock, row: Pick<InboxMessage, 'id' | 'requestId'>, requestId: number | null = null, extra?: Record<string, unknown>): Promise<void> {
  if (isUnsaved(row)) {
    // One INSERT, the row already processed: its unique key still refuses a second delivery (DuplicateDelivery).
    const r = row as InboxMessage
    await writeUnsaved(em, r, { status: 'processed', processedAt: clock.now(), requestId: requestId ?? r.requestId, error: null, ...(extra ? { payload: { ...(r.payload ?? {}), ...extra } as never } : {}) })
    return
  }
  const payload = extra ? { ...((await em.findOneBy(InboxMessage, { id: row.id }))?.payload ?? {}), ...extra } : undefined
  await updateRow(em, InboxMessage, row.id, { status: 'processed', processedAt: clock.now(), requestId: requestId ?? row.requestId, error: null, ...(payload ? { payload: payload as never } : {}) })
}

/** Marks kept rows processed in one UPDATE, each with the request it led to (null: none), in the caller's transaction. */
export async function markProcessedMany(em: EntityManager, clock: Clock, rows: { id: number; requestId: number | null }[]): Promise<void> {
  if (!rows.length) return
  // Padded (a repeated WHEN or id changes nothing): a few statement shapes for batches of every size.
  const linked = paddedList(rows.filter((r) => r.requestId !== null))
  const ids = paddedList(rows.map((r) => r.id))
  const cases = linked.length ? `CASE id ${linked.map(() => 'WHEN ? THEN ?').join(' ')} ELSE request_id END` : 'request_id'
  await em.query(
    `UPDATE inbox SET status = 'processed', processed_at = ?, error = NULL, request_id = ${cases} WHERE id IN (${placeholders(ids.length)})`,
    [sqlDate(em, clock.now()), ...linked.flatMap((r) => [r.id, r.requestId]), ...ids],
  )
}

/** A failure: counts the attempt and keeps the row pending for a retry until MAX_INBOX_ATTEMPTS. */
export async function markFailed(em: EntityManager, clock: Clock, row: InboxMessage, error: string): Promise<InboxMessage['status']> {
  const current = await em.findOneBy(InboxMessage, { id: row.id })
  const attempts = (current?.attempts ?? row.attempts) + 1
  const status = attempts >= MAX_INBOX_ATTEMPTS ? 'failed' : 'pending'
  await em.update(InboxMessage, { id: row.id }, { status, attempts, error: error.slice(0, 2000), processedAt: status === 'failed' ? clock.now() : null })
  return status
}

/** Rows still to process (after a crash, or retries), oldest first. */
export async function pendingInbox(db: DataSource, limit = 500): Promise<InboxMessage[]> {
  return db.getRepository(InboxMessage).find({ where: { channel: 'wechat', status: 'pending' }, order: { id: 'ASC' }, take: limit })
}
