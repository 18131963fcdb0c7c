import type { EntityManager } from 'typeorm'
import { In, Not } from 'typeorm'
import { Building, ChatRoom, Grid, ServiceRequest, Staff, type StaffRole } from '../db/entities/index.js'
import { ConflictError, NotFoundError, ValidationError } from '../errors.js'
import { hashPhone, maskMobile, normalizeMobile } from '../people/phone.js'
import { ACTIONABLE_STATUSES } from '../requests/stateMachine.js'

/*
 * The 书记's management of grids, buildings, staff and chat rooms, one change at a time.
 * The rules are the YAML import's (import.ts), so a community edited here could have been written
 * as a file: grid names, building codes, WeChat names and room topics are unique in the community;
 * a building belongs to at most one grid; people and buildings are deactivated, never deleted,
 * because requests keep pointing at them. A later YAML import still wins: it is the source of truth.
 * All commands run in the caller's transaction (inTransaction).
 */

/** Roles that may lead a grid (the import gives grid leaders role grid_leader unless they are the 书记). */
const GRID_LEADER_ROLES: readonly StaffRole[] = ['grid_leader', 'secretary']
const ROLE_NAMES: Record<StaffRole, string> = { grid_leader: '网格员', mediator: '调解员', social_worker: '社工', secretary: '书记' }

/** Same normalisation as the YAML schema: "3", "12", "B". */
export function normalizeBuildingCode(code: string | number): string {
  const c = String(code).trim().toUpperCase()
  if (!c || c.length > 32) throw new ValidationError('楼栋编号应为 1–32 个字符', { field: 'code' })
  return c
}

/** Same rule as the YAML schema; mainland mobiles are normalised to 11 digits. */
function phoneFields(phone: string | null | undefined, encryptionKey: string) {
  if (phone === undefined) return {}
  if (phone === null || phone.trim() === '') return { phoneMasked: null, phoneHash: null }
  const raw = phone.trim()
  if (!/^\+?[0-9][0-9\- ]{4,19}$/.test(raw)) throw new ValidationError('手机号格式不正确', { field: 'phone' })
  const p = normalizeMobile(raw) ?? raw
  return { phoneMasked: maskMobile(p), phoneHash: hashPhone(p, encryptionKey) }
}

async function findIn<T extends { communityId: number }>(em: EntityManager, entity: new () => T, communityId: number, id: number, what: string, code: string): Promise<T> {
  const row = await em.findOne(entity, { where: { id, communityId } as never })
  if (!row) throw new NotFoundError(what, code)
  return row
}

// ---------------------------------------------------------------------------------------------
// Grids (网格)

export interface GridProps {
  communityId: number
  name?: string
  leaderStaffId?: number
  /** null removes the deputy */
  deputyStaffId?: number | null
  /** The grid's buildings, as in the YAML: listed codes move here (unknown ones are created), others of this grid are released. */
  buildings?: (string | number)[]
}

async function checkLeader(em: EntityManager, communityId: number, staffId: number, field: 'leaderStaffId' | 'deputyStaffId'): Promise<Staff> {
  const s = await em.findOne(Staff, { where: { id: staffId, communityId } })
  if (!s) throw new ValidationError(`工作人员 ${staffId} 不存在`, { field })
  if (!s.active) throw new ValidationError(`${s.name} 已停用，不能担任网格长`, { field })
  if (!GRID_LEADER_ROLES.includes(s.role)) {
    throw new ValidationError(`${s.name} 的角色是${ROLE_NAMES[s.role]}，请先把角色改为网格员`, { field, role: s.role })
  }
  return s
}

async function checkGridName(em: EntityManager, communityId: number, name: string, exceptId?: number) {
  const clash = await em.findOne(Grid, { where: { communityId, name, ...(exceptId ? { id: Not(exceptId) } : {}) } })
  if (clash) throw new ConflictError('grid_name_taken', `已有名为「${name}」的网格`)
}

async function assignBuildings(em: EntityManager, communityId: number, grid: Grid, codes: (string | number)[]) {
  const wanted = [...new Set(codes.map(normalizeBuildingCode))]
  const existing = await em.find(Building, { where: { communityId } })
  for (const code of wanted) {
    const b = existing.find((x) => x.code === code)
    if (!b) await em.save(Building, em.create(Building, { communityId, code, gridId: grid.id }))
    else if (b.gridId !== grid.id) await em.update(Building, { id: b.id }, { gridId: grid.id })
  }
  for (const b of existing) {
    if (b.gridId === grid.id && !wanted.includes(b.code)) await em.update(Building, { id: b.id }, { gridId: null })
  }
}

