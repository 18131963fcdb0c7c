import { CATEGORY_NAMES, URGENCY_NAMES } from '../src/community/taxonomy.js'
import type { ServiceRequest } from '../src/db/entities/index.js'
import { locationText, slaClockNote, STATUS_NAMES } from '../src/requests/index.js'
import { formatLocal } from '../src/time.js'
import { notFoundText } from '../src/errors.js'

// What the bot itself says (the domain composes acknowledgements and notifications). Short, plain words.

export const RESIDENT_HELP = [
  '您好，我是社区小助手。',
  '有问题直接告诉我就行，比如「3号楼2单元楼道灯坏了」，我会登记并交给网格员处理。',
  '发送「进度」可以查看您反映的问题办到哪一步了；发送「撤销 工单号」可以撤回自己提交的问题。',
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
  if (reasons.includes('too_vague')) return `请问您遇到了什么问题？请说一下具体情况和位置，我再帮您登记。${sep}${help}`
  return `没有从这条消息里识别出需要处理的问题，所以没有登记。${sep}${help}`
}

export const GROUP_HELP = '您好，我是社区小助手。请直接说明遇到的问题和位置，比如「3号楼楼道灯坏了」，我会登记并交给网格员处理；私聊我发送「进度」可查询办理情况。'

const COMMON_STAFF_COMMANDS = [
  '合并 12 到 9 —— 重复反映的工单并入另一张（居民、照片和回访一并转过去）',
  '拆分 12 问题一；问题二 —— 一条反映里有几件事时，每件另立一张工单',
  '位置 12 7号楼3单元 —— 补充或更正位置（换网格时自动改派）',
  '待办 —— 查看我手上的工单',
  '上报 情况描述 —— 巡查发现或代居民上报问题，例如：上报 5号楼门口井盖缺失',
  '走访 姓名 情况 —— 记录走访关爱对象（民情日志），提到的需求自动代报，例如：走访 张奶奶 一切正常',
  '立项 问题号 负责人 期限 —— 书记把反复出现的问题转为治理项目，例如：立项 3 王芳 12月31日；结项 项目号 说明',
  '志愿 12 —— 把不急的助老工单（代买药、陪同就医、送餐）发给本网格志愿者认领；确认 12 —— 替不用微信的居民确认志愿任务已办好',
  '兑换 志愿者 积分 兑换物 —— 书记登记爱心积分兑换，例如：兑换 小李 50 洗衣液',
  '后台 —— 获取网页工作台的登录链接（私聊）',
  '帮助 —— 显示本说明',
]

export const STAFF_HELP = [
  '工作人员指令：',
  '接单 12 —— 签收工单',
  '完成 12 处理说明 —— 办结（必须写处理说明；10分钟内发来的现场照片会附到工单上）',
  '退单 12 原因 —— 退回书记重新派单',
  '转派 12 姓名 —— 转给其他工作人员',
  ...COMMON_STAFF_COMMANDS,
].join('\n')

/** The 书记 dispatches and cancels; she does not 退单 to herself. */
export const SECRETARY_HELP = [
  '书记指令：',
  '转派 12 姓名 —— 派单或改派（退回的工单也这样重新派）',
  '撤销 12 原因 —— 撤销不是诉求或无效的工单，例如：撤销 12 不是诉求，是闲聊（不计入三率）',
  '接单 12 / 完成 12 处理说明 —— 自己处理的工单',
  ...COMMON_STAFF_COMMANDS,
].join('\n')

export const staffHelp = (role: string) => (role === 'secretary' ? SECRETARY_HELP : STAFF_HELP)

export const STAFF_REPORT_UNCLEAR = '没有识别出需要处理的问题，请写明地点和情况，例如：上报 5号楼门口井盖缺失'

export const NOT_STAFF = '抱歉，这是社区工作人员使用的指令，您没有权限操作。如需反映问题，请直接告诉我情况。\n社区工作人员请先私聊我发送「认证 六位认证码」（认证码向书记领取），绑定本微信后即可使用。'

export const verified = (name: string) => `认证成功：本微信已绑定为社区工作人员 ${name}。今后请用本微信接收和处理工单；换手机或换微信时请向书记领取新的认证码。\n${STAFF_HELP}`

