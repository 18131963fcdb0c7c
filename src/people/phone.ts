import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto'

/** Mainland mobile numbers, normalised to 11 digits; null if it is not one. */
export function normalizeMobile(raw: string): string | null {
  const digits = raw.replace(/[\s\-()]/g, '').replace(/^(\+?86)/, '')
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null
}

/** 13800000001 → 138****0001 */
export function maskMobile(phone: string): string {
  const p = normalizeMobile(phone) ?? phone
  return p.length >= 7 ? `${p.slice(0, 3)}****${p.slice(-4)}` : '****'
}

// Derived once per secret: hashing a sender's name is on every filed report (the care roster's check).
const keys = new Map<string, Buffer>()
function keyOf(secret: string): Buffer {
  let key = keys.get(secret)
  if (!key) {
    if (keys.size >= 8) keys.clear()
    keys.set(secret, (key = createHash('sha256').update(secret).digest()))
  }
  return key
}

/** A keyed hash for finding a person by phone without storing the number in clear. */
export function hashPhone(phone: string, secret: string): string {
  return createHmac('sha256', keyOf(secret)).update(normalizeMobile(phone) ?? phone).digest('hex')
}

/** AES-256-GCM, base64(iv|tag|ciphertext). */
export function encryptPhone(phone: string, secret: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv)
  const body = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
}

export function decryptPhone(blob: string, secret: string): string {
  const raw = Buffer.from(blob, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, 12))
  decipher.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
}