export async function createGrid(em: EntityManager, p: GridProps & { name: string; leaderStaffId: number }): Promise<Grid> {
  const name = p.name.trim()
  if (!name) throw new ValidationError('网格名称不能为空', { field: 'name' })
  await checkGridName(em, p.communityId, name)
  await checkLeader(em, p.communityId, p.leaderStaffId, 'leaderStaffId')
  if (p.deputyStaffId != null) {
    if (p.deputyStaffId === p.leaderStaffId) throw new ValidationError('副网格长不能与网格长是同一人', { field: 'deputyStaffId' })
    await checkLeader(em, p.communityId, p.deputyStaffId, 'deputyStaffId')
  }
  const grid = await em.save(Grid, em.create(Grid, { communityId: p.communityId, name, leaderStaffId: p.leaderStaffId, deputyStaffId: p.deputyStaffId ?? null }))
  if (p.buildings) await assignBuildings(em, p.communityId, grid, p.buildings)
  return grid
}

export async function updateGrid(em: EntityManager, p: GridProps & { gridId: number }): Promise<Grid> {
  const grid = await findIn(em, Grid, p.communityId, p.gridId, '网格', 'grid_not_found')
  const changes: Partial<Grid> = {}
  if (p.name !== undefined) {
    const name = p.name.trim()
    if (!name) throw new ValidationError('网格名称不能为空', { field: 'name' })
    if (name !== grid.name) { await checkGridName(em, p.communityId, name, grid.id); changes.name = name }
  }
  if (p.leaderStaffId !== undefined && p.leaderStaffId !== grid.leaderStaffId) {
    await checkLeader(em, p.communityId, p.leaderStaffId, 'leaderStaffId')
    changes.leaderStaffId = p.leaderStaffId
  }
  if (p.deputyStaffId !== undefined && p.deputyStaffId !== grid.deputyStaffId) {
    if (p.deputyStaffId !== null) await checkLeader(em, p.communityId, p.deputyStaffId, 'deputyStaffId')
    changes.deputyStaffId = p.deputyStaffId
  }
  const leader = changes.leaderStaffId ?? grid.leaderStaffId
  const deputy = changes.deputyStaffId !== undefined ? changes.deputyStaffId : grid.deputyStaffId
  if (deputy != null && deputy === leader) throw new ValidationError('副网格长不能与网格长是同一人', { field: 'deputyStaffId' })
  if (Object.keys(changes).length) await em.update(Grid, { id: grid.id }, changes)
  if (p.buildings) await assignBuildings(em, p.communityId, grid, p.buildings)
  return em.findOneOrFail(Grid, { where: { id: grid.id } })
}

/**
 * A grid is kept for the history of its requests; deactivating it releases its buildings and rooms
 * (as an import does with a building no grid lists). New reports from them go to the 书记 to dispatch.
 */
export async function deactivateGrid(em: EntityManager, p: { communityId: number; gridId: number }) {
  const grid = await findIn(em, Grid, p.communityId, p.gridId, '网格', 'grid_not_found')
  const buildings = await em.update(Building, { communityId: p.communityId, gridId: grid.id }, { gridId: null })
  const rooms = await em.update(ChatRoom, { communityId: p.communityId, gridId: grid.id }, { gridId: null })
  return { grid, releasedBuildings: buildings.affected ?? 0, releasedRooms: rooms.affected ?? 0 }
}

// ---------------------------------------------------------------------------------------------
// Buildings (楼栋)

async function checkGrid(em: EntityManager, communityId: number, gridId: number | null | undefined) {
  if (gridId == null) return
  const g = await em.findOne(Grid, { where: { id: gridId, communityId } })
  if (!g) throw new ValidationError(`网格 ${gridId} 不存在`, { field: 'gridId' })
}

export async function createBuilding(em: EntityManager, p: { communityId: number; code: string | number; gridId?: number | null }): Promise<Building> {
  const code = normalizeBuildingCode(p.code)
  if (await em.findOne(Building, { where: { communityId: p.communityId, code } })) throw new ConflictError('building_exists', `楼栋 ${code} 已存在`)
  await checkGrid(em, p.communityId, p.gridId)
  return em.save(Building, em.create(Building, { communityId: p.communityId, code, gridId: p.gridId ?? null }))
}

