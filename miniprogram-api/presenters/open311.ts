import { CATEGORY_NAMES } from '../../src/community/taxonomy.js'
import type { ServiceRequest } from '../../src/db/entities/index.js'
import { maskPersonalText } from '../../src/requests/privacy.js'
import { OPEN_STATUSES, STATUS_NAMES } from '../../src/requests/stateMachine.js'
import { isoInZone } from '../routes/secretary/period.js'
import { PRIVATE_CATEGORIES } from '../routes/open311/services.js'

/** One request as Open311 GeoReport v2 shows it to anyone: an explicit whitelist of public fields. */
export interface Open311Request {
  service_request_id: string
  status: 'open' | 'closed'
  status_notes: string
  service_name: string
  service_code: string
  description: string
  agency_responsible: string
  service_notice: string | null
  requested_datetime: string
  updated_datetime: string
  expected_datetime: string | null
  address: string | null
  /** GeoReport v2 location fields we do not keep (a building is the address): always null, present for clients that expect them */
  address_id: null
  zipcode: null
  lat: null
  long: null
  /** photos are private (served only to those who may see the request): never a public URL */
  media_url: null
}

export interface Open311View {
  /** request id → the names its reporters go by (name, WeChat name), masked out of the public text */
  reporterNames?: Map<number, string[]>
  timeZone: string
  communityName: string
  gridNames: Map<number, string>
  /** request id → number, for "merged into" notes */
  numbers?: Map<number, string>
}

export const WITHHELD_DESCRIPTION = '（涉及居民个人情况，内容不公开）'

// A room after a building or unit (3号楼502, 2单元502室), a room with its suffix (502室), 6-2-301.
const ROOM_AFTER = /(号楼|栋|幢|座|单元)(\s?)(\d{3,4})(?!\d)/g
const ROOM_SUFFIX = /(?<!\d)\d{3,4}(\s?)(室|号房)/g
const TRIPLE = /(?<![\d:.\-])(\d{1,3})-(\d{1,2})-(\d{2,4})(?![\d\-:])/g

/** 李秀英 → 李** (the usual way to print a name in public). */
const maskName = (name: string) => name[0] + '*'.repeat(Math.max(1, [...name].length - 1))

/**
 * What a public list may show of a resident's words: phone and ID numbers masked (maskPersonalText),
 * the reporters' own names masked, and room numbers hidden (the building stays: it is the address).
 */
export function publicDescription(text: string, names: string[] = []): string {
  let s = maskPersonalText(text)
  for (const n of [...new Set(names.map((x) => x.trim()).filter((x) => [...x].length >= 2))].sort((a, b) => b.length - a.length)) {
    s = s.split(n).join(maskName(n))
  }
  return s
    .replace(TRIPLE, (_m, b: string) => `${b}-*-***`)
    .replace(ROOM_AFTER, (_m, unit: string, sp: string) => `${unit}${sp}***`)
    .replace(ROOM_SUFFIX, (_m, sp: string, suffix: string) => `***${sp}${suffix}`)
}

export const open311Status = (r: Pick<ServiceRequest, 'status'>): 'open' | 'closed' => (OPEN_STATUSES.includes(r.status) ? 'open' : 'closed')

/** "3" → 3号楼, "B" → B栋: the building only; never a unit or room number. */
export function publicAddress(building: string | null): string | null {
  if (!building) return null
  return /^\d+$/.test(building) ? `${building}号楼` : `${building}栋`
}

/**
 * No names, phones, openids, rooms or staff: the grid (or the community) is the agency responsible,
 * and the text is masked (publicDescription), or withheld for personal categories.
 */
export function presentOpen311Request(r: ServiceRequest, v: Open311View): Open311Request {
  const merged = r.status === 'merged' && r.mergedIntoId != null ? v.numbers?.get(r.mergedIntoId) : undefined
  return {
    service_request_id: r.no,
    status: open311Status(r),
    status_notes: merged ? `${STATUS_NAMES.merged}：已并入工单 ${merged}` : STATUS_NAMES[r.status],
    service_name: CATEGORY_NAMES[r.category],
    service_code: r.category,
    description: PRIVATE_CATEGORIES.includes(r.category) ? WITHHELD_DESCRIPTION : publicDescription(r.originalText, v.reporterNames?.get(r.id)),
    agency_responsible: (r.gridId != null ? v.gridNames.get(r.gridId) : undefined) ?? v.communityName,
    service_notice: null,
    requested_datetime: isoInZone(r.createdAt, v.timeZone),
    updated_datetime: isoInZone(r.updatedAt, v.timeZone),
    expected_datetime: open311Status(r) === 'open' && r.resolveDueAt ? isoInZone(r.resolveDueAt, v.timeZone) : null,
    address: publicAddress(r.building),
    address_id: null,
    zipcode: null,
    lat: null,
    long: null,
    media_url: null,
  }
}

export interface Open311Error { code: number; description: string }
export const open311Error = (code: number, description: string): Open311Error[] => [{ code, description }]
