import { z } from 'zod'
import { parseDuration } from '../clock.js'
import { CATEGORIES, URGENCIES } from './taxonomy.js'
import { STAFF_ROLES } from '../db/entities/community.js'

// The community YAML. Field names are fixed: other tools rely on them.

const phone = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\+?[0-9][0-9\- ]{4,19}$/, 'a phone number such as "13800000001"'))

const person = z.strictObject({
  name: z.string().trim().min(1, 'a name is required'),
  /** the name the person shows in WeChat: what the bot sees */
  wechat: z.string().trim().min(1, 'the WeChat display name is required'),
  phone: phone.optional(),
})

const duration = z.string().refine((s) => {
  try { return parseDuration(s) > 0 } catch { return false }
}, 'an ISO-8601 duration such as PT15M, PT2H or P7D')

const buildingCode = z.union([z.string(), z.number()]).transform((v) => String(v).trim().toUpperCase()).pipe(z.string().min(1).max(32))

export const communityFileSchema = z
  .strictObject({
    community: z.string().trim().min(1),
    timezone: z.string().default('Asia/Shanghai').refine((tz) => {
      try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true } catch { return false }
    }, 'an IANA timezone such as Asia/Shanghai'),
    secretary: person,
    grids: z.array(z.strictObject({
      name: z.string().trim().min(1),
      leader: person,
      deputy: person.optional(),
      buildings: z.array(buildingCode).default([]),
    })).min(1, 'at least one grid'),
    staff: z.array(person.extend({ role: z.enum(STAFF_ROLES) })).default([]),
    rooms: z.array(z.strictObject({ topic: z.string().trim().min(1), grid: z.string().trim().min(1).optional() })).default([]),
    routing: z.partialRecord(z.enum(CATEGORIES), z.enum(STAFF_ROLES)).default({}),
    sla: z.partialRecord(z.enum(URGENCIES), z.strictObject({ accept: duration.optional(), resolve: duration.optional() })).default({}),
    merge: z.strictObject({
      enabled: z.boolean().optional(),
      window_hours: z.number().positive().optional(),
      min_similarity: z.number().min(0).max(1).optional(),
      follow_up_minutes: z.number().positive().optional(),
    }).optional(),
    callbacks: z.strictObject({
      delay_minutes: z.number().min(0).optional(),
      quiet_start: z.string().regex(/^\d{2}:\d{2}$/).optional(),
      quiet_end: z.string().regex(/^\d{2}:\d{2}$/).optional(),
    }).optional(),
  })
  .superRefine((doc, ctx) => {
    const owner = new Map<string, number>()
    doc.grids.forEach((g, gi) => g.buildings.forEach((b, bi) => {
      const prev = owner.get(b)
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['grids', gi, 'buildings', bi], message: `building "${b}" already belongs to grid "${doc.grids[prev]!.name}"` })
      else owner.set(b, gi)
    }))
    const gridNames = new Set<string>()
    doc.grids.forEach((g, gi) => {
      if (gridNames.has(g.name)) ctx.addIssue({ code: 'custom', path: ['grids', gi, 'name'], message: `duplicate grid name "${g.name}"` })
      gridNames.add(g.name)
    })
    doc.rooms.forEach((r, ri) => {
      if (r.grid && !gridNames.has(r.grid)) ctx.addIssue({ code: 'custom', path: ['rooms', ri, 'grid'], message: `unknown grid "${r.grid}" (known: ${[...gridNames].join(', ')})` })
    })
    const topics = new Set<string>()
    doc.rooms.forEach((r, ri) => {
      if (topics.has(r.topic)) ctx.addIssue({ code: 'custom', path: ['rooms', ri, 'topic'], message: `duplicate room topic "${r.topic}"` })
      topics.add(r.topic)
    })
    // One WeChat name is one person: the bot can tell people apart only by it.
    const people = new Map<string, string>()
    const see = (p: { name: string; wechat: string }, path: (string | number)[]) => {
      const prev = people.get(p.wechat)
      if (prev !== undefined && prev !== p.name) ctx.addIssue({ code: 'custom', path: [...path, 'wechat'], message: `WeChat name "${p.wechat}" is already used by "${prev}"` })
      people.set(p.wechat, p.name)
    }
    see(doc.secretary, ['secretary'])
    doc.grids.forEach((g, gi) => { see(g.leader, ['grids', gi, 'leader']); if (g.deputy) see(g.deputy, ['grids', gi, 'deputy']) })
    doc.staff.forEach((s, si) => see(s, ['staff', si]))
  })

export type CommunityFile = z.infer<typeof communityFileSchema>
