import type { DataSource, EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { InboxMessage } from '../db/entities/index.js'
import { insertRows, isDuplicateKeyError } from '../db/insertRows.js'

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
    const [row] = await insertRows(em, InboxMessage, [{
      channel: 'wechat', messageId, kind: m.kind,
      roomTopic: m.roomTopic?.slice(0, 128) ?? null, roomId: m.roomId?.slice(0, 128) ?? null,
      senderName: m.senderName.slice(0, 64), senderId: m.senderId?.slice(0, 128) ?? null,
      text: m.text, payload: (m.payload ?? null) as never, status: 'pending', attempts: 0, receivedAt: clock.now(),
    }])
    return row!
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err
    return em.findOneOrFail(InboxMessage, { where: { channel: 'wechat', messageId } })
  }
}

/** Marks the row processed, in the transaction of the work it led to. `extra` is merged into its payload. */
export async function markProcessed(em: EntityManager, clock: Clock, row: Pick<InboxMessage, 'id' | 'requestId'>, requestId: number | null = null, extra?: Record<string, unknown>): Promise<void> {
  const payload = extra ? { ...((await em.findOneBy(InboxMessage, { id: row.id }))?.payload ?? {}), ...extra } : undefined
  await em.update(InboxMessage, { id: row.id }, { status: 'processed', processedAt: clock.now(), requestId: requestId ?? row.requestId, error: null, ...(payload ? { payload: payload as never } : {}) })
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
