import { CATEGORY_NAMES, URGENCY_NAMES } from '../src/community/taxonomy.js'
import type { ServiceRequest } from '../src/db/entities/index.js'
import { locationText, STATUS_NAMES } from '../src/requests/index.js'
import { formatLocal } from '../src/time.js'

// What the bot itself says (the domain composes acknowledgements and notifications). Short, plain words.

export const RESIDENT_HELP = [
  '您好，我是社区小助手。',
  '有问题直接告诉我就行，比如「3号楼2单元楼道灯坏了」，我会登记并交给网格员处理。',
  '发送「进度」可以查看您反映的问题办到哪一步了。',
].join('\n')

/**
 * Why a message was not filed, for the sender (private chat, or an @-mention in a group): an instruction to
 * the bot, a "+1" with nothing recent to join, or no problem found — each with the way to report one.
 */
export function notFiled(reasons: string[], inGroup: boolean): string {
  const help = inGroup ? GROUP_HELP : RESIDENT_HELP
  const sep = inGroup ? '' : '\n'
  if (reasons.includes('prompt_injection_guard')) return `我只登记社区里需要处理的问题，不能执行指令或更改工单，这条没有登记。${sep}${help}`
  if (reasons.includes('follow_up_without_recent_request')) return `最近没有可以附上的工单，这条没有登记。${sep}${help}`
  return `没有从这条消息里识别出需要处理的问题，所以没有登记。${sep}${help}`
}

export const GROUP_HELP = '您好，我是社区小助手。请直接说明遇到的问题和位置，比如「3号楼楼道灯坏了」，我会登记并交给网格员处理；私聊我发送「进度」可查询办理情况。'

export const STAFF_HELP = [
  '工作人员指令：',
  '接单 12 —— 签收工单',
  '完成 12 处理说明 —— 办结（10分钟内发来的现场照片会附到工单上）',
  '退单 12 原因 —— 退回书记重新派单',
  '转派 12 姓名 —— 转给其他工作人员',
  '待办 —— 查看我手上的工单',
  '上报 情况描述 —— 巡查发现或代居民上报问题，例如：上报 5号楼门口井盖缺失',
  '帮助 —— 显示本说明',
].join('\n')

export const STAFF_REPORT_UNCLEAR = '没有识别出需要处理的问题，请写明地点和情况，例如：上报 5号楼门口井盖缺失'

export const NOT_STAFF = '抱歉，这是社区工作人员使用的指令，您没有权限操作。如需反映问题，请直接告诉我情况。\n社区工作人员请先私聊我发送「认证 六位认证码」（认证码向书记领取），绑定本微信后即可使用。'

export const verified = (name: string) => `认证成功：本微信已绑定为社区工作人员 ${name}。今后请用本微信接收和处理工单；换手机或换微信时请向书记领取新的认证码。\n${STAFF_HELP}`

export const VERIFY_UNAVAILABLE = '暂时无法识别您的微信账号，请稍后再发一次认证码。'

export const VERIFY_IN_GROUP = '认证码请私聊我发送，不要发在群里。这个认证码已经公开，请向书记重新领取。'

export const malformedCommand = (verb: string, usage: string) => `「${verb}」指令格式不对。正确写法：${usage}`

/** For someone who may not type easily: plain words, two ways out. */
export const voiceFallback = (gridLeader: string | null) =>
  `抱歉，我现在听不了语音。请您用文字把问题打出来，比如「3号楼楼道灯坏了」。不方便打字的话，可以请家里人帮忙打字，或者直接找${gridLeader ? `网格员${gridLeader}` : '网格员'}帮您反映。`

/** For a staff member: voice cannot carry a command. */
export const STAFF_VOICE = '抱歉，我听不了语音。请用文字发指令，例如「完成 12 已更换灯泡」；发送「帮助」可查看全部指令。'

export const IMAGE_WITHOUT_REQUEST = '收到您的图片。请再用文字说一下是什么问题、在哪栋楼，我好登记并安排人员处理。'
/** A staff member's photo that came too late (or before any 完成). */
export const STAFF_PHOTO_UNMATCHED = '这张照片没有附到工单上：只有回复「完成 工单号 说明」后10分钟内发来的照片才会附上。请先回复「完成」，再发照片。'
/** A well-formed staff command typed in a group by someone who is not staff (only when they @ the bot). */
export const NOT_STAFF_IN_GROUP = '抱歉，这是社区工作人员使用的指令。如需反映问题，请直接说明情况和位置。'

export const requestNotFound = (no: string) => `没有找到工单 ${no}，请核对工单号。发送「待办」可查看您手上的工单。`
export const staffNotFound = (name: string, names: string[]) =>
  `没有找到工作人员「${name}」，请核对姓名。${names.length ? `可以转派给：${names.join('、')}。` : ''}`
export const imageAttached = (no: string) => `照片已附到工单 ${no}。`

export const TOO_LONG_OR_EMPTY_FALLBACK = '请用一两句话说明遇到的问题和位置，我来登记。'

export const accepted = (r: ServiceRequest, tz: string) =>
  `已签收工单 ${r.no}。${r.resolveDueAt ? `请在 ${formatLocal(r.resolveDueAt, tz)} 前办结，` : ''}处理完回复「完成 ${r.no} 处理说明」。`
export const resolved = (r: ServiceRequest) =>
  `工单 ${r.no} 已办结，已通知居民，稍后会回访。有现场照片的话，10分钟内发给我即可附到工单上。`
export const returned = (r: ServiceRequest, secretary: string | null) => `工单 ${r.no} 已退回${secretary ? `给${secretary}` : ''}重新派单。`
export const transferred = (r: ServiceRequest, to: string) => `工单 ${r.no} 已转派给${to}。`

export function todoList(requests: ServiceRequest[], tz: string): string {
  if (!requests.length) return '您目前没有待办工单。'
  const lines = requests.map((r) => {
    const due = r.status === 'accepted' ? r.resolveDueAt : r.status === 'dispatched' || r.status === 'reopened' ? r.acceptDueAt : null
    const dueText = due ? `，${r.status === 'accepted' ? '办结' : '签收'}期限 ${formatLocal(due, tz)}` : ''
    return `${r.no}｜${CATEGORY_NAMES[r.category]}｜${URGENCY_NAMES[r.urgency]}｜${STATUS_NAMES[r.status]}｜${locationText(r)}${dueText}`
  })
  return [`您的待办工单（${requests.length}）：`, ...lines].join('\n')
}

export function progressList(rows: { request: ServiceRequest; handler: string | null }[]): string {
  if (!rows.length) return '您目前没有在办的工单。有问题直接告诉我就行，比如「3号楼楼道灯坏了」。'
  const lines = rows.map(({ request: r, handler }) =>
    `工单 ${r.no}｜${CATEGORY_NAMES[r.category]}｜${STATUS_NAMES[r.status]}${handler ? `｜${handler}负责` : ''}`)
  return ['您反映的问题：', ...lines].join('\n')
}

export const bound = (topic: string, what: string) => `已绑定：本群「${topic}」归${what}。群里反映的问题会自动登记并派给负责人。`
export const bindGridUnknown = (name: string, grids: string[]) => `没有找到网格「${name}」。可绑定：${[...grids, '社区'].join('、')}。`
export const BIND_NOT_ALLOWED = '只有社区工作人员可以绑定群。'
