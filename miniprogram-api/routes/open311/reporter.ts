import { createHmac } from 'node:crypto'
import type { EntityManager } from 'typeorm'
import { IsNull } from 'typeorm'
import { Resident } from '../../../src/db/entities/index.js'
import { encryptPhone, hashPhone, maskMobile, normalizeMobile } from '../../../src/people/phone.js'

/** Marks residents known only through Open311 (kept in wechatContactId: they have no WeChat name, so nothing is ever DMed to them). */
export const OPEN311_CONTACT_PREFIX = 'open311:'
export const PLATFORM_CONTACT = `${OPEN311_CONTACT_PREFIX}platform`
export const PLATFORM_RESIDENT_NAME = '城市服务平台'

export interface Open311Reporter {
  communityId: number
  phone?: string
  email?: string
  deviceId?: string
  name?: string
}

const keyed = (value: string, key: string) => createHmac('sha256', key).update(value).digest('hex')

/**
 * Who reported it, as a resident row the lifecycle can attach to the request:
 * - a mainland mobile: the resident with that phone in the community (a mini-program user who bound it
 *   is the same person, and hears back there), else a new one with the phone encrypted as usual;
 * - else an email or device_id: one resident per value, found by a keyed hash (the value is not stored);
 * - else the community's single "城市服务平台" resident.
 * Open311 residents have no WeChat name or openid, so intake sends them no acknowledgement; the platform
 * polls requests/{id}.json instead.
 */
export async function resolveOpen311Reporter(em: EntityManager, p: Open311Reporter, opts: { encryptionKey: string }): Promise<Resident> {
  const name = p.name?.trim() || null
  const mobile = p.phone ? normalizeMobile(p.phone) : null
  if (mobile) {
    const phoneHash = hashPhone(mobile, opts.encryptionKey)
    const known = await em.findOne(Resident, { where: { communityId: p.communityId, phoneHash }, order: { id: 'ASC' } })
    if (known) return known
    return em.save(Resident, em.create(Resident, {
      communityId: p.communityId, name, wechatName: null, wechatContactId: `${OPEN311_CONTACT_PREFIX}phone`,
      phoneEncrypted: encryptPhone(mobile, opts.encryptionKey), phoneMasked: maskMobile(mobile), phoneHash, vulnerability: [],
    }))
  }
  const contact = p.email ? `${OPEN311_CONTACT_PREFIX}email:${keyed(p.email.trim().toLowerCase(), opts.encryptionKey)}`
    : p.deviceId ? `${OPEN311_CONTACT_PREFIX}device:${keyed(p.deviceId.trim(), opts.encryptionKey)}`
    : PLATFORM_CONTACT
  const known = await em.findOne(Resident, { where: { communityId: p.communityId, wechatContactId: contact, wechatName: IsNull() }, order: { id: 'ASC' } })
  if (known) return known
  return em.save(Resident, em.create(Resident, {
    communityId: p.communityId, wechatName: null, wechatContactId: contact,
    name: contact === PLATFORM_CONTACT ? PLATFORM_RESIDENT_NAME : name, vulnerability: [],
  }))
}
