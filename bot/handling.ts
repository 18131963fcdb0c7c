import type { EntityManager } from 'typeorm'
import type { AppContext } from '../src/context.js'
import type { InboxMessage } from '../src/db/entities/index.js'
import { autocommit, inTransaction } from '../src/db/transaction.js'
import type { Classifier } from '../src/intake/classifier/types.js'
import type { RunIntake } from '../src/intake/pipeline.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../src/outbox/outbox.js'
import type { FileStorage } from '../src/storage/index.js'
import { isUnsaved, markProcessed } from '../src/inbox/inbox.js'

export type Transcriber = (audio: Buffer, filename: string) => Promise<string>

export type Outcome =
  | 'duplicate' | 'ignored' | 'ignored_unbound_room' | 'chatter' | 'created' | 'attached' | 'help' | 'command' | 'command_rejected'
  | 'refused' | 'verified' | 'bound' | 'image_attached' | 'image_unmatched' | 'voice_unreadable' | 'progress' | 'callback' | 'rejected' | 'failed' | 'spooled'
  // conversation (bot/conversation.ts): a staff notice or remark, a question answered from a notice, an answer to the bot's question, thanks
  | 'notice' | 'staff_message' | 'notice_answered' | 'answered' | 'thanks'

/** What handling one inbox row comes to. */
export interface Result {
  outcome: Outcome
  requestId?: number | null
}

/** Extra writes in the same transaction as marking the row processed. */
export type Also = (em: EntityManager) => Promise<void>

/** What the group, private and media handlers need; built once by the InboxProcessor. */
export interface Handling {
  ctx: AppContext
  classifier: Classifier
  storage: FileStorage
  runIntake: RunIntake
  /** Voice → text; null when no transcription is configured. */
  transcribe: Transcriber | null
  /** The bot's own WeChat name(s), for recognising @-mentions; known after login. */
  names(): string[]
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** An `also` that writes nothing (finish then needs no transaction for it). */
export const nothingElse: Also = async () => undefined

/** Marks the row processed, with its replies and any extra writes, in one transaction. */
export async function finish(h: Handling, row: InboxMessage, f: Result & { replies?: OutboxDraft[]; also?: Also }): Promise<Result> {
  if (!f.replies?.length && (!f.also || f.also === nothingElse) && isUnsaved(row)) {
    // Chatter and the like: the message is written already processed, in one statement that commits on its own.
    await autocommit(h.ctx.db, (em) => markProcessed(em, h.ctx.clock, row, f.requestId ?? null))
    return { outcome: f.outcome, requestId: f.requestId ?? null }
  }
  await inTransaction(h.ctx.db, async (em) => {
    await f.also?.(em)
    await enqueue(em, h.ctx.clock, f.replies ?? [])
    await markProcessed(em, h.ctx.clock, row, f.requestId ?? null)
  })
  return { outcome: f.outcome, requestId: f.requestId ?? null }
}

// Replies are keyed by the inbox id, so a replay never says anything twice.

export function roomReply(row: InboxMessage, text: string, n = 0): OutboxDraft {
  return { dedupeKey: `inbox:${row.id}:reply${n || ''}`, channel: 'wechat_room', target: row.roomTopic!, mentions: [row.senderName!], text, priority: PRIORITY.normal }
}

export function dmReply(row: InboxMessage, text: string, n = 0): OutboxDraft {
  // The reply goes to the contact who wrote, not to whoever shows the same name.
  const payload = row.senderId ? { contactId: row.senderId } : undefined
  return { dedupeKey: `inbox:${row.id}:reply${n || ''}`, channel: 'wechat_dm', target: row.senderName!, text, priority: PRIORITY.normal, payload }
}

/** A reply where the message came from: the group, or a private chat. */
export function reply(row: InboxMessage, text: string): OutboxDraft {
  return row.roomTopic ? roomReply(row, text) : dmReply(row, text)
}
