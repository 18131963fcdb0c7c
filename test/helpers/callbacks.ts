import type { EntityManager } from 'typeorm'
import type { Clock } from '../../src/clock.js'
import { RequestReporter } from '../../src/db/entities/index.js'
import { answerCallback } from '../../src/requests/callbackAnswer.js'
import { moveCallback } from '../../src/requests/callbackStateMachine.js'
import { SYSTEM } from '../../src/requests/events.js'

/**
 * A resident answers their 回访 as the callbacks job leaves it: the question asked first (a bare 1/2/3 only
 * answers a 回访 that was asked), then the answer.
 */
export async function answerAskedCallback(em: EntityManager, clock: Clock, p: { residentId: number; text: string }) {
  for (const row of await em.find(RequestReporter, { where: { residentId: p.residentId, callbackStatus: 'pending' } })) {
    await moveCallback(em, clock, { row, action: 'ask', actor: SYSTEM, channel: 'system', set: { callbackAskedAt: clock.now() } })
  }
  return answerCallback(em, clock, { residentId: p.residentId, text: p.text, channel: 'private' })
}
