/** Time is injected so the simulator and tests control it. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock the simulator and tests move by hand. */
export class VirtualClock implements Clock {
  private current: number
  constructor(start: Date | string | number = Date.now()) {
    this.current = new Date(start).getTime()
  }
  now(): Date {
    return new Date(this.current)
  }
  set(to: Date | string | number): void {
    this.current = new Date(to).getTime()
  }
  advance(ms: number): Date {
    this.current += ms
    return this.now()
  }
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/
/** ISO-8601 durations as the community YAML writes them: PT15M, PT2H, P7D, P1DT2H. */
export function parseDuration(iso: string): number {
  const m = DURATION.exec(iso.trim())
  if (!m || iso.trim() === 'P' || iso.trim().endsWith('T')) throw new Error(`not an ISO-8601 duration: ${iso}`)
  const [, d, h, min, s] = m
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000
}
