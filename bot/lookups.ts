import { In, type DataSource } from 'typeorm'
import { loadCommunity, staffById } from '../src/community/snapshot.js'
import { Community, RequestReporter, Resident, ServiceRequest, type InboxMessage, type Staff } from '../src/db/entities/index.js'
import { staffForContact } from '../src/people/staffIdentity.js'
import { configCache } from '../src/community/cache.js'
import type { AppContext } from '../src/context.js'
import { chatKeyOf, senderWithPrompt } from '../src/conversation/prompts.js'
import { OPEN_STATUSES } from '../src/requests/index.js'

/**
 * The staff member who sent this message: the WeChat contact bound with 认证, found by contact id or by
 * the remark the bot gave it, within one community when given. Never by display name. Read from the
 * configuration cache; only a contact known by its remark alone is written (its new contact id is remembered).
 */
export async function senderStaff(db: DataSource, row: Pick<InboxMessage, 'payload' | 'senderId'>, communityId?: number | null): Promise<Staff | null> {
  const remark = typeof row.payload?.alias === 'string' ? row.payload.alias : null
  if (!row.senderId && !remark) return null
  const staff = (await configCache(db).staffOf(communityId)).filter((s) => s.active).sort((a, b) => a.id - b.id)
  const byId = row.senderId ? staff.find((s) => s.wechatContactId === row.senderId) : undefined
  if (byId) return byId
  if (!remark || !staff.some((s) => s.wechatRemark === remark)) return null
  return staffForContact(db.manager, { contactId: row.senderId, remark, communityId })
}

const senders = new WeakMap<InboxMessage, { communityId: number; state: ReturnType<typeof senderWithPrompt> }>()

/**
 * The sender's resident row (or null) and the location question they may be answering, read once per message:
 * the prompt, callback and intake handlers a message passes through share the one SELECT.
 */
export function senderOf(h: { ctx: Pick<AppContext, 'db' | 'clock'> }, row: InboxMessage, communityId: number) {
  const memo = senders.get(row)
  if (memo?.communityId === communityId) return memo.state
  const state = senderWithPrompt(h.ctx.db.manager, h.ctx.clock, { communityId, wechatName: row.senderName!, chatKey: chatKeyOf(row.roomTopic), kinds: ['location'] })
  senders.set(row, { communityId, state })
  state.catch(() => senders.delete(row))
  return state
}

// Read-only questions about a resident, asked by the private-chat, report and voice handlers.

/** The community of a private sender: where they are known as a resident, else the first one. */
export async function communityForResident(db: DataSource, wechatName: string): Promise<number | null> {
  const resident = await db.getRepository(Resident).findOne({ where: { wechatName }, order: { id: 'ASC' } })
  if (resident?.communityId != null) return resident.communityId
  const first = await db.getRepository(Community).find({ order: { id: 'ASC' }, take: 1 })
  return first[0]?.id ?? null
}

/** The grid leader who looks after a resident: from their latest request, else from their building. */
export async function gridLeaderOf(db: DataSource, wechatName: string, communityId: number): Promise<string | null> {
  const resident = await db.getRepository(Resident).findOne({ where: { communityId, wechatName }, order: { id: 'ASC' } })
  if (!resident) return null
  const community = await loadCommunity(db.manager, communityId)
  const latest = await db.getRepository(RequestReporter).findOne({ where: { residentId: resident.id }, order: { id: 'DESC' } })
  const request = latest ? await db.getRepository(ServiceRequest).findOneBy({ id: latest.requestId }) : null
  const gridId = request?.gridId ?? community.buildings.find((b) => resident.building != null && b.code === resident.building)?.gridId ?? null
  const grid = community.grids.find((g) => g.id === gridId)
  return staffById(community, grid?.leaderStaffId)?.name ?? null
}

/** A resident's requests still in hand (open or awaiting 回访), newest first, with who handles each. */
export async function openRequestsOf(db: DataSource, wechatName: string, communityId: number): Promise<{ request: ServiceRequest; handler: string | null }[]> {
  const resident = await db.getRepository(Resident).findOne({ where: { communityId, wechatName }, order: { id: 'ASC' } })
  if (!resident) return []
  const mine = await db.getRepository(RequestReporter).find({ where: { residentId: resident.id } })
  if (!mine.length) return []
  const requests = await db.getRepository(ServiceRequest).find({
    where: { id: In(mine.map((m) => m.requestId)), status: In([...OPEN_STATUSES, 'resolved']) }, order: { id: 'DESC' }, take: 10,
  })
  const community = await loadCommunity(db.manager, communityId)
  return requests.map((request) => ({ request, handler: staffById(community, request.assigneeStaffId)?.name ?? null }))
}
