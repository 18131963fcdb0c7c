import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import type { CommunityFile } from '../community/schema.js'
import type { CommunitySnapshot } from '../community/snapshot.js'
import { CareResident, CareVisit, Resident, type Grid, type Staff, type VulnerabilityFlag } from '../db/entities/index.js'
import { findOrCreateWechatResident } from '../people/residents.js'
import { normalizeMobile } from '../people/phone.js'
import { careHash, decryptDetails, encryptDetails, rosterKey } from './crypto.js'
import { openVisitOf, transitionVisit } from './visits.js'
import type { CareDetails, CareGrade } from './vocabulary.js'

/** The roster from the file as details + grade + grid name. */
function fromFile(doc: CommunityFile) {
  const gridOfBuilding = new Map(doc.grids.flatMap((g) => g.buildings.map((b) => [b, g.name] as const)))
  return doc.care_roster.map((c) => ({
    grade: c.grade as CareGrade,
    grid: c.grid ?? gridOfBuilding.get(c.building ?? '') ?? null,
    details: {
      name: c.name, types: c.types, building: c.building ?? null, unit: c.unit ?? null, room: c.room ?? null,
      contact: c.contact ? { name: c.contact.name, phone: c.contact.phone ? normalizeMobile(c.contact.phone) ?? c.contact.phone : null, relation: c.contact.relation ?? null } : null,
      wechat: c.wechat ?? null,
    } satisfies CareDetails,
  }))
}

/**
 * Creates, updates and deactivates the community's 关爱对象 from the file, in the import's transaction.
 * Idempotent: details are compared decrypted (each encryption differs), so the same file changes nothing.
 * Someone no longer listed is deactivated and their open visit cancelled; their history is kept.
 */
export async function importCareRoster(em: EntityManager, clock: Clock, p: {
  doc: CommunityFile; communityId: number; gridByName: Map<string, Grid>; encryptionKey: string
}): Promise<{ created: number; updated: number; deactivated: number }> {
  const out = { created: 0, updated: 0, deactivated: 0 }
  const existing = await em.find(CareResident, { where: { communityId: p.communityId } })
  const byKey = new Map(existing.map((c) => [c.keyHash, c]))
  const listed = new Set<string>()
  for (const entry of fromFile(p.doc)) {
    const keyHash = rosterKey(entry.details, p.encryptionKey)
    listed.add(keyHash)
    const values = {
      communityId: p.communityId, keyHash, grade: entry.grade, active: true,
      gridId: entry.grid ? p.gridByName.get(entry.grid)?.id ?? null : null,
      wechatHash: entry.details.wechat ? careHash(entry.details.wechat, p.encryptionKey) : null,
    }
    const row = byKey.get(keyHash)
    if (!row) {
      await em.save(CareResident, em.create(CareResident, { ...values, detailsEncrypted: encryptDetails(entry.details, p.encryptionKey), residentId: null, lastContactAt: null }))
      out.created++
      continue
    }
    const same = JSON.stringify(decryptDetails(row.detailsEncrypted, p.encryptionKey)) === JSON.stringify(entry.details)
      && row.grade === values.grade && row.active && row.gridId === values.gridId && row.wechatHash === values.wechatHash
    if (same) continue
    const moved = row.gridId !== values.gridId
    Object.assign(row, values, { detailsEncrypted: encryptDetails(entry.details, p.encryptionKey) })
    await em.save(CareResident, row)
    // A resident moved to another grid: their open visit goes to that grid's to-do.
    if (moved) await em.update(CareVisit, { careResidentId: row.id, openFor: row.id }, { gridId: values.gridId })
    out.updated++
  }
  for (const row of existing) {
    if (listed.has(row.keyHash) || !row.active) continue
    await em.update(CareResident, { id: row.id }, { active: false })
    const open = await openVisitOf(em, row.id)
    if (open) await transitionVisit(em, clock, { visitId: open.id, action: 'cancel', actor: { type: 'system', id: null }, data: { reason: 'left_roster' } })
    out.deactivated++
  }
  return out
}

/** Who may see a roster entry: the 书记, and the leader and deputy of the entry's grid. */
export function canSeeCareResident(viewer: Pick<Staff, 'id' | 'role' | 'active' | 'communityId'>, entry: Pick<CareResident, 'gridId' | 'communityId'>, grids: Pick<Grid, 'id' | 'leaderStaffId' | 'deputyStaffId'>[]): boolean {
  if (!viewer.active || viewer.communityId !== entry.communityId) return false
  if (viewer.role === 'secretary') return true
  const grid = grids.find((g) => g.id === entry.gridId)
  return !!grid && (grid.leaderStaffId === viewer.id || grid.deputyStaffId === viewer.id)
}

export interface RosterEntryView extends CareDetails {
  id: number
  gridId: number | null
  grade: CareGrade
  active: boolean
  lastContactAt: Date | null
}

/** The roster entries a staff member may see, decrypted (for the console, the API and the bot). */
export async function rosterFor(em: EntityManager, c: CommunitySnapshot, viewer: Staff, encryptionKey: string, opts: { includeInactive?: boolean } = {}): Promise<RosterEntryView[]> {
  const rows = await em.find(CareResident, { where: { communityId: c.community.id, ...(opts.includeInactive ? {} : { active: true }) }, order: { id: 'ASC' } })
  return rows.filter((r) => canSeeCareResident(viewer, r, c.grids)).map((r) => ({
    ...decryptDetails(r.detailsEncrypted, encryptionKey), id: r.id, gridId: r.gridId, grade: r.grade as CareGrade, active: r.active, lastContactAt: r.lastContactAt,
  }))
}

/**
 * The roster entry a staff member means by `张奶奶` or `3号楼张奶奶` (building prefix to tell namesakes apart),
 * among those they may see. Returns every match so the caller can ask which one.
 */
export function matchRosterName(entries: RosterEntryView[], said: string): RosterEntryView[] {
  const s = said.replace(/\s+/g, '')
  const exact = entries.filter((e) => e.name === s || (e.building && (`${e.building}号楼${e.name}` === s || `${e.building}栋${e.name}` === s)))
  return exact
}

const VULNERABILITY_OF: Partial<Record<CareDetails['types'][number], VulnerabilityFlag>> = {
  独居: 'living_alone_elderly', 高龄: 'elderly', 失能: 'disabled', 残疾: 'disabled', 低保: 'low_income',
}

/**
 * The Resident a 代报 request on a roster resident's behalf is filed for: their WeChat resident if they have
 * one, else a record without a name (the name stays in the encrypted roster). Linked to the roster entry.
 */
export async function residentForRosterEntry(em: EntityManager, careResidentId: number, encryptionKey: string): Promise<Resident> {
  const cr = await em.findOneOrFail(CareResident, { where: { id: careResidentId } })
  if (cr.residentId) {
    const linked = await em.findOne(Resident, { where: { id: cr.residentId } })
    if (linked) return linked
  }
  const d = decryptDetails(cr.detailsEncrypted, encryptionKey)
  const vulnerability = [...new Set(d.types.map((t) => VULNERABILITY_OF[t]).filter((v): v is VulnerabilityFlag => !!v))]
  const resident = d.wechat
    ? await findOrCreateWechatResident(em, { communityId: cr.communityId, wechatName: d.wechat })
    : await em.save(Resident, em.create(Resident, { communityId: cr.communityId, wechatName: null, name: null, vulnerability }))
  if (d.wechat && !resident.vulnerability.length && vulnerability.length) await em.update(Resident, { id: resident.id }, { vulnerability })
  await em.update(CareResident, { id: cr.id }, { residentId: resident.id })
  return resident
}