/** Moves a building to another grid (or none). Its code is what requests record, so it is not renamed. */
export async function updateBuilding(em: EntityManager, p: { communityId: number; buildingId: number; gridId: number | null }): Promise<Building> {
  const b = await findIn(em, Building, p.communityId, p.buildingId, '楼栋', 'building_not_found')
  await checkGrid(em, p.communityId, p.gridId)
  if (b.gridId !== p.gridId) await em.update(Building, { id: b.id }, { gridId: p.gridId })
  return em.findOneOrFail(Building, { where: { id: b.id } })
}

/** As an import does with a building no grid lists: it stays known but belongs to no grid. */
export async function deactivateBuilding(em: EntityManager, p: { communityId: number; buildingId: number }): Promise<Building> {
  return updateBuilding(em, { ...p, gridId: null })
}

// ---------------------------------------------------------------------------------------------
// Staff (工作人员)

export interface StaffProps {
  communityId: number
  name?: string
  wechat?: string
  role?: StaffRole
  /** null clears it */
  phone?: string | null
  active?: boolean
}

async function checkWechat(em: EntityManager, communityId: number, wechat: string, exceptId?: number) {
  // The unique index covers inactive people too: one WeChat name is one person (the bot tells people apart only by it).
  const clash = await em.findOne(Staff, { where: { communityId, wechat, ...(exceptId ? { id: Not(exceptId) } : {}) } })
  if (clash) throw new ConflictError('staff_wechat_taken', `微信名「${wechat}」已被 ${clash.name} 使用`, { staffId: clash.id })
}

async function otherActiveSecretary(em: EntityManager, communityId: number, exceptId?: number) {
  return em.findOne(Staff, { where: { communityId, role: 'secretary', active: true, ...(exceptId ? { id: Not(exceptId) } : {}) } })
}

async function gridsLedBy(em: EntityManager, communityId: number, staffId: number) {
  const grids = await em.find(Grid, { where: [{ communityId, leaderStaffId: staffId }, { communityId, deputyStaffId: staffId }] })
  return grids.map((g) => g.name)
}

export async function createStaff(em: EntityManager, p: StaffProps & { name: string; wechat: string; role: StaffRole }, opts: { encryptionKey: string }): Promise<Staff> {
  const name = p.name.trim()
  const wechat = p.wechat.trim()
  if (!name) throw new ValidationError('姓名不能为空', { field: 'name' })
  if (!wechat) throw new ValidationError('微信名不能为空', { field: 'wechat' })
  await checkWechat(em, p.communityId, wechat)
  if (p.role === 'secretary' && (await otherActiveSecretary(em, p.communityId))) {
    throw new ConflictError('secretary_exists', '社区已有书记；更换书记请重新导入社区配置文件')
  }
  return em.save(Staff, em.create(Staff, {
    communityId: p.communityId, name, wechat, role: p.role, active: p.active ?? true,
    phoneMasked: null, phoneHash: null, ...phoneFields(p.phone, opts.encryptionKey),
  }))
}

export async function updateStaff(em: EntityManager, p: StaffProps & { staffId: number }, opts: { encryptionKey: string }): Promise<Staff> {
  const s = await findIn(em, Staff, p.communityId, p.staffId, '工作人员', 'staff_not_found')
  const changes: Partial<Staff> = { ...phoneFields(p.phone, opts.encryptionKey) }
  if (p.name !== undefined) {
    if (!p.name.trim()) throw new ValidationError('姓名不能为空', { field: 'name' })
    changes.name = p.name.trim()
  }
  if (p.wechat !== undefined && p.wechat.trim() !== s.wechat) {
    if (!p.wechat.trim()) throw new ValidationError('微信名不能为空', { field: 'wechat' })
    await checkWechat(em, p.communityId, p.wechat.trim(), s.id)
    changes.wechat = p.wechat.trim()
  }
  const role = p.role ?? s.role
  const active = p.active ?? s.active
  if (role !== s.role) changes.role = role
  if (active !== s.active) changes.active = active
  // Deactivation ends the WeChat binding: someone re-activated binds again with a new code.
  if (!active && s.active) Object.assign(changes, { wechatContactId: null, wechatRemark: null, boundAt: null, bindCodeHash: null, bindCodeExpiresAt: null })
  // The community keeps exactly one active 书记: handing over is a YAML re-import.
  if (s.role === 'secretary' && s.active && (role !== 'secretary' || !active) && !(await otherActiveSecretary(em, p.communityId, s.id))) {
    throw new ConflictError('last_secretary', '不能停用或更改社区唯一的书记；更换书记请重新导入社区配置文件')
  }
  if (role === 'secretary' && active && !(s.role === 'secretary' && s.active) && (await otherActiveSecretary(em, p.communityId, s.id))) {
    throw new ConflictError('secretary_exists', '社区已有书记；更换书记请重新导入社区配置文件')
  }
  // Every grid keeps an active leader of a leading role, as the file requires.
  if ((!active || !GRID_LEADER_ROLES.includes(role)) && (s.active && GRID_LEADER_ROLES.includes(s.role))) {
    const grids = await gridsLedBy(em, p.communityId, s.id)
    if (grids.length) {
      throw new ConflictError('staff_leads_grid', `${s.name} 还是 ${grids.join('、')} 的网格长，请先为网格指定新的网格长`, { grids })
    }
  }
  if (Object.keys(changes).length) await em.update(Staff, { id: s.id }, changes)
  return em.findOneOrFail(Staff, { where: { id: s.id } })
}

