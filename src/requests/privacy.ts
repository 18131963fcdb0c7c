import { maskMobile } from '../people/phone.js'

const MOBILE = /(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g
const ID_CARD = /(?<![\dA-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g

/** Masks mobile numbers (138****0001) and ID-card numbers in anything posted back to a group. */
export function maskPersonalText(text: string): string {
  return text
    .replace(ID_CARD, (id) => `${id.slice(0, 6)}********${id.slice(-4)}`)
    .replace(MOBILE, (m) => maskMobile(m.replace(/[\s-]/g, '')))
}
