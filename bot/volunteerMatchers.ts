import { foldText } from './matchers.js'

/** What a bound volunteer types privately. */
export type VolunteerCommand =
  | { kind: 'claim'; taskId: number }
  | { kind: 'report'; taskId: number; note: string | null }
  | { kind: 'release'; taskId: number }
  | { kind: 'balance' }
  | { kind: 'help' }

const N = '#?(\\d{1,10})'
const CLAIM = new RegExp(`^(?:认领|我来|接)\\s*${N}$`)
const REPORT = new RegExp(`^(?:完成|办好了?|已完成)\\s*${N}(?:[\\s,，:：]+([\\s\\S]*))?$`)
const RELEASE = new RegExp(`^(?:放弃|取消认领)\\s*${N}$`)

export function parseVolunteerCommand(raw: string): VolunteerCommand | null {
  const t = foldText(raw)
  let m = CLAIM.exec(t)
  if (m) return { kind: 'claim', taskId: Number(m[1]) }
  if ((m = REPORT.exec(t))) return { kind: 'report', taskId: Number(m[1]), note: m[2]?.trim() || null }
  if ((m = RELEASE.exec(t))) return { kind: 'release', taskId: Number(m[1]) }
  if (/^(?:我的)?积分$/.test(t)) return { kind: 'balance' }
  if (/^(?:帮助|help|\?|？)$/i.test(t)) return { kind: 'help' }
  return null
}

/** `认领 12` from someone who is not a bound volunteer gets told how to become one, not filed as a report. */
export const isClaimCommand = (raw: string) => CLAIM.test(foldText(raw))

/** The helped resident's answer (or staff answering for one without WeChat). */
export type ConfirmCommand = { kind: 'confirm' | 'dispute'; taskId: number; words: string | null }

const CONFIRM = new RegExp(`^(?:确认|确认完成|确认办好)\\s*${N}$`)
const DISPUTE = new RegExp(`^(?:没办好|没有办好|未完成|没完成|没有完成)\\s*${N}(?:[\\s,，:：]+([\\s\\S]*))?$`)

export function parseConfirmCommand(raw: string): ConfirmCommand | null {
  const t = foldText(raw)
  let m = CONFIRM.exec(t)
  if (m) return { kind: 'confirm', taskId: Number(m[1]), words: null }
  if ((m = DISPUTE.exec(t))) return { kind: 'dispute', taskId: Number(m[1]), words: m[2]?.trim() || null }
  return null
}

/** `心愿 想请人帮忙买降压药` → the wish; '' when the word is there without one. */
export function parseWish(raw: string): string | null {
  const m = /^(?:心愿|微心愿|许愿)[\s,，:：]*([\s\S]*)$/.exec(foldText(raw))
  return m ? m[1]!.trim() : null
}

/** Staff: `志愿 12` offers request 12 to the grid's volunteers; `兑换 小李 50 洗衣液` records a redemption (书记). */
export type VolunteerStaffCommand =
  | { kind: 'offer'; no: string }
  | { kind: 'redeem'; name: string; points: number; note: string }
  | { kind: 'malformed'; usage: string }

export const VOLUNTEER_STAFF_USAGE = { offer: '志愿 工单号，例如：志愿 12', redeem: '兑换 志愿者 积分 兑换物，例如：兑换 小李 50 洗衣液' }

const OFFER = new RegExp(`^(?:志愿|派志愿|交志愿者)\\s*${N}$`)
const REDEEM = /^兑换\s*(\S+)\s+(\d{1,6})\s*(?:分|积分)?[\s,，:：]+(\S[\s\S]*)$/

export function parseVolunteerStaffCommand(raw: string): VolunteerStaffCommand | null {
  const t = foldText(raw)
  let m = OFFER.exec(t)
  if (m) return { kind: 'offer', no: m[1]! }
  if ((m = REDEEM.exec(t))) return { kind: 'redeem', name: m[1]!, points: Number(m[2]), note: m[3]!.trim() }
  if (/^(?:派志愿|志愿)\s*\S{0,6}$/.test(t) && !/^志愿者/.test(t)) return { kind: 'malformed', usage: VOLUNTEER_STAFF_USAGE.offer }
  if (/^兑换/.test(t)) return { kind: 'malformed', usage: VOLUNTEER_STAFF_USAGE.redeem }
  return null
}
