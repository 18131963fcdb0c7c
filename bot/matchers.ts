/**
 * Message filtering as small pure functions, so each rule can be read and tested on its own.
 * Texts are folded first: full-width digits, letters, # and spaces (１２, ＃, 　) read like their ASCII forms;
 * other characters (Chinese punctuation in a note or reason) are kept as typed.
 */

/** WeChat puts U+2005 (four-per-em space) after an @mention; full-width ASCII forms become ASCII. */
export function foldText(text: string | null | undefined): string {
  return (text ?? '')
    .replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff03\uff20]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u2005\u00a0\u3000]/g, ' ')
    .trim()
}

/** Removes leading/inline "@name" mentions of the bot so the rest can be read as a command or a report. */
export function stripMentions(text: string, names: string[]): string {
  let t = foldText(text)
  for (const name of names.filter(Boolean)) {
    const escaped = foldText(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    t = t.replace(new RegExp(`@${escaped}\\s*`, 'g'), ' ')
  }
  return t.replace(/\s+/g, ' ').trim()
}

/** True when the text @-mentions one of the bot's names (the puppet's own mention flag is checked too, by the caller). */
export function mentionsBot(text: string, names: string[]): boolean {
  const t = foldText(text)
  return names.filter(Boolean).some((n) => t.includes(`@${foldText(n)}`))
}

export type StaffCommand =
  | { kind: 'accept'; no: string }
  | { kind: 'resolve'; no: string; note: string | null }
  | { kind: 'return'; no: string; reason: string }
  | { kind: 'transfer'; no: string; to: string }
  | { kind: 'todo' }
  | { kind: 'help' }
  /** The verb was recognised but the rest was not: the reply shows the right form. */
  | { kind: 'malformed'; verb: string; usage: string }

export const STAFF_USAGE = {
  accept: '接单 工单号，例如：接单 12',
  resolve: '完成 工单号 处理说明，例如：完成 12 已更换灯泡',
  return: '退单 工单号 原因，例如：退单 12 不属于本网格',
  transfer: '转派 工单号 姓名，例如：转派 12 刘强',
} as const

const NO = '#?(\\d{1,10})号?'
const ACCEPT = new RegExp(`^(?:接单|签收)\\s*${NO}$`)
const RESOLVE = new RegExp(`^(?:完成|办结)\\s*${NO}(?:[\\s,，:：]+(.*))?$`, 's')
const RETURN = new RegExp(`^(?:退单|退回)\\s*${NO}(?:[\\s,，:：]+(.*))?$`, 's')
const TRANSFER = new RegExp(`^(?:转派|转给)\\s*${NO}(?:[\\s,，:：]+(?:给)?(.+))?$`, 's')
const TODO = /^(?:待办|我的待办|待办事项|我的工单|任务)[?？。!！]*$/
const HELP = /^(?:帮助|help|\?|？|菜单|怎么用|使用说明)[?？。!！]*$/i
const VERB = /^(接单|签收|完成|办结|退单|退回|转派|转给)/

/**
 * Parses a staff command (签收, 办结, 退单, 转派, 待办, 帮助). null when the text is not one.
 * A known verb followed by something that does not fit gives `malformed` with the usage.
 */
export function parseStaffCommand(raw: string): StaffCommand | null {
  const text = foldText(raw)
  if (!text) return null
  let m: RegExpExecArray | null
  if ((m = ACCEPT.exec(text))) return { kind: 'accept', no: m[1]! }
  if ((m = RESOLVE.exec(text))) return { kind: 'resolve', no: m[1]!, note: m[2]?.trim() || null }
  if ((m = RETURN.exec(text))) {
    const reason = m[2]?.trim()
    return reason ? { kind: 'return', no: m[1]!, reason } : { kind: 'malformed', verb: '退单', usage: STAFF_USAGE.return }
  }
  if ((m = TRANSFER.exec(text))) {
    const to = m[2]?.trim()
    return to ? { kind: 'transfer', no: m[1]!, to } : { kind: 'malformed', verb: '转派', usage: STAFF_USAGE.transfer }
  }
  if (TODO.test(text)) return { kind: 'todo' }
  if (HELP.test(text)) return { kind: 'help' }
  const verb = VERB.exec(text)?.[1]
  if (!verb) return null
  if (verb === '接单' || verb === '签收') return { kind: 'malformed', verb, usage: STAFF_USAGE.accept }
  if (verb === '完成' || verb === '办结') return { kind: 'malformed', verb, usage: STAFF_USAGE.resolve }
  if (verb === '退单' || verb === '退回') return { kind: 'malformed', verb, usage: STAFF_USAGE.return }
  return { kind: 'malformed', verb, usage: STAFF_USAGE.transfer }
}

/**
 * A well-formed staff-only command (with a number, or 待办): what a non-staff sender is refused for.
 * "完成了吗？" from a resident is not one, so residents' ordinary words are never refused.
 */
export function isStaffCommand(text: string): boolean {
  const c = parseStaffCommand(text)
  return c !== null && c.kind !== 'help' && c.kind !== 'malformed'
}

/** 进度 / 查询: a resident asking for their open requests. */
export function isProgressQuery(raw: string): boolean {
  return /^(?:进度|查询|查进度|查询进度|我的工单|工单进度|办到哪了|处理到哪了)[?？。!！]*$/.test(foldText(raw))
}

export function isHelpRequest(raw: string): boolean {
  return HELP.test(foldText(raw))
}

/** 绑定 第一网格 / 绑定 社区: binds the room the command is typed in. */
/** `认证 123456`: a staff member binding their own WeChat with a one-time code. */
export function parseVerifyCommand(raw: string): string | null {
  const m = /^(?:认证|验证|认证码)\s*[:：]?\s*(\d{6})[。.!！]?$/.exec(foldText(raw))
  return m ? m[1]! : null
}

export type BindCommand = { target: 'community' } | { target: 'grid'; gridName: string }

export function parseBindCommand(raw: string): BindCommand | null {
  const m = /^绑定\s*(.+)$/.exec(foldText(raw))
  if (!m) return null
  const arg = m[1]!.trim()
  if (!arg) return null
  return arg === '社区' || arg === '本社区' ? { target: 'community' } : { target: 'grid', gridName: arg }
}

/** A room is bound when the community has a ChatRoom with its topic. */
export function isBoundRoom(boundTopics: Iterable<string>, topic: string | null | undefined): boolean {
  if (!topic) return false
  for (const t of boundTopics) if (t === topic) return true
  return false
}

const STAFF_REPORT = /^(?:上报|代报|巡查上报|代居民上报)\s*[:：,，]?\s*([\s\S]+)$/

/** `上报 5号楼门口井盖缺失`: a staff member's own report (巡查上报 / 代报); returns what is reported. */
export function parseStaffReport(text: string): string | null {
  const m = STAFF_REPORT.exec(text.trim())
  return m?.[1]?.trim() || null
}
