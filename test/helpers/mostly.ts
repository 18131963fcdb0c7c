import { expect, it } from 'vitest'

/**
 * Like `it.each`, but one test for the whole list: a learned classifier is judged on how many of a list of new
 * sentences it gets right (at least `share` of them), not on each one. The assertion message lists the misses.
 */
export function mostly(share: number) {
  return <T>(cases: readonly T[]) =>
    (title: string, fn: (...args: any[]) => void): void => {
      it(`${title.replace(/%s/g, '…')} — at least ${Math.round(share * 100)}% of ${cases.length}`, () => {
        const missed: string[] = []
        for (const c of cases) {
          try {
            if (Array.isArray(c)) fn(...c)
            else fn(c)
          } catch {
            missed.push(JSON.stringify(c))
          }
        }
        expect(1 - missed.length / cases.length, `missed:\n${missed.join('\n')}`).toBeGreaterThanOrEqual(share)
      })
    }
}
