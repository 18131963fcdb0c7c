import { z } from 'zod'
import { parseDuration } from '../clock.js'
import { CATEGORIES, URGENCIES } from './taxonomy.js'
import { STAFF_ROLES } from '../db/entities/community.js'
import { CARE_TYPES } from '../care/vocabulary.js'
import { POINTS_ACTIONS } from './settings.js'

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

const careGrade = z.union([z.enum(['一级', '二级', '三级']), z.literal(1), z.literal(2), z.literal(3)])
  .transform((g) => (typeof g === 'number' ? g : ({ 一级: 1, 二级: 2, 三级: 3 } as const)[g]))

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
    /** 关爱对象 visit intervals per grade (ISO-8601 durations in whole days) */
    care: z.strictObject({
      intervals: z.partialRecord(z.enum(['一级', '二级', '三级']), duration).default({}),
    }).optional(),
    /** 关爱对象: residents under care; personal fields are encrypted on import */
    care_roster: z.array(z.strictObject({
      name: z.string().trim().min(1, 'a name is required'),
      types: z.array(z.enum(CARE_TYPES)).min(1, `at least one of ${CARE_TYPES.join('/')}`),
      building: buildingCode.optional(),
      unit: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).optional(),
      room: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).optional(),
      grid: z.string().trim().min(1).optional(),
      grade: careGrade,
      contact: z.strictObject({ name: z.string().trim().min(1), phone: phone.optional(), relation: z.string().trim().min(1).optional() }).optional(),
      wechat: z.string().trim().min(1).optional(),
    })).default([]),
    /** 志愿者: offered the low-risk 为老服务 requests and 微心愿 of their grids; they bind their WeChat like staff */
    volunteers: z.array(z.strictObject({
      name: z.string().trim().min(1, 'a name is required'),
      /** the WeChat display name: a one-time 认证 code is issued for it; it grants nothing by itself */
      wechat: z.string().trim().min(1, 'the WeChat display name is required'),
      phone: phone.optional(),
      grids: z.array(z.string().trim().min(1)).min(1, 'at least one grid'),
    })).default([]),
    /** 爱心积分: which actions earn points, and how many */
    points: z.strictObject({
      earn: z.array(z.enum(POINTS_ACTIONS)).optional(),
      volunteering: z.strictObject({ per_task: z.number().int().min(0).max(10_000).optional(), per_hour: z.number().int().min(0).max(10_000).optional() }).optional(),
      default_hours: z.number().positive().max(24).optional(),
      verified_report: z.number().int().min(0).max(10_000).optional(),
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
    const buildingGrid = new Map(doc.grids.flatMap((g) => g.buildings.map((b) => [b, g.name] as const)))
    const careKeys = new Set<string>()
    doc.care_roster.forEach((c, ci) => {
      if (c.grid && !gridNames.has(c.grid)) ctx.addIssue({ code: 'custom', path: ['care_roster', ci, 'grid'], message: `unknown grid "${c.grid}" (known: ${[...gridNames].join(', ')})` })
      if (!c.grid && !(c.building && buildingGrid.has(c.building))) ctx.addIssue({ code: 'custom', path: ['care_roster', ci], message: 'give the grid, or a building that belongs to one' })
      const key = [c.name, c.building, c.unit, c.room].join('|')
      if (careKeys.has(key)) ctx.addIssue({ code: 'custom', path: ['care_roster', ci, 'name'], message: `"${c.name}" at the same address is listed twice` })
      careKeys.add(key)
    })
    for (const [grade, d] of Object.entries(doc.care?.intervals ?? {})) {
      if (d && parseDuration(d) % 86_400_000 !== 0) ctx.addIssue({ code: 'custom', path: ['care', 'intervals', grade], message: 'a whole number of days, such as P7D' })
    }
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
    // A volunteer is not staff: one WeChat account cannot be both, or 完成 12 would mean two things.
    const volunteers = new Set<string>()
    doc.volunteers.forEach((v, vi) => {
      if (people.has(v.wechat)) ctx.addIssue({ code: 'custom', path: ['volunteers', vi, 'wechat'], message: `WeChat name "${v.wechat}" belongs to staff member "${people.get(v.wechat)}"; a volunteer needs their own` })
      if (volunteers.has(v.wechat)) ctx.addIssue({ code: 'custom', path: ['volunteers', vi, 'wechat'], message: `volunteer WeChat name "${v.wechat}" is listed twice` })
      volunteers.add(v.wechat)
      v.grids.forEach((g, gi) => {
        if (!gridNames.has(g)) ctx.addIssue({ code: 'custom', path: ['volunteers', vi, 'grids', gi], message: `unknown grid "${g}" (known: ${[...gridNames].join(', ')})` })
      })
    })
  })

export type CommunityFile = z.infer<typeof communityFileSchema>
