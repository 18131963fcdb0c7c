import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatLocalIso, formatLocalIsoText, localIsoTextFormatter, localParts, utcDatetimeText, zonedTime } from '../../src/time.js'

/** What a fresh formatter says: the reference the cached offsets must agree with. */
function reference(date: Date, timeZone: string) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
  })
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]))
  const weekday = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }[p.weekday as 'Mon']
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second), weekday }
}

const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC']

describe('local time', () => {
  it('agrees with Intl for any instant 1970–2100 in zones with and without daylight saving', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...ZONES), (t, tz) => {
      expect(localParts(new Date(t), tz)).toEqual(reference(new Date(t), tz))
    }), { numRuns: 3000 })
  })

  it('is exact on both sides of a daylight-saving change', () => {
    // New York 2026-03-08 02:00 EST → 03:00 EDT (07:00 UTC); Lord Howe 2026-04-05 02:00 → 01:30 (15:00 UTC).
    for (const [iso, tz] of [['2026-03-08T07:00:00Z', 'America/New_York'], ['2026-04-04T15:00:00Z', 'Australia/Lord_Howe']] as const) {
      for (const delta of [-1000, -1, 0, 1, 1000]) {
        const d = new Date(Date.parse(iso) + delta)
        expect(localParts(d, tz)).toEqual(reference(d, tz))
      }
    }
  })

  it('formats and round-trips wall-clock times', () => {
    expect(formatLocalIso(new Date('2026-11-23T05:07:00Z'), 'Asia/Shanghai')).toBe('2026-11-23 13:07')
    expect(zonedTime('Asia/Shanghai', 2026, 11, 23, 13, 7).toISOString()).toBe('2026-11-23T05:07:00.000Z')
    expect(() => localParts(new Date(), 'Not/AZone')).toThrow(RangeError)
  })
})

describe('local time of DATETIME text (the CSV)', () => {
  const TEXT_ZONES = [...ZONES, 'Asia/Kathmandu', 'Australia/Adelaide', 'America/Sao_Paulo', 'Europe/Dublin']

  it('agrees with formatLocalIso for any instant 1970–2100, in zones with and without daylight saving', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(...TEXT_ZONES), (t, tz) => {
      expect(formatLocalIsoText(utcDatetimeText(new Date(t)), tz)).toBe(formatLocalIso(new Date(t), tz))
    }), { numRuns: 3000 })
  })

  it('is exact minute by minute across daylight-saving changes, with one formatter remembering its last hour', () => {
    // New York springs forward 2026-03-08 07:00 UTC and falls back 2026-11-01 06:00 UTC; London 2026-03-29 01:00 UTC;
    // Lord Howe moves half an hour 2026-04-04 15:00 UTC; Kathmandu is +05:45 all year.
    const changes = [['2026-03-08T07:00:00Z', 'America/New_York'], ['2026-11-01T06:00:00Z', 'America/New_York'],
      ['2026-03-29T01:00:00Z', 'Europe/London'], ['2026-04-04T15:00:00Z', 'Australia/Lord_Howe'], ['2026-04-04T15:00:00Z', 'Asia/Kathmandu']] as const
    for (const [iso, tz] of changes) {
      const format = localIsoTextFormatter(tz)
      for (let m = -150; m <= 150; m++) {
        const d = new Date(Date.parse(iso) + m * 60_000 + 59_999)
        expect(format(utcDatetimeText(d)), `${tz} ${d.toISOString()}`).toBe(formatLocalIso(d, tz))
      }
    }
    const ny = localIsoTextFormatter('America/New_York')
    expect(ny('2026-03-08 06:59:59.999')).toBe('2026-03-08 01:59')
    expect(ny('2026-03-08 07:00:00.000')).toBe('2026-03-08 03:00')
    expect(ny('2026-11-01 05:30:00.000')).toBe('2026-11-01 01:30')
    expect(ny('2026-11-01 06:30:00.000')).toBe('2026-11-01 01:30')
    expect(formatLocalIsoText('2026-04-04 15:10:00.000', 'Asia/Kathmandu')).toBe('2026-04-04 20:55')
  })

  it('reads DATETIME text with or without fractions, and other text as an instant', () => {
    expect(formatLocalIsoText('2026-11-23 01:00:00', 'Asia/Shanghai')).toBe('2026-11-23 09:00')
    expect(formatLocalIsoText('2026-11-23 16:59:59.999', 'Asia/Shanghai')).toBe('2026-11-24 00:59')
    expect(formatLocalIsoText('2026-11-23 01:00', 'Asia/Shanghai')).toBe('2026-11-23 09:00')
  })
})
