import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import type { Category, Urgency } from '../community/taxonomy.js'
import { RequestReporter, ServiceRequest } from '../db/entities/index.js'
import { ConflictError, ValidationError } from '../errors.js'
import { createRequest } from './create.js'
import { recordEvent } from './events.js'
import { splitReporterText } from './messages.js'
import { notifyReporters } from './notify.js'
import { loadForStaff, type StaffActionProps } from './staffActions.js'
import { OPEN_STATUSES } from './stateMachine.js'

export interface SplitPart {
  text: string
  category: Category
  urgency: Urgency
}

export const MAX_SPLIT_PARTS = 5

/**
 * 拆分: a report with several problems ("楼道灯坏了，电梯也异响") gets one new request per listed part — same
 * reporters, place and room, routed and dispatched like any new request; the original continues with what is
 * left. Events on both sides link them; the reporters are told the new numbers.
 */
export async function splitRequest(em: EntityManager, clock: Clock, p: StaffActionProps & { parts: SplitPart[]; reason?: string | null }) {
  const parts = p.parts.map((x) => ({ ...x, text: x.text.trim() })).filter((x) => x.text)
  if (!parts.length) throw new ValidationError('请列出要拆出的问题，例如：拆分 12 电梯异响；单元门坏了')
  if (parts.length > MAX_SPLIT_PARTS) throw new ValidationError(`一次最多拆出 ${MAX_SPLIT_PARTS} 个问题`)
  const { request: original } = await loadForStaff(em, p, 'split')
  if (!OPEN_STATUSES.includes(original.status)) throw new ConflictError('request_not_open', `工单 ${original.no} 已不在办理中，不能拆分`)
  const reporters = await em.find(RequestReporter, { where: { requestId: original.id }, order: { id: 'ASC' } })
  const created: ServiceRequest[] = []
  for (const [i, part] of parts.entries()) {
    const r = await createRequest(em, clock, {
      communityId: original.communityId, source: original.source, text: part.text, category: part.category, urgency: part.urgency,
      building: original.building, unit: original.unit, roomNo: original.roomNo,
      reporterResidentId: original.reporterResidentId, reporterStaffId: original.reporterStaffId, chatRoomId: original.chatRoomId,
      classifierMethod: 'split', confidence: 1, needsTriage: false, causeKey: `split:${original.id}:${clock.now().getTime()}:${i}`,
      acknowledgement: null, reasons: ['split_by_staff'],
    })
    for (const rep of reporters.filter((x) => x.residentId !== original.reporterResidentId)) {
      await em.save(RequestReporter, em.create(RequestReporter, { requestId: r.id, residentId: rep.residentId, role: 'co_reporter', source: rep.source, text: rep.text, createdAt: clock.now() }))
    }
    await recordEvent(em, clock, { requestId: r.id, type: 'split_from', actor: { type: 'staff', id: p.staff.id }, channel: p.channel, data: { from: original.no } })
    created.push(r)
  }
  const event = await recordEvent(em, clock, {
    requestId: original.id, type: 'split', actor: { type: 'staff', id: p.staff.id }, channel: p.channel,
    data: { into: created.map((r) => r.no), reason: p.reason ?? null },
  })
  await notifyReporters(em, clock, original, `split:evt${event.id}`, splitReporterText(original, created))
  return { original, created }
}
