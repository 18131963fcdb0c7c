import { expect, it } from 'vitest'
import { MAX_EXPORTS_IN_WORKERS, takeCsvWorkerSlot } from '../../../miniprogram-api/presenters/requestsCsvWorkers.js'

it('at most MAX_EXPORTS_IN_WORKERS exports run on worker threads at once; a released place is reused, once', () => {
  const slots = Array.from({ length: MAX_EXPORTS_IN_WORKERS }, () => takeCsvWorkerSlot())
  expect(slots.every((s) => typeof s === 'function')).toBe(true)
  expect(takeCsvWorkerSlot()).toBeNull()
  slots[0]!()
  slots[0]!() // a second release of the same place frees nothing more
  const again = takeCsvWorkerSlot()
  expect(again).toBeTypeOf('function')
  expect(takeCsvWorkerSlot()).toBeNull()
  again!(); for (const s of slots.slice(1)) s!()
})
