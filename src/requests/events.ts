import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { RequestEvent, type ActorType, type Channel } from '../db/entities/index.js'
import { insertRowIf, insertRows } from '../db/insertRows.js'

export interface Actor {
  type: ActorType
  /** staff id or resident id; null for the system */
  id: number | null
}
export const SYSTEM: Actor = { type: 'system', id: null }

export interface EventProps {
  requestId: number
  type: string
  actor: Actor
  channel: Channel
  fromStatus?: string | null
  toStatus?: string | null
  data?: Record<string, unknown> | null
}

/** Appends one row to the request's event log (never updated, never deleted). */
export async function recordEvent(em: EntityManager, clock: Clock, p: EventProps): Promise<RequestEvent> {
  return (await recordEvents(em, clock, [p]))[0]!
}

/** Appends several rows to event logs in one INSERT, returned in order with their ids. */
export async function recordEvents(em: EntityManager, clock: Clock, events: EventProps[]): Promise<RequestEvent[]> {
  const at = clock.now()
  return insertRows(em, RequestEvent, events.map((p) => eventRow(p, at)))
}

/**
 * Appends the row only when `condition` (SQL, with its parameters) holds as it is written, in the same statement
 * (insertRowIf); null when it did not, and nothing was written.
 */
export async function recordEventIf(em: EntityManager, clock: Clock, p: EventProps, condition: string, conditionParams: unknown[]): Promise<RequestEvent | null> {
  return insertRowIf(em, RequestEvent, eventRow(p, clock.now()), condition, conditionParams)
}

const eventRow = (p: EventProps, at: Date): Partial<RequestEvent> => ({
  requestId: p.requestId, type: p.type, actorType: p.actor.type, actorId: p.actor.id, channel: p.channel,
  fromStatus: p.fromStatus ?? null, toStatus: p.toStatus ?? null, data: p.data ?? null, createdAt: at,
})
