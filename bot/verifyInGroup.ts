import type { InboxMessage } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { enqueue } from '../src/outbox/outbox.js'
import { voidExposedCode } from '../src/people/staffIdentity.js'
import { roomReply, type Handling, type Result } from './handling.js'
import { senderStaff } from './lookups.js'
import * as T from './texts.js'

/** `认证 123456` typed in a group: never accepted; a live code is voided in the same transaction as the reply. */
export async function verifyInGroup(h: Handling, row: InboxMessage, code: string, communityId: number | null): Promise<Result> {
  const bySecretary = (await senderStaff(h.ctx.db, row, communityId))?.role === 'secretary'
  return inTransaction(h.ctx.db, async (em) => {
    const voided = await voidExposedCode(em, h.ctx.clock, code)
    await enqueue(em, h.ctx.clock, [roomReply(row, T.verifyInGroup(voided, bySecretary))])
    await markProcessed(em, h.ctx.clock, row, null)
    return { outcome: 'rejected' as const, requestId: null }
  })
}
