import { describe, expect, it } from 'vitest'
import { addWorkingTime, deadlines, describeWindow, expectationText, isWorkingDay } from '../../src/community/sla.js'

const at = (s: string) => new Date(s)
const iso = (d: Date) => d.toISOString()
const H = 3600_000

describe('working-day SLA (chinese-days calendar)', () => {
  it('knows 国庆 2026 (10-01…07 off) and the 调休 Saturday 10-10 (a working day)', () => {
    expect(isWorkingDay(at('2026-09-30T12:00:00+08:00'))).toBe(true)
    for (const d of ['01', '02', '05', '07']) expect(isWorkingDay(at(`2026-10-${d}T12:00:00+08:00`))).toBe(false)
    expect(isWorkingDay(at('2026-10-10T12:00:00+08:00'))).toBe(true)
    expect(isWorkingDay(at('2026-10-11T12:00:00+08:00'))).toBe(false)
    // Local days, not UTC ones: 10-01 00:30 in Beijing is still 09-30 in UTC.
    expect(isWorkingDay(at('2026-10-01T00:30:00+08:00'))).toBe(false)
  })

  it('normal: 3 working days from 09-30 10:00 skip the holiday and end on the 调休 Saturday', () => {
    const d = deadlines('normal', at('2026-09-30T10:00:00+08:00'))
    expect(iso(d.acceptDueAt)).toBe(iso(at('2026-09-30T14:00:00+08:00')))
    expect(iso(d.resolveDueAt)).toBe(iso(at('2026-10-10T10:00:00+08:00')))
  })

  it('a 4-hour window started at 22:00 before the holiday continues on the first working day', () => {
    expect(iso(addWorkingTime(at('2026-09-30T22:00:00+08:00'), 4 * H))).toBe(iso(at('2026-10-08T02:00:00+08:00')))
    expect(iso(addWorkingTime(at('2026-10-03T10:00:00+08:00'), 4 * H))).toBe(iso(at('2026-10-08T04:00:00+08:00')))
  })

  it('low: 7 working days over an ordinary weekend', () => {
    // Mon 11-23 09:00 + 7 working days (weekend 11-28/29 skipped) = Wed 12-02 09:00
    expect(iso(deadlines('low', at('2026-11-23T09:00:00+08:00')).resolveDueAt)).toBe(iso(at('2026-12-02T09:00:00+08:00')))
  })

  it('urgent and high run around the clock, holiday or not', () => {
    const d = deadlines('urgent', at('2026-10-01T10:00:00+08:00'))
    expect(iso(d.resolveDueAt)).toBe(iso(at('2026-10-01T12:00:00+08:00')))
    expect(iso(deadlines('high', at('2026-10-03T10:00:00+08:00')).resolveDueAt)).toBe(iso(at('2026-10-04T10:00:00+08:00')))
  })

  it('overrides from the community file still apply', () => {
    const d = deadlines('normal', at('2026-09-30T10:00:00+08:00'), { sla: { normal: { acceptMs: 2 * H, resolveMs: 24 * H } } })
    expect(iso(d.resolveDueAt)).toBe(iso(at('2026-10-08T10:00:00+08:00')))
  })

  it('texts say which clock applies', () => {
    expect(describeWindow('normal', 72 * H)).toBe('3个工作日内')
    expect(describeWindow('normal', 4 * H)).toBe('4个工作小时内')
    expect(describeWindow('urgent', 2 * H)).toBe('2小时内')
    expect(expectationText('urgent')).toBe('预计 15分钟内响应、2小时内办结')
    expect(expectationText('normal')).toBe('预计 4个工作小时内响应、3个工作日内办结（节假日顺延）')
  })
})
