/**
 * better-sqlite3 prepares (and TypeORM caches, 100 at a time) one statement per distinct SQL text, and a dropped one
 * keeps its native memory until a GC finalises it — which a busy bot's small JavaScript heap seldom asks for. Batches
 * would make a new text for every row count and list length: these keep the shapes few (powers of two).
 */

/** The list padded to the next power of two with its last value (for IN (…): the same set). */
export function paddedList<T>(values: readonly T[]): T[] {
  if (!values.length) return []
  const size = 2 ** Math.ceil(Math.log2(values.length))
  return [...values, ...Array.from({ length: size - values.length }, () => values[values.length - 1]!)]
}

/** "?, ?, …" for a padded list of n values. */
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ')

/** The rows cut into runs whose lengths are powers of two, largest first (45 → 32, 8, 4, 1), in order. */
export function powerOfTwoRuns<T>(rows: readonly T[]): T[][] {
  const runs: T[][] = []
  let at = 0
  while (at < rows.length) {
    const size = 2 ** Math.floor(Math.log2(rows.length - at))
    runs.push(rows.slice(at, at + size))
    at += size
  }
  return runs
}