/**
 * 停用: the person stays for the history of their requests. Their open tasks are not moved
 * automatically; the count tells the 书记 how many to 转派.
 */
export async function deactivateStaff(em: EntityManager, p: { communityId: number; staffId: number }, opts: { encryptionKey: string }) {
  const staff = await updateStaff(em, { communityId: p.communityId, staffId: p.staffId, active: false }, opts)
  const openTasks = await em.count(ServiceRequest, { where: { assigneeStaffId: staff.id, status: In([...ACTIONABLE_STATUSES]) } })
  return { staff, openTasks }
}

// ---------------------------------------------------------------------------------------------
// Chat rooms (业主群)

async function checkTopic(em: EntityManager, communityId: number, topic: string, exceptId?: number) {
  const clash = await em.findOne(ChatRoom, { where: { communityId, topic, ...(exceptId ? { id: Not(exceptId) } : {}) } })
  if (clash) throw new ConflictError('room_topic_taken', `已有名为「${topic}」的群`)
}

export async function createRoom(em: EntityManager, p: { communityId: number; topic: string; gridId?: number | null }): Promise<ChatRoom> {
  const topic = p.topic.trim()
  if (!topic) throw new ValidationError('群名不能为空', { field: 'topic' })
  await checkTopic(em, p.communityId, topic)
  await checkGrid(em, p.communityId, p.gridId)
  return em.save(ChatRoom, em.create(ChatRoom, { communityId: p.communityId, topic, gridId: p.gridId ?? null, wechatRoomId: null }))
}

/** A renamed WeChat group keeps its binding: change the topic here. */
export async function updateRoom(em: EntityManager, p: { communityId: number; roomId: number; topic?: string; gridId?: number | null }): Promise<ChatRoom> {
  const room = await findIn(em, ChatRoom, p.communityId, p.roomId, '群', 'room_not_found')
  const changes: Partial<ChatRoom> = {}
  if (p.topic !== undefined && p.topic.trim() !== room.topic) {
    if (!p.topic.trim()) throw new ValidationError('群名不能为空', { field: 'topic' })
    await checkTopic(em, p.communityId, p.topic.trim(), room.id)
    changes.topic = p.topic.trim()
  }
  if (p.gridId !== undefined && p.gridId !== room.gridId) {
    await checkGrid(em, p.communityId, p.gridId)
    changes.gridId = p.gridId
  }
  if (Object.keys(changes).length) await em.update(ChatRoom, { id: room.id }, changes)
  return em.findOneOrFail(ChatRoom, { where: { id: room.id } })
}

/** Removes a room the bot should no longer serve. Rooms that requests came from stay (their history points at them). */
export async function deleteRoom(em: EntityManager, p: { communityId: number; roomId: number }) {
  const room = await findIn(em, ChatRoom, p.communityId, p.roomId, '群', 'room_not_found')
  const used = await em.count(ServiceRequest, { where: { chatRoomId: room.id } })
  if (used) throw new ConflictError('room_in_use', `「${room.topic}」已有 ${used} 条工单来自该群，不能删除；可以解除网格绑定`, { requests: used })
  await em.delete(ChatRoom, { id: room.id })
  return room
}
