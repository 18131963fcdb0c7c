import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { careHash } from './crypto.js'
import { noteResidentContact, rosterEntryByWechatHash } from './visits.js'

/** A report from a WeChat name that is a roster resident's own: restarts their visit clock. False if they are not on the roster. */
export async function noteRosterResidentReport(em: EntityManager, clock: Clock, p: { communityId: number; wechatName: string; requestId: number; encryptionKey: string }): Promise<boolean> {
  const entry = await rosterEntryByWechatHash(em, p.communityId, careHash(p.wechatName, p.encryptionKey))
  if (!entry) return false
  return noteResidentContact(em, clock, { careResidentId: entry.id, via: 'own_report', requestId: p.requestId })
}
