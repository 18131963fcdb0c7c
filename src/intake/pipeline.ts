import type { EntityManager } from 'typeorm'
import type { Classification, Classifier } from './classifier/types.js'
import type { Category } from '../community/taxonomy.js'
import type { ChatRoom, Resident, ServiceRequest, RequestSource } from '../db/entities/index.js'
import type { AppContext } from '../context.js'

/** One message entering jiesu, from a group, a private chat, the mini-program or a staff member. */
export interface IntakeMessage {
  communityId: number
  source: RequestSource
  text: string
  /**
   * The resident who wrote it: their id, or a function finding (or creating) them inside intake's own
   * transaction — so chatter, which files nothing, never looks the sender up (the bot passes findOrCreateWechatResident;
   * returning the row itself saves reading it again).
   */
  residentId: number | ((em: EntityManager) => Promise<number | Resident>)
  /** The sender's row when the caller has read it whole (the API's signed-in resident): not read again. */
  resident?: Resident
  /** A staff member filing it themselves (巡查上报 / 代报); the reporter resident is then their own record. */
  reporterStaffId?: number | null
  /** The bound chat room it came from, if any. */
  chatRoomId?: number | null
  /** That room's row when the caller has already read it (saves reading it again). */
  chatRoom?: ChatRoom | null
  /** Stable id of the cause (e.g. `inbox:42`), so a replay can never create or notify twice. */
  causeKey: string
  /** Location or category the resident gave in a form (mini-program); the classifier still runs. */
  hints?: { building?: string | null; unit?: string | null; room?: string | null; category?: Category | null }
  /** Where the acknowledgement goes: a group reply @-mentioning the sender, a DM, or nowhere (the API answers itself). */
  acknowledge: 'room' | 'dm' | 'none'
  /**
   * Runs inside the transaction that files the request (created or attached), so what the caller records
   * about it — the inbox row marked processed, its replies — commits with it or not at all.
   */
  within?: (em: EntityManager, result: Exclude<IntakeResult, { kind: 'chatter' }>) => Promise<void>
}

export type IntakeResult =
  | { kind: 'chatter'; classification: Classification }
  | { kind: 'created'; request: ServiceRequest; classification: Classification }
  | { kind: 'attached'; request: ServiceRequest; classification: Classification }

export interface IntakeDeps extends AppContext {
  classifier: Classifier
}

/**
 * normalise → request or chatter? → category and urgency → building/unit/room → does it repeat an
 * open request? → create or attach → route. Implemented in intake/run.ts.
 */
export type RunIntake = (deps: IntakeDeps, msg: IntakeMessage) => Promise<IntakeResult>
