import { expect, it } from 'vitest'
import { paddedList, powerOfTwoRuns } from '../../src/db/statementShapes.js'

it('cuts rows into runs of power-of-two lengths, in order, and pads lists to the next power of two with their last value', () => {
  const rows = Array.from({ length: 45 }, (_, i) => i)
  const runs = powerOfTwoRuns(rows)
  expect(runs.map((r) => r.length)).toEqual([32, 8, 4, 1])
  expect(runs.flat()).toEqual(rows)
  expect(powerOfTwoRuns([])).toEqual([])
  expect(paddedList([1, 2, 3])).toEqual([1, 2, 3, 3])
  expect(paddedList([7])).toEqual([7])
  expect(paddedList(['a', 'b', 'c', 'd', 'e'])).toEqual(['a', 'b', 'c', 'd', 'e', 'e', 'e', 'e'])
  expect(paddedList([])).toEqual([])
  // a batch of any size from 1 to 128 makes at most 8 distinct lengths
  expect(new Set(Array.from({ length: 128 }, (_, i) => paddedList(Array.from({ length: i + 1 }, () => 0)).length)).size).toBe(8)
})
