import { decryptPhone, encryptPhone, hashPhone } from '../people/phone.js'
import type { CareDetails } from './vocabulary.js'

// Roster details reuse the residents' phone encryption (AES-256-GCM) and its keyed hash.

export const encryptDetails = (d: CareDetails, key: string) => encryptPhone(JSON.stringify(d), key)
export const decryptDetails = (blob: string, key: string): CareDetails => JSON.parse(decryptPhone(blob, key)) as CareDetails
export const encryptText = (s: string, key: string) => encryptPhone(s, key)
export const decryptText = (blob: string, key: string) => decryptPhone(blob, key)

/** Keyed hash of a roster identity or a WeChat name: lookups without the value in clear. */
export const careHash = (value: string, key: string) => hashPhone(`care:${value}`, key)
export const rosterKey = (d: Pick<CareDetails, 'name' | 'building' | 'unit' | 'room'>, key: string) =>
  careHash([d.name, d.building ?? '', d.unit ?? '', d.room ?? ''].join('|'), key)
