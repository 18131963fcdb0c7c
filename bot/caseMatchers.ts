import { foldText } from './matchers.js'

/** Case commands: 撤销 (reporter or 书记), 合并, 拆分, 位置. Pure, tested in test/bot/caseMatchers.test.ts. */
export type CaseCommand =
  | { kind: 'cancel'; no: string; reason: string | null; notARequest: boolean }
  | { kind: 'merge'; no: string; into: string }
  | { kind: 'split'; no: string; parts: string[] }
  | { kind: 'locate'; no: string; place: string }
  | { kind: 'malformed'; verb: string; usage: string }

export const CASE_USAGE = {
  cancel: '撤销 工单号 原因，例如：撤销 12 不是诉求，是闲聊',
  merge: '合并 工单号 到 工单号，例如：合并 12 到 9',
  split: '拆分 工单号 问题一；问题二，例如：拆分 12 电梯异响；单元门坏了',
  locate: '位置 工单号 楼号单元，例如：位置 12 7号楼3单元',
} as const

const NO = '#?(\\d{1,10})号?'
const REST = '(?:[\\s,，:：]+(.*))?'
const CANCEL = new RegExp(`^(?:撤销|撤回|作废)\\s*(?:工单)?\\s*${NO}${REST}$`, 's')
const NOT_REQUEST = new RegExp(`^(?:非诉求|不是诉求)\\s*${NO}${REST}$`, 's')
const MERGE = new RegExp(`^合并\\s*(?:工单)?\\s*${NO}\\s*(?:到|进|入|至|->|→|[\\s,，])\\s*(?:工单)?\\s*${NO}$`)
const SPLIT = new RegExp(`^(?:拆分|拆单)\\s*${NO}${REST}$`, 's')
const LOCATE = new RegExp(`^(?:位置|地址|更正位置)\\s*${NO}${REST}$`, 's')
/** A verb followed by a number: meant as a command even if the rest does not fit. */
const VERB = /^(撤销|撤回|作废|非诉求|不是诉求|合并|拆分|拆单|位置|地址|更正位置)\s*(?:工单)?\s*#?\d/

/** Words in a 书记's 撤销 reason that mean "this was never a request" (as opposed to invalid). */
const NOT_A_REQUEST_WORDS = /不是诉求|非诉求|不是问题|闲聊|聊天|通知|公告|不是工单|误报|不需要处理/

export const isNotARequestReason = (reason: string | null) => !!reason && NOT_A_REQUEST_WORDS.test(reason)

export function parseCaseCommand(raw: string): CaseCommand | null {
  const text = foldText(raw)
  let m: RegExpExecArray | null
  if ((m = CANCEL.exec(text))) return { kind: 'cancel', no: m[1]!, reason: m[2]?.trim() || null, notARequest: isNotARequestReason(m[2] ?? null) }
  if ((m = NOT_REQUEST.exec(text))) return { kind: 'cancel', no: m[1]!, reason: m[2]?.trim() || '不是诉求', notARequest: true }
  if ((m = MERGE.exec(text))) return { kind: 'merge', no: m[1]!, into: m[2]! }
  if ((m = SPLIT.exec(text))) {
    const parts = (m[2] ?? '').split(/[；;\n|｜]+|\s*\/\s*/).map((x) => x.trim()).filter(Boolean)
    return parts.length ? { kind: 'split', no: m[1]!, parts } : { kind: 'malformed', verb: '拆分', usage: CASE_USAGE.split }
  }
  if ((m = LOCATE.exec(text))) {
    const place = m[2]?.trim()
    return place ? { kind: 'locate', no: m[1]!, place } : { kind: 'malformed', verb: '位置', usage: CASE_USAGE.locate }
  }
  const verb = VERB.exec(text)?.[1]
  if (!verb) return null
  if (verb === '合并') return { kind: 'malformed', verb, usage: CASE_USAGE.merge }
  if (verb === '拆分' || verb === '拆单') return { kind: 'malformed', verb, usage: CASE_USAGE.split }
  if (verb === '位置' || verb === '地址' || verb === '更正位置') return { kind: 'malformed', verb, usage: CASE_USAGE.locate }
  return { kind: 'malformed', verb, usage: CASE_USAGE.cancel }
}

/** "谢谢" and its kin, as the whole message. */
export function isThanks(raw: string): boolean {
  return /^(?:谢谢|谢谢你|谢谢您|谢谢啦|谢了|多谢|感谢|太感谢了|非常感谢|辛苦了|辛苦|thanks?|thank you|thx)[!！。.~～啦呀哈\s]*$/i.test(foldText(raw))
}

/** "我拍个照片" / "等下发图": the reporter will send a photo. */
export function promisesPhoto(raw: string): boolean {
  return /(?:拍|发|传)(?:个|张|一下|几张|一张)?(?:照片|照|图片|图|相片)|(?:照片|图片).{0,3}(?:等下|一会|马上|稍后)(?:发|传)/.test(foldText(raw))
}
