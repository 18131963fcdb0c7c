import { readFile } from 'node:fs/promises'
import type { DataSource, EntityManager } from 'typeorm'
import { LineCounter, parseDocument, isNode } from 'yaml'
import { parseDuration, systemClock, type Clock } from '../clock.js'
import { importCareRoster } from '../care/roster.js'
import { Building, ChatRoom, Community, Grid, Staff, type StaffRole } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError } from '../errors.js'
import { hashPhone, maskMobile, normalizeMobile } from '../people/phone.js'
import { communityFileSchema, type CommunityFile } from './schema.js'
import { importVolunteers } from '../volunteers/importer.js'
import { DEFAULT_POINTS_RULE, defaultSettings, type CommunitySettings } from './settings.js'

export class CommunityFileError extends DomainError {
  constructor(readonly file: string, readonly problems: string[]) {
    super('invalid_community_file', `社区配置文件有误：\n${problems.join('\n')}`, 400, { file, problems })
  }
}

const pathText = (path: PropertyKey[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(document)'

/** Parses and validates YAML text; errors name the file, the line, the path inside the document and the problem. */
export function parseCommunityFile(source: string, file = 'community.yaml'): CommunityFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(source, { lineCounter, prettyErrors: false })
  if (doc.errors.length) {
    throw new CommunityFileError(file, doc.errors.map((e) => {
      const pos = e.linePos?.[0]
      return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${e.message.split('\n')[0]}`
    }))
  }
  let data: unknown
  try {
    data = doc.toJS() ?? {}
  } catch (e) {
    // The yaml library refuses alias bombs ("billion laughs") and the like while building the value.
    throw new CommunityFileError(file, [`${file}: YAML could not be read: ${(e as Error).message}`])
  }
  const result = communityFileSchema.safeParse(data)
  if (result.success) return result.data
  throw new CommunityFileError(file, result.error.issues.map((issue) => {
    // Point at the deepest node that exists for this path.
    let line = ''
    for (let n = issue.path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(issue.path.slice(0, n) as (string | number)[], true)
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0])
        line = `:${pos.line}:${pos.col}`
        break
      }
    }
    return `${file}${line}: ${pathText(issue.path)}: ${issue.message}`
  }))
}

export async function readCommunityFile(path: string): Promise<CommunityFile> {
  let source: string
  try {
    source = await readFile(path, 'utf8')
  } catch (e) {
    throw new CommunityFileError(path, [`${path}: cannot read file: ${(e as Error).message}`])
  }
  return parseCommunityFile(source, path)
}

export interface ImportSummary { communityId: number; created: number; updated: number; deactivated: number }

function settingsOf(doc: CommunityFile): CommunitySettings {
  const s = defaultSettings()
  s.routing = { ...doc.routing }
  for (const [urgency, w] of Object.entries(doc.sla)) {
    s.sla[urgency as keyof typeof s.sla] = {
      ...(w?.accept ? { acceptMs: parseDuration(w.accept) } : {}),
      ...(w?.resolve ? { resolveMs: parseDuration(w.resolve) } : {}),
    }
  }
  if (doc.merge) {
    const m = doc.merge
    s.merge = { enabled: m.enabled ?? s.merge.enabled, windowHours: m.window_hours ?? s.merge.windowHours, minSimilarity: m.min_similarity ?? s.merge.minSimilarity, followUpMinutes: m.follow_up_minutes ?? s.merge.followUpMinutes }
  }
  if (doc.callbacks) {
    const c = doc.callbacks
    s.callbacks = { ...s.callbacks, delayMinutes: c.delay_minutes ?? s.callbacks.delayMinutes, quietStart: c.quiet_start ?? s.callbacks.quietStart, quietEnd: c.quiet_end ?? s.callbacks.quietEnd }
  }
  if (doc.care) {
    s.care = { intervalDays: Object.fromEntries(Object.entries(doc.care.intervals).map(([g, d]) => [({ 一级: '1', 二级: '2', 三级: '3' } as const)[g as '一级'], parseDuration(d!) / 86_400_000])) }
  }
  if (doc.points) {
    const p = doc.points, d = DEFAULT_POINTS_RULE
    s.points = {
      earn: p.earn ? [...new Set(p.earn)] : [...d.earn],
      volunteering: { perTask: p.volunteering?.per_task ?? d.volunteering.perTask, perHour: p.volunteering?.per_hour ?? d.volunteering.perHour },
      defaultHours: p.default_hours ?? d.defaultHours,
      verifiedReport: p.verified_report ?? d.verifiedReport,
    }
  }
  return s
}

const ROLE_RANK: Record<StaffRole, number> = { secretary: 0, grid_leader: 1, mediator: 2, social_worker: 3 }

/**
 * Creates or updates the community, its grids, buildings, staff and rooms in one transaction.
 * Idempotent: the same file twice changes nothing. People missing from the file are deactivated,
 * not deleted, because requests keep pointing at them.
 */
export async function importCommunity(db: DataSource | EntityManager, doc: CommunityFile, opts: { encryptionKey: string; clock?: Clock }): Promise<ImportSummary> {
  return inTransaction(db, async (em) => {
    const summary: ImportSummary = { communityId: 0, created: 0, updated: 0, deactivated: 0 }
    /** Writes only what differs, so a re-import is a no-op. */
    async function upsert<T extends object>(entity: new () => T, existing: T | null, values: Partial<T>): Promise<T> {
      if (!existing) {
        summary.created++
        return em.save(entity, em.create(entity, values as T))
      }
      const changed = Object.entries(values).some(([k, v]) => JSON.stringify((existing as Record<string, unknown>)[k]) !== JSON.stringify(v))
      if (!changed) return existing
      summary.updated++
      Object.assign(existing, values)
      return em.save(entity, existing)
    }

    const settings = settingsOf(doc)
    let community = await em.findOne(Community, { where: { name: doc.community } })
    community = await upsert(Community, community, { name: doc.community, timezone: doc.timezone, settings })
    summary.communityId = community.id
    const communityId = community.id

    // Everyone in the file, with the highest role they hold.
    const people = new Map<string, { name: string; wechat: string; phone?: string; role: StaffRole }>()
    const addPerson = (p: { name: string; wechat: string; phone?: string }, role: StaffRole) => {
      const prev = people.get(p.wechat)
      if (!prev || ROLE_RANK[role] < ROLE_RANK[prev.role]) people.set(p.wechat, { ...p, phone: p.phone ?? prev?.phone, role })
      else if (p.phone && !prev.phone) prev.phone = p.phone
    }
    addPerson(doc.secretary, 'secretary')
    for (const g of doc.grids) { addPerson(g.leader, 'grid_leader'); if (g.deputy) addPerson(g.deputy, 'grid_leader') }
    for (const s of doc.staff) addPerson(s, s.role)

    const staffByWechat = new Map<string, Staff>()
    const existingStaff = await em.find(Staff, { where: { communityId } })
    for (const p of people.values()) {
      const phone = p.phone ? normalizeMobile(p.phone) ?? p.phone : null
      const saved = await upsert(Staff, existingStaff.find((s) => s.wechat === p.wechat) ?? null, {
        communityId, name: p.name, wechat: p.wechat, role: p.role, active: true,
        phoneMasked: phone ? maskMobile(phone) : null,
        phoneHash: phone ? hashPhone(phone, opts.encryptionKey) : null,
      })
      staffByWechat.set(p.wechat, saved)
    }
    for (const s of existingStaff) {
      if (!people.has(s.wechat) && s.active) {
        // Deactivation ends the WeChat binding too.
        Object.assign(s, { active: false, wechatContactId: null, wechatRemark: null, boundAt: null, bindCodeHash: null, bindCodeExpiresAt: null })
        await em.save(Staff, s)
        summary.deactivated++
      }
    }

    const gridByName = new Map<string, Grid>()
    const existingGrids = await em.find(Grid, { where: { communityId } })
    for (const g of doc.grids) {
      const saved = await upsert(Grid, existingGrids.find((x) => x.name === g.name) ?? null, {
        communityId, name: g.name,
        leaderStaffId: staffByWechat.get(g.leader.wechat)!.id,
        deputyStaffId: g.deputy ? staffByWechat.get(g.deputy.wechat)!.id : null,
      })
      gridByName.set(g.name, saved)
    }

    const existingBuildings = await em.find(Building, { where: { communityId } })
    const listed = new Set<string>()
    for (const g of doc.grids) {
      for (const code of g.buildings) {
        listed.add(code)
        await upsert(Building, existingBuildings.find((b) => b.code === code) ?? null, { communityId, code, gridId: gridByName.get(g.name)!.id })
      }
    }
    for (const b of existingBuildings) {
      if (!listed.has(b.code) && b.gridId !== null) { b.gridId = null; await em.save(Building, b); summary.deactivated++ }
    }

    const existingRooms = await em.find(ChatRoom, { where: { communityId } })
    for (const r of doc.rooms) {
      await upsert(ChatRoom, existingRooms.find((x) => x.topic === r.topic) ?? null, {
        communityId, topic: r.topic, gridId: r.grid ? gridByName.get(r.grid)!.id : null,
      })
    }
    const care = await importCareRoster(em, opts.clock ?? systemClock, { doc, communityId, gridByName, encryptionKey: opts.encryptionKey })
    summary.created += care.created
    summary.updated += care.updated
    summary.deactivated += care.deactivated
    const volunteers = await importVolunteers(em, opts.clock ?? systemClock, { doc, communityId, gridByName, encryptionKey: opts.encryptionKey })
    summary.created += volunteers.created
    summary.updated += volunteers.updated
    summary.deactivated += volunteers.deactivated
    return summary
  })
}

export async function importCommunityFile(db: DataSource | EntityManager, path: string, opts: { encryptionKey: string; clock?: Clock }) {
  return importCommunity(db, await readCommunityFile(path), opts)
}
