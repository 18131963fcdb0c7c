import { CATEGORY_NAMES, URGENCY_NAMES } from '../../src/community/taxonomy.js'
import type { RequestSource } from '../../src/db/entities/index.js'
import type { PeriodRow } from '../../src/requests/periodRows.js'
import { RATING_NAMES } from '../../src/requests/feedback.js'
import { maskPersonalText } from '../../src/requests/privacy.js'
import { OPEN_STATUSES, STATUS_NAMES } from '../../src/requests/stateMachine.js'
import { formatLocalIso } from '../../src/time.js'

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
export const CSV_COLUMNS: { header: string; value: (r: PeriodRow, c: CsvContext) => string | number | null }[] = [
  { header: '工单号', value: (r) => r.no },
  { header: '上报时间', value: (r, c) => formatLocalIso(r.createdAt, c.timeZone) },
  { header: '来源', value: (r) => SOURCE_NAMES[r.source] ?? r.source },
  { header: '分类', value: (r) => CATEGORY_NAMES[r.category] ?? r.category },
  { header: '紧急程度', value: (r) => URGENCY_NAMES[r.urgency] ?? r.urgency },
  { header: '状态', value: (r) => STATUS_NAMES[r.status] ?? r.status },
  { header: '楼栋', value: (r) => r.building },
  { header: '单元', value: (r) => r.unit },
  { header: '房号', value: (r) => r.roomNo },
  { header: '网格', value: (r, c) => (r.gridId != null ? c.gridNames.get(r.gridId) ?? null : null) },
  { header: '处理人', value: (r, c) => (r.assigneeStaffId != null ? c.staffNames.get(r.assigneeStaffId) ?? null : null) },
  { header: '诉求内容', value: (r) => maskPersonalText(r.originalText) },
  { header: '派单时间', value: (r, c) => time(r.dispatchedAt, c) },
  { header: '签收时间', value: (r, c) => time(r.acceptedAt, c) },
  { header: '办结时间', value: (r, c) => time(r.resolvedAt, c) },
  { header: '关闭时间', value: (r, c) => time(r.closedAt, c) },
  { header: '签收时限', value: (r, c) => time(r.acceptDueAt, c) },
  { header: '办结时限', value: (r, c) => time(r.resolveDueAt, c) },
  { header: '签收超时', value: (r, c) => yesNo(late(r.acceptedAt, r.acceptDueAt, r, c.now)) },
  { header: '办结超时', value: (r, c) => yesNo(late(r.resolvedAt, r.resolveDueAt, r, c.now)) },
  { header: '办结说明', value: (r) => (r.resolutionNote ? maskPersonalText(r.resolutionNote) : null) },
  { header: '满意度', value: (r) => (r.rating ? RATING_NAMES[r.rating] : null) },
  { header: '重办次数', value: (r) => r.reopenCount },
  { header: '待分诊', value: (r) => yesNo(r.needsTriage) },
]

const time = (d: Date | null, c: CsvContext) => (d ? formatLocalIso(d, c.timeZone) : null)
const yesNo = (b: boolean) => (b ? '是' : '否')
/** Done after its deadline, or still open past it. */
const late = (done: Date | null, due: Date | null, r: PeriodRow, now: Date) =>
  !!due && (done ? done.getTime() > due.getTime() : OPEN_STATUSES.includes(r.status) && now.getTime() > due.getTime())

const csvRow = (r: PeriodRow, c: CsvContext) => csvLine(CSV_COLUMNS.map((col) => col.value(r, c)))
const HEADER = () => csvLine(CSV_COLUMNS.map((col) => col.header))

/** The whole file: BOM, header row, one row per request, CRLF line ends. */
export function requestsCsv(rows: PeriodRow[], c: CsvContext): string {
  const lines = [HEADER(), ...rows.map((r) => csvRow(r, c))]
  return BOM + lines.join('\r\n') + '\r\n'
}

/** The same file as chunks, one per batch of rows, for streaming to the response. */
export async function* requestsCsvChunks(batches: AsyncIterable<PeriodRow[]>, c: CsvContext): AsyncGenerator<string> {
  yield BOM + HEADER() + '\r\n'
  for await (const rows of batches) {
    let chunk = ''
    for (const r of rows) chunk += csvRow(r, c) + '\r\n'
    yield chunk
  }
}
