import type { EntityManager } from 'typeorm'
import type { InboxMessage, Staff } from '../src/db/entities/index.js'
import { ServiceRequest } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError, ForbiddenError } from '../src/errors.js'
import { extractLocation } from '../src/intake/location.js'
import { enqueue } from '../src/outbox/outbox.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { cancelAsSecretary, mergeAsStaff, setRequestLocation, splitRequest, withdrawRequest, type SplitPart } from '../src/requests/index.js'
import { staffById, loadCommunity } from '../src/community/snapshot.js'
import type { CaseCommand } from './caseMatchers.js'
import { dmReply, finish, reply, type Also, type Handling, type Result } from './handling.js'
import { markProcessed } from '../src/inbox/inbox.js'
import * as T from './texts.js'

type Runnable = Exclude<CaseCommand, { kind: 'malformed' }>

/**
 * 撤销 / 合并 / 拆分 / 位置, typed by staff (answer in private) or by a resident (answer where they typed it).
 * Each runs one data-layer command (src/requests/request*.ts, locationSetter.ts) in one transaction with the reply.
 */
export async function caseCommand(h: Handling, row: InboxMessage, communityId: number, staff: Staff | null, c: CaseCommand, also?: Also): Promise<Result> {
  const answer = (text: string) => (staff ? dmReply(row, text) : reply(row, text))
  if (c.kind === 'malformed') return finish(h, row, { outcome: 'command_rejected', replies: [answer(T.malformedCommand(c.verb, c.usage))], also })
  // Parts are classified before the transaction (the classifier may call an LLM).
  const parts = c.kind === 'split' && staff ? await classifyParts(h, communityId, c.no, c.parts) : []
  try {
    return await inTransaction(h.ctx.db, async (em) => {
      await also?.(em)
      const { text, requestId } = staff ? await asStaff(h, em, staff, c, parts) : await asResident(h, em, row, communityId, c)
      await enqueue(em, h.ctx.clock, [answer(text)])
      await markProcessed(em, h.ctx.clock, row, requestId)
      return { outcome: 'command' as const, requestId }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    const text = err.code === 'request_not_found' ? T.requestNotFound(c.no) : err.message
    return finish(h, row, { outcome: 'command_rejected', replies: [answer(text)], also })
  }
}

async function asStaff(h: Handling, em: EntityManager, staff: Staff, c: Runnable, parts: SplitPart[]): Promise<{ text: string; requestId: number }> {
  const clock = h.ctx.clock
  const base = { no: c.no, communityId: staff.communityId, staff, channel: 'private' as const }
  switch (c.kind) {
    case 'cancel': {
      if (staff.role !== 'secretary') throw new ForbiddenError(T.CANCEL_SECRETARY_ONLY, 'secretary_only')
      const kind = c.notARequest ? 'not_a_request' : 'invalid'
      const r = await cancelAsSecretary(em, clock, { ...base, kind, reason: c.reason ?? '' })
      return { text: T.cancelled(r.no, kind), requestId: r.id }
    }
    case 'merge': {
      const { merged, into } = await mergeAsStaff(em, clock, { ...base, intoNo: c.into })
      return { text: T.merged(merged.no, into.no), requestId: merged.id }
    }
    case 'split': {
      const { original, created } = await splitRequest(em, clock, { ...base, parts })
      return { text: T.split(original.no, created.map((r) => r.no)), requestId: original.id }
    }
    case 'locate': {
      const loc = placeOf(c.place)
      const { request, rerouted } = await setRequestLocation(em, clock, { ...base, by: { staff }, ...loc })
      return { text: T.located(request, rerouted?.name ?? null), requestId: request.id }
    }
  }
}

async function asResident(h: Handling, em: EntityManager, row: InboxMessage, communityId: number, c: Runnable): Promise<{ text: string; requestId: number }> {
  const resident = await findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId })
  const channel = row.roomTopic ? 'group' as const : 'private' as const
  switch (c.kind) {
    case 'cancel': {
      const r = await withdrawRequest(em, h.ctx.clock, { no: c.no, communityId, residentId: resident.id, reason: c.reason, channel })
      return { text: T.withdrawn(r.no), requestId: r.id }
    }
    case 'locate': {
      const { request, rerouted } = await setRequestLocation(em, h.ctx.clock, { no: c.no, communityId, by: { residentId: resident.id }, ...placeOf(c.place), channel })
      const community = await loadCommunity(em, communityId)
      return { text: T.locationFilled(request, rerouted?.name ?? staffById(community, request.assigneeStaffId)?.name ?? null), requestId: request.id }
    }
    default:
      throw new ForbiddenError(T.CASE_NOT_STAFF, 'staff_only')
  }
}

/** "7号楼3单元301" → building / unit / room; a bare "7" is building 7. */
export function placeOf(text: string): { building: string; unit: string | null; room: string | null } {
  const loc = extractLocation(/^[0-9A-Za-z]{1,4}$/.test(text.trim()) ? `${text.trim()}号楼` : text)
  return { building: loc.building ?? text.trim(), unit: loc.unit, room: loc.room }
}

async function classifyParts(h: Handling, communityId: number, no: string, texts: string[]): Promise<SplitPart[]> {
  const original = await h.ctx.db.getRepository(ServiceRequest).findOne({ where: { communityId, no } })
  const parts: SplitPart[] = []
  for (const text of texts) {
    const c = await h.classifier.classify({ text, room: null }).catch(() => null)
    parts.push({ text, category: c?.category ?? original?.category ?? 'other', urgency: c?.urgency ?? 'normal' })
  }
  return parts
}
