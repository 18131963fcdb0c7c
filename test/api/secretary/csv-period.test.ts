import { describe, expect, it } from 'vitest'
import type { ServiceRequest } from '../../../src/db/entities/index.js'
import { BOM, csvField, requestsCsv } from '../../../miniprogram-api/presenters/requestsCsv.js'
import { isoInZone, parseInstant, resolvePeriod } from '../../../miniprogram-api/routes/secretary/period.js'

const TZ = 'Asia/Shanghai'

/** A minimal RFC 4180 reader, to check that what we write reads back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = [], cell = '', quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(cell); cell = '' }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++ }
    else cell += ch
  }
  if (cell || row.length) { row.push(cell); rows.push(row) }
  return rows
}

describe('CSV fields', () => {
  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('他说"漏水"')).toBe('"他说""漏水"""')
    expect(csvField('第一行\n第二行')).toBe('"第一行\n第二行"')
    expect(csvField(null)).toBe('')
    expect(csvField(3)).toBe('3')
  })
  it('defuses spreadsheet formulas in text', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"')
    expect(csvField('+1')).toBe("'+1")
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)")
  })
})

describe('requestsCsv', () => {
  const base = {
    id: 1, no: '7', source: 'group', category: 'repair', urgency: 'normal', status: 'resolved', building: '3', unit: '2', roomNo: '502',
    gridId: 10, assigneeStaffId: 20, originalText: '楼道灯坏了, 电话13812345678，"急"\n谢谢', createdAt: new Date('2026-11-23T01:00:00Z'),
    dispatchedAt: new Date('2026-11-23T01:00:00Z'), acceptedAt: new Date('2026-11-23T06:00:00Z'), resolvedAt: new Date('2026-11-23T08:00:00Z'),
    closedAt: null, acceptDueAt: new Date('2026-11-23T05:00:00Z'), resolveDueAt: new Date('2026-11-26T01:00:00Z'), resolutionNote: '=已换灯泡',
    rating: null, reopenCount: 0, needsTriage: false, reporterResidentId: 5,
  } as unknown as ServiceRequest
  const csv = requestsCsv([base], {
    timeZone: TZ, now: new Date('2026-11-24T00:00:00Z'), gridNames: new Map([[10, '第一网格']]), staffNames: new Map([[20, '王芳']]),
  })

  it('starts with a BOM and ends rows with CRLF', () => {
    expect(csv.startsWith(BOM)).toBe(true)
    expect(csv.slice(1).split('\r\n')[0]!.startsWith('工单号,上报时间,来源,分类')).toBe(true)
    expect(csv.endsWith('\r\n')).toBe(true)
  })
  it('reads back cell by cell, in the community timezone, with the phone masked', () => {
    const [header, row] = parseCsv(csv.slice(1))
    const cell = (name: string) => row![header!.indexOf(name)]
    expect(header).toHaveLength(row!.length)
    expect(cell('工单号')).toBe('7')
    expect(cell('上报时间')).toBe('2026-11-23 09:00')
    expect(cell('分类')).toBe('维修报修')
    expect(cell('网格')).toBe('第一网格')
    expect(cell('处理人')).toBe('王芳')
    expect(cell('诉求内容')).toBe('楼道灯坏了, 电话138****5678，"急"\n谢谢')
    expect(cell('签收超时')).toBe('是')
    expect(cell('办结超时')).toBe('否')
    expect(cell('办结说明')).toBe("'=已换灯泡")
    expect(csv).not.toMatch(/1[3-9]\d{9}/)
  })
})

describe('periods', () => {
  const now = new Date('2026-11-23T04:00:00Z')
  it('reads dates as whole days in the community timezone', () => {
    expect(parseInstant('2026-11-23', TZ, 'start').toISOString()).toBe('2026-11-22T16:00:00.000Z')
    expect(parseInstant('2026-11-23', TZ, 'end').toISOString()).toBe('2026-11-23T16:00:00.000Z')
    expect(parseInstant('2026-11-30', TZ, 'end').toISOString()).toBe('2026-11-30T16:00:00.000Z')
    expect(parseInstant('2026-11-23T09:30:00+08:00', TZ, 'start').toISOString()).toBe('2026-11-23T01:30:00.000Z')
  })
  it('rejects impossible dates, reversed and overlong periods', () => {
    expect(() => parseInstant('2026-02-30', TZ, 'start')).toThrow(/不存在/)
    expect(() => resolvePeriod({ from: '2026-11-23', to: '2026-11-01' }, { timeZone: TZ, now, defaultDays: 30, maxDays: 366 })).toThrow(/早于/)
    expect(() => resolvePeriod({ from: '2024-01-01', to: '2026-11-01' }, { timeZone: TZ, now, defaultDays: 30, maxDays: 366 })).toThrow(/366/)
  })
  it('defaults to the days before now', () => {
    const p = resolvePeriod({}, { timeZone: TZ, now, defaultDays: 30, maxDays: 366 })
    expect(p.to).toEqual(now)
    expect(now.getTime() - p.from.getTime()).toBe(30 * 86400_000)
  })
  it('formats ISO 8601 with the zone offset', () => {
    expect(isoInZone(new Date('2026-11-23T01:00:00.456Z'), TZ)).toBe('2026-11-23T09:00:00+08:00')
    expect(isoInZone(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00-04:00')
  })
})
