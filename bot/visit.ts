import { loadCommunity } from '../src/community/snapshot.js'
import { matchRosterName, residentForRosterEntry, rosterFor } from '../src/care/roster.js'
import { linkVisitRequest, recordVisit, openVisitOf } from '../src/care/visits.js'
import { addressText } from '../src/care/vocabulary.js'
import { CATEGORY_NAMES } from '../src/community/taxonomy.js'
import type { InboxMessage, Staff } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError } from '../src/errors.js'
import type { ClassifierInput } from '../src/intake/classifier/types.js'
import { formatLocal } from '../src/time.js'
import { dmReply, finish, type Handling, type Result } from './handling.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { enqueue } from '../src/outbox/outbox.js'
import { isAllWell, type VisitCommand } from './visitMatchers.js'

/**
 * `走访 张奶奶 …` from staff in private chat: records the visit (民情日志); a note that asks for something goes
 * through intake as a request on the resident's behalf (代报), linked to the visit. Keyed by the inbox row,
 * so a replay neither records nor files twice. Only the 书记 and the grid's staff can find the resident.
 */
export async function visitCommand(h: Handling, row: InboxMessage, staff: Staff, cmd: VisitCommand): Promise<Result> {
  const { db, clock, config } = h.ctx
  const key = config.DATA_ENCRYPTION_KEY
  const community = await loadCommunity(db.manager, staff.communityId)
  const tz = community.community.timezone
  const visible = await rosterFor(db.manager, community, staff, key)
  const matches = matchRosterName(visible, cmd.name)
  if (matches.length !== 1) {
    const text = matches.length
      ? `有 ${matches.length} 位关爱对象叫「${cmd.name}」：${matches.map((m) => addressText(m)).join('、')}。请写上楼栋，例如：走访 ${matches[0]!.building ?? ''}号楼${cmd.name} 一切正常`
      : `没有找到您负责的关爱对象「${cmd.name}」。${visible.length ? `您负责的有：${visible.slice(0, 20).map((v) => v.name).join('、')}` : '您名下还没有关爱对象。'}`
    return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, text)] })
  }
  const entry = matches[0]!
  let recorded
  try {
    recorded = await inTransaction(db, async (em) => {
      const r = await recordVisit(em, clock, { careResidentId: entry.id, staffId: staff.id, note: cmd.note, causeKey: `inbox:${row.id}:visit`, encryptionKey: key })
      return { visit: r.visit, next: await openVisitOf(em, entry.id) }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, err.message)] })
  }
  const { visit, next } = recorded
  const done = `已记录对 ${entry.name} 的走访。`
  const nextText = next ? `\n下次走访：${formatLocal(next.dueAt, tz)} 前。` : ''
  if (isAllWell(cmd.note) || visit.requestId != null) {
    return finish(h, row, { outcome: 'command', requestId: visit.requestId, replies: [dmReply(row, done + nextText)] })
  }
  const resident = await inTransaction(db, (em) => residentForRosterEntry(em, entry.id, key))
  // The note is said to the bot directly, like a private message, not overheard in a group.
  const classifier = { method: h.classifier.method, classify: (i: ClassifierInput) => h.classifier.classify({ ...i, room: i.room ?? 'private' }) }
  let result
  try {
    result = await h.runIntake({ ...h.ctx, classifier }, {
      communityId: staff.communityId, source: 'staff', text: cmd.note!, residentId: resident.id, reporterStaffId: staff.id,
      causeKey: `inbox:${row.id}`, acknowledge: 'none', hints: { building: entry.building, unit: entry.unit, room: entry.room },
      // The 代报 request, its link to the visit, the reply and the processed inbox row commit together.
      within: async (em, r) => {
        await linkVisitRequest(em, visit.id, r.request.id)
        const assignee = community.staff.find((s) => s.id === r.request.assigneeStaffId)
        const filed = r.kind === 'created'
          ? `\n已代报工单 ${r.request.no}（${CATEGORY_NAMES[r.request.category]}），派给${assignee?.name ?? '待派单'}。`
          : `\n同样的问题已有工单 ${r.request.no}，已并入。`
        await enqueue(em, clock, [dmReply(row, done + filed + nextText)])
        await markProcessed(em, clock, row, r.request.id)
      },
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return finish(h, row, { outcome: 'command', replies: [dmReply(row, `${done}\n（代报未成功：${err.message}）${nextText}`)] })
  }
  if (result.kind === 'chatter') return finish(h, row, { outcome: 'command', replies: [dmReply(row, done + nextText)] })
  return { outcome: 'command', requestId: result.request.id }
}
