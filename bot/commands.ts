import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import type { Clock } from '../src/clock.js'
import { consoleLinks, issueLoginLink } from '../src/console/login.js'
import { loadCommunity, secretaryOf, staffById } from '../src/community/snapshot.js'
import { ChatPrompt, ServiceRequest, type Staff } from '../src/db/entities/index.js'
import { openPrompt } from '../src/conversation/prompts.js'
import { ACTIONABLE_STATUSES, acceptRequest, canTransition, IllegalTransitionError, loadForStaff, resolveRequest, returnRequest, transferRequest } from '../src/requests/index.js'
import type { StaffCommand } from './matchers.js'
import * as T from './texts.js'

type Runnable = Exclude<StaffCommand, { kind: 'help' } | { kind: 'malformed' }>

/**
 * Runs a staff member's command in the caller's transaction and returns the confirmation for them.
 * Domain errors (not theirs, wrong status, unknown number) propagate: their Chinese message is the reply.
 */
export async function runStaffCommand(em: EntityManager, clock: Clock, staff: Staff, c: Runnable, o: { publicUrl: string }): Promise<{ reply: string; requestId: number | null }> {
  const base = { no: 'no' in c ? c.no : undefined, communityId: staff.communityId, staff, channel: 'private' as const }
  const community = await loadCommunity(em, staff.communityId)
  const tz = community.community.timezone
  switch (c.kind) {
    case 'accept': {
      const r = await acceptRequest(em, clock, base)
      return { reply: T.accepted(r, tz), requestId: r.id }
    }
    case 'resolve': {
      if (!c.note) {
        // 办结 needs a note: check it could be done now, then ask for the note and keep the request open.
        const { request } = await loadForStaff(em, base, 'resolve')
        if (!canTransition(request.status, 'resolve')) throw new IllegalTransitionError(request.no, request.status, 'resolve')
        await openPrompt(em, clock, { communityId: staff.communityId, chatKey: 'dm', senderName: staff.wechat, kind: 'resolve_note', requestId: request.id, staffId: staff.id })
        return { reply: T.resolveNeedsNote(request.no), requestId: request.id }
      }
      const r = await resolveRequest(em, clock, { ...base, note: c.note })
      await em.update(ChatPrompt, { staffId: staff.id, requestId: r.id, kind: 'resolve_note', status: 'open' }, { status: 'answered', answeredAt: clock.now() })
      return { reply: T.resolved(r), requestId: r.id }
    }
    case 'return': {
      const r = await returnRequest(em, clock, { ...base, reason: c.reason })
      return { reply: T.returned(r, secretaryOf(community)?.name ?? null), requestId: r.id }
    }
    case 'transfer': {
      const r = await transferRequest(em, clock, { ...base, to: c.to })
      return { reply: T.transferred(r, staffById(community, r.assigneeStaffId)?.name ?? c.to), requestId: r.id }
    }
    case 'console': {
      const { token } = await issueLoginLink(em, clock, { staffId: staff.id })
      return { reply: T.consoleLink(consoleLinks.login(o.publicUrl, token)), requestId: null }
    }
    case 'todo':
      return { reply: T.todoList(await openTasksOf(em, staff), tz), requestId: null }
  }
}

/** Open requests a staff member still has to act on (the 书记 also sees returned and triage requests). */
export async function openTasksOf(em: EntityManager, staff: Staff): Promise<ServiceRequest[]> {
  const mine = await em.find(ServiceRequest, {
    where: { communityId: staff.communityId, assigneeStaffId: staff.id, status: In([...ACTIONABLE_STATUSES]) }, order: { id: 'ASC' }, take: 30,
  })
  if (staff.role !== 'secretary') return mine
  const community = await loadCommunity(em, staff.communityId)
  if (secretaryOf(community)?.id !== staff.id) return mine
  const returned = await em.find(ServiceRequest, { where: { communityId: staff.communityId, status: In(['returned', 'new']) }, order: { id: 'ASC' }, take: 30 })
  const seen = new Set(mine.map((r) => r.id))
  return [...mine, ...returned.filter((r) => !seen.has(r.id))]
}