export const VERIFY_UNAVAILABLE = '暂时无法识别您的微信账号，请稍后再发一次认证码。'

/**
 * `认证 123456` in a group: a live code is voided (everyone saw it); an unknown one was never valid. The 书记 issues
 * codes, so he is not told to ask the 书记.
 */
export const verifyInGroup = (voided: boolean, bySecretary: boolean) =>
  '认证码请私聊我发送，不要发在群里。' + (voided
    ? `这个认证码已在群里公开，已作废，${bySecretary ? '请重新生成一个，再私聊发给我。' : '请向书记重新领取。'}`
    : `这个认证码不正确或已失效，${bySecretary ? '请核对后私聊发给我。' : '请核对后私聊发给我，或请书记重新发放认证码。'}`)

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

/** The one-time console link (DM only). */
export const consoleLink = (url: string) =>
  `网页工作台登录链接（10分钟内有效，只能打开一次，请勿转发）：\n${url}\n过期后再发「后台」获取新链接。`

export const requestNotFound = (no: string) => `${notFoundText(`工单 ${no}`)}发送「待办」可查看您手上的工单。`
export const staffNotFound = (name: string, names: string[]) =>
  `没有找到工作人员「${name}」，请核对姓名。${names.length ? `可以转派给：${names.join('、')}。` : ''}`
export const imageAttached = (no: string) => `照片已附到工单 ${no}。`

export const TOO_LONG_OR_EMPTY_FALLBACK = '请用一两句话说明遇到的问题和位置，我来登记。'

export const accepted = (r: ServiceRequest, tz: string) =>
  `已签收工单 ${r.no}。${r.resolveDueAt ? `请在 ${formatLocal(r.resolveDueAt, tz)} 前办结${slaClockNote(r)}，` : ''}处理完回复「完成 ${r.no} 处理说明」。`
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

export const THANKS_REPLY = '不客气！有问题随时告诉我。'

// The bot asks for what it needs, and says what it did with the answer.
export const ASK_LOCATION = '请问是几号楼几单元？直接回复即可，比如「7号楼3单元」。'
export const locationFilled = (r: ServiceRequest, handler: string | null) =>
  `已补充位置：${locationText(r)}（工单 ${r.no}）${handler ? `，由${handler}负责处理` : ''}。`
export const photoAwaited = (no: string) => `好的，照片发来后我会附到工单 ${no}。`
export const resolveNeedsNote = (no: string) =>
  `办结需要写处理说明，工单 ${no} 还未办结。请直接回复处理情况（例如「已更换灯泡」），或发送「完成 ${no} 处理说明」。`

/** A resident's question about a notice a staff member just posted in the group. */
export const fromNotice = (staff: string, notice: string) =>
  `${staff}已在群里通知：“${notice.length > 120 ? `${notice.slice(0, 120)}…` : notice}”如有其他情况，请说明具体位置和问题，工作人员会跟进。`

// Case commands.
export const withdrawn = (no: string) => `工单 ${no} 已撤销，不再办理。如有新的问题，直接告诉我就行。`
export const cancelled = (no: string, kind: string) => `工单 ${no} 已撤销（${kind === 'not_a_request' ? '不是诉求' : '无效'}），不计入三率。已通知相关人员。`
export const merged = (no: string, into: string) => `工单 ${no} 已合并到工单 ${into}，反映人、照片和回访都已转过去。`
export const split = (no: string, created: string[]) => `工单 ${no} 已拆分：新登记工单 ${created.join('、')}，已分别派单。`
export const located = (r: ServiceRequest, rerouted: string | null) =>
  `工单 ${r.no} 的位置已改为${locationText(r)}${rerouted ? `，已改派给${rerouted}` : ''}。`
export const CANCEL_SECRETARY_ONLY = '只有书记可以撤销工单。不归您处理的工单请回复「退单 工单号 原因」。'
export const CASE_NOT_STAFF = '抱歉，合并、拆分工单是社区工作人员的操作。要撤回您自己提交的问题，请发送「撤销 工单号」。'
