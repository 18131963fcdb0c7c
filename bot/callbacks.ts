import type { InboxMessage } from '../src/db/entities/index.js'
import { Resident } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError } from '../src/errors.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { answerCallback, awaitedCallbackOf, callbackHintText, callbackNotAskedYetText, isBareCallbackReply, isBareDigit, parseCallbackAnswer, recordFollowUp } from '../src/requests/callbackAnswer.js'
import { ServiceRequest } from '../src/db/entities/index.js'
import { dmReply, finish, type Also, type Handling, type Result } from './handling.js'
import { senderOf } from './lookups.js'
import { markProcessed } from '../src/inbox/inbox.js'

// 回访 answers in the bot: a private reply (1/2/3 or words), "满意" typed in a group, a follow-up after a
// 重办 ("没人来"), and the one-line hint for an answer that cannot be read ("4"). The domain commands live in
// src/requests/callbackAnswer.ts; replies to the resident are written there, in the same transaction.

/**
 * A 回访 answer when one is awaited from this resident; null lets the text go on (to intake).
 * In a group only a rating counts ("not fixed" there goes on to intake as a report), only for a callback already
 * asked (not one still pending), and it is acknowledged by private message: the group is not told how a neighbour rated.
 */
export async function callbackAnswer(h: Handling, row: InboxMessage, communityId: number, text: string, opts: { inRoom?: boolean; also?: Also } = {}): Promise<Result | null> {
  const parsed = parseCallbackAnswer(text)
  if (!parsed) return null
  // In a group "电梯又坏了" may be a new problem, not this 回访: only a rating (满意, 2, 态度不好 …) is taken there.
  if (opts.inRoom && !parsed.solved) return null
  // In a group only someone known can be rating: a stranger's "不错" is read on as itself.
  const known = opts.inRoom ? (await senderOf(h, row, communityId)).resident : undefined
  if (opts.inRoom && !known) return null
  try {
    return await inTransaction(h.ctx.db, async (em) => {
      const resident = known ?? await findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId })
      if (!resident) return null
      const answer = await answerCallback(em, h.ctx.clock, { residentId: resident.id, text, channel: opts.inRoom ? 'group' : 'private', askedOnly: opts.inRoom })
      if (!answer) return null
      await opts.also?.(em)
      await markProcessed(em, h.ctx.clock, row, answer.requestId)
      return { outcome: 'callback' as const, requestId: answer.requestId }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return finish(h, row, { outcome: 'rejected', replies: [dmReply(row, err.message)], also: opts.also })
  }
}

/**
 * Before intake: a bare reply that can only be about the sender's own request ("4" while a 回访 is asked,
 * "没人来" after a 重办) is handled as callback chatter, whatever the classifier would make of it. Null when
 * the text is not such a reply or nothing of theirs is awaited or open (it then goes on to intake).
 */
export async function callbackReply(h: Handling, row: InboxMessage, communityId: number, text: string): Promise<Result | null> {
  return isBareCallbackReply(text) ? callbackChatter(h, row, communityId, text) : null
}

/**
 * Private chatter from a reporter with nothing to rate: a 回访-like answer ("没人来" after a 重办) is recorded
 * on their open request and acknowledged; anything else while a 回访 is asked ("4") gets the hint.
 * Null when neither applies.
 */
export async function callbackChatter(h: Handling, row: InboxMessage, communityId: number, text: string, also?: Also): Promise<Result | null> {
  const resident = await h.ctx.db.getRepository(Resident).findOne({ where: { communityId, wechatName: row.senderName! }, order: { id: 'ASC' } })
  if (!resident) return null
  if (parseCallbackAnswer(text) && !isBareDigit(text)) {
    const followed = await inTransaction(h.ctx.db, async (em) => {
      const f = await recordFollowUp(em, h.ctx.clock, { residentId: resident.id, text, channel: 'private' })
      if (!f) return null
      await also?.(em)
      await markProcessed(em, h.ctx.clock, row, f.requestId)
      return { outcome: 'callback' as const, requestId: f.requestId }
    })
    if (followed) return followed
  }
  // A bare digit while the 回访 is still pending (办结 told, question not sent yet): not a rating yet, not a report.
  const awaited = await awaitedCallbackOf(h.ctx.db.manager, resident.id, { askedOnly: !isBareDigit(text) })
  if (!awaited) return null
  const request = await h.ctx.db.getRepository(ServiceRequest).findOneByOrFail({ id: awaited.requestId })
  const hint = awaited.callbackStatus === 'pending' ? callbackNotAskedYetText(request.no) : callbackHintText(request.no)
  return finish(h, row, { outcome: 'help', requestId: request.id, replies: [dmReply(row, hint)], also })
}
