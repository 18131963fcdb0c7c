import { CATEGORY_NAMES, URGENCY_NAMES } from '../../src/community/taxonomy.js'
import type { RequestSource } from '../../src/db/entities/index.js'
import { AT, type PeriodTuple } from '../../src/requests/periodColumns.js'
import { maskPersonalText } from '../../src/requests/privacy.js'
import { OPEN_STATUSES, STATUS_NAMES } from '../../src/requests/stateMachine.js'
import { localIsoTextFormatter, utcDatetimeText } from '../../src/time.js'

// The CSV's fields and rows, with no ORM or database import: the export's worker threads load this module.

/** UTF-8 byte-order mark: Excel reads a CSV without it as the local ANSI code page and garbles Chinese. */
export const BOM = '\uFEFF'

export const SOURCE_NAMES: Record<RequestSource, string> = {
  group: '群聊', private: '私聊', miniprogram: '小程序', staff: '工作人员代报', open311: '城市平台',
}

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF (or edge spaces), quotes doubled.
 * Text that a spreadsheet would run as a formula (= + - @ tab CR first) is prefixed with ' (CSV injection).
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return String(value)
  let s = String(value)
  // One test for the common case (nothing to quote or prefix); the CSV runs it for 24 fields of a million rows.
  if (!NEEDS_CARE.test(s)) return s
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
const NEEDS_CARE = /^[=+\-@\s]|[",\r\n]|\s$/

export const csvLine = (fields: (string | number | boolean | null | undefined)[]) => fields.map(csvField).join(',')

export interface CsvContext {
  timeZone: string
  now: Date
  gridNames: Map<number, string>
  staffNames: Map<number, string>
}

/** Chinese headers; no resident identity (no names, phones, openids), and phone/ID numbers masked in the text. */
export const CSV_HEADERS = [
  '工单号', '上报时间', '来源', '分类', '紧急程度', '状态', '楼栋', '单元', '房号', '网格', '处理人', '诉求内容',
  '派单时间', '签收时间', '办结时间', '关闭时间', '签收时限', '办结时限', '签收超时', '办结超时', '办结说明', '满意度', '重办次数', '待分诊',
] as const

/** Each name as its CSV field, escaped once; a value without a name is written as it is. */
function fieldsOf(names: Record<string, string> | Map<number, string>): Map<string | number, string> {
  const entries = names instanceof Map ? [...names] : Object.entries(names)
  return new Map(entries.map(([k, v]) => [k, csvField(v)]))
}
const named = (fields: Map<string | number, string>, v: unknown) => (v == null ? '' : fields.get(v as string) ?? csvField(String(v)))
const byId = (fields: Map<string | number, string>, v: unknown) => (v == null ? '' : fields.get(Number(v)) ?? '')
const text = (v: unknown) => (v == null ? '' : csvField(String(v)))
const YES = csvField('是'), NO = csvField('否')

/**
 * Writes one row's line (no line end): the cells straight from the driver's arrays, dates from their UTC text,
 * each name escaped once per export, only the resident's text and the 办结说明 masked.
 */
export function csvRowWriterWith(c: CsvContext, ratingNames: Record<string, string>): (r: PeriodTuple) => string {
  const sources = fieldsOf(SOURCE_NAMES), categories = fieldsOf(CATEGORY_NAMES), urgencies = fieldsOf(URGENCY_NAMES)
  const statuses = fieldsOf(STATUS_NAMES), ratings = fieldsOf(ratingNames)
  const grids = fieldsOf(c.gridNames), staff = fieldsOf(c.staffNames)
  const open = new Set<unknown>(OPEN_STATUSES)
  const now = utcDatetimeText(c.now)
  /** one formatter per date column, each remembering its last hour */
  const [created, dispatched, accepted, resolved, closed, acceptDue, resolveDue] = Array.from({ length: 7 }, () => {
    const format = localIsoTextFormatter(c.timeZone)
    return (v: unknown) => (v == null ? '' : format(String(v)))
  }) as [(v: unknown) => string, (v: unknown) => string, (v: unknown) => string, (v: unknown) => string, (v: unknown) => string, (v: unknown) => string, (v: unknown) => string]
  /** Done after its deadline, or still open past it. */
  const late = (done: unknown, due: unknown, status: unknown) =>
    due != null && (done != null ? after(String(done), String(due)) : open.has(status) && after(now, String(due)))
  return (r) => {
    const status = r[AT.status]
    const note = r[AT.resolution_note]
    const rating = r[AT.rating]
    return `${text(r[AT.no])},${created(r[AT.created_at])},${named(sources, r[AT.source])},${named(categories, r[AT.category])},`
      + `${named(urgencies, r[AT.urgency])},${named(statuses, status)},${text(r[AT.building])},${text(r[AT.unit])},${text(r[AT.room_no])},`
      + `${byId(grids, r[AT.grid_id])},${byId(staff, r[AT.assignee_staff_id])},${csvField(maskPersonalText(r[AT.original_text] as string))},`
      + `${dispatched(r[AT.dispatched_at])},${accepted(r[AT.accepted_at])},${resolved(r[AT.resolved_at])},${closed(r[AT.closed_at])},`
      + `${acceptDue(r[AT.accept_due_at])},${resolveDue(r[AT.resolve_due_at])},`
      + `${late(r[AT.accepted_at], r[AT.accept_due_at], status) ? YES : NO},${late(r[AT.resolved_at], r[AT.resolve_due_at], status) ? YES : NO},`
      + `${note ? csvField(maskPersonalText(String(note))) : ''},${rating ? ratings.get(rating as string) ?? '' : ''},`
      + `${String(Number(r[AT.reopen_count]))},${Number(r[AT.needs_triage]) ? YES : NO}`
  }
}

/** a > b for two UTC DATETIME texts: as text when they have one shape (both databases write .fff), else as instants. */
const after = (a: string, b: string) => (a.length === b.length ? a > b : Date.parse(`${a.replace(' ', 'T')}Z`) > Date.parse(`${b.replace(' ', 'T')}Z`))

export const HEADER = csvLine([...CSV_HEADERS])

