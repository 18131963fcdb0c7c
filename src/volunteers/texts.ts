import type { Volunteer, VolunteerTask } from '../db/entities/index.js'
import { maskPersonalText } from '../requests/privacy.js'

// What volunteers, residents and staff are told about volunteer tasks and points: the one home of these texts.

type Place = { building: string | null; unit: string | null; room: string | null }
const placeText = (t: Place) => [t.building && `${t.building}号楼`, t.unit && `${t.unit}单元`, t.room].filter(Boolean).join('')
const where = (t: Place) => placeText(t) || '（地址请联系网格员）'

export const offerText = (t: VolunteerTask, grid: string | null, building: string | null) =>
  `【志愿服务 #${t.id}】${t.kind}｜${grid ?? '本社区'}${building ? ` ${building}号楼` : ''}\n${maskPersonalText(t.description)}\n愿意帮忙请回复「认领 ${t.id}」，先到先得。`

export const claimedText = (t: VolunteerTask, place: { building: string | null; unit: string | null; room: string | null }, contact: string | null, leader: string | null) =>
  `您已认领志愿任务 #${t.id}（${t.kind}），谢谢您！\n地点：${where(place)}${contact ? `\n联系人：${contact}` : ''}${leader ? `\n网格员：${leader}` : ''}\n办完后请回复「完成 ${t.id} 用时和情况」，例如：完成 ${t.id} 1小时 药已送到。有事办不了请回复「放弃 ${t.id}」。`

export const claimedForStaffText = (t: VolunteerTask, v: Volunteer) =>
  `【志愿服务 #${t.id}】${t.kind} 已由志愿者 ${v.name} 认领${t.requestId ? '，工单仍由您跟进' : ''}。`

export const releasedText = (t: VolunteerTask) => `已放弃志愿任务 #${t.id}，它会重新发给其他志愿者。`

export const reportedText = (t: VolunteerTask, hours: number, residentAsked: boolean) =>
  `已记录：志愿任务 #${t.id} 完成，用时 ${hours} 小时。${residentAsked ? '居民确认后积分到账。' : '网格员确认后积分到账。'}`

export const confirmAskText = (t: VolunteerTask, volunteer: string) =>
  `志愿者 ${volunteer} 说已帮您办好「${t.kind}」（志愿任务 #${t.id}）。\n办好了请回复「确认 ${t.id}」；没有办好请回复「没办好 ${t.id}」。`

export const confirmAskStaffText = (t: VolunteerTask, volunteer: string) =>
  `【志愿服务 #${t.id}】志愿者 ${volunteer} 报告已办好「${t.kind}」。居民不用微信，请电话核实后回复「确认 ${t.id}」，没办好回复「没办好 ${t.id}」。`

export const confirmedResidentText = (t: VolunteerTask) => `谢谢您的确认！志愿任务 #${t.id} 已完成。`

export const pointsAwardedText = (t: VolunteerTask, points: number, balance: number) =>
  points > 0
    ? `居民已确认志愿任务 #${t.id}（${t.kind}）办好了，您获得 ${points} 爱心积分，当前共 ${balance} 分。谢谢您！`
    : `居民已确认志愿任务 #${t.id}（${t.kind}）办好了。谢谢您！`

export const disputedVolunteerText = (t: VolunteerTask) =>
  `居民说志愿任务 #${t.id}（${t.kind}）还没有办好，请联系居民或网格员，办好后再回复「完成 ${t.id}」。`

export const disputedResidentText = (t: VolunteerTask) => `收到，已告诉志愿者志愿任务 #${t.id} 还没办好。`

export const wishPostedText = (t: VolunteerTask, volunteers: number, placeKnown = true) =>
  (volunteers
    ? `您的心愿已登记（#${t.id}：${t.kind}），已发给附近的 ${volunteers} 位志愿者，有人认领会告诉您。`
    : `您的心愿已登记（#${t.id}：${t.kind}）。附近暂时没有志愿者，网格员会帮您联系。`)
  + (placeKnown ? '' : '\n请告诉我您住几号楼几单元（例如：3号楼2单元），方便网格员和志愿者找到您。')

export const wishForStaffText = (t: VolunteerTask, resident: string, volunteers: number, place: Place | null) =>
  `【微心愿 #${t.id}】${resident}（${(place && placeText(place)) || '住址未知'}）：${t.description.replace(/^微心愿：/, '')}（${t.kind}）。`
  + (volunteers ? `已发给 ${volunteers} 位志愿者，有人认领会告诉您。` : '附近暂时没有志愿者，已告诉居民网格员会联系，请您联系居民帮忙安排。')

export const wishPlacedText = (t: VolunteerTask, place: Place, leader: string | null) =>
  `已记下您的住址：${placeText(place)}。您的心愿 #${t.id}（${t.kind}）${leader ? `网格员 ${leader} ` : '社区'}会跟进。`

export const wishPlacedForStaffText = (t: VolunteerTask, resident: string, place: Place) =>
  `【微心愿 #${t.id}】${resident} 的住址是 ${placeText(place)}：${t.description.replace(/^微心愿：/, '')}（${t.kind}）。请您跟进。`

export const wishClaimedResidentText = (t: VolunteerTask, v: Volunteer) =>
  `您的心愿 #${t.id}（${t.kind}）已由志愿者 ${v.name} 认领，志愿者会和您联系。`

export const offeredStaffText = (t: VolunteerTask, volunteers: number) =>
  `已把工单发给 ${volunteers} 位志愿者（志愿任务 #${t.id}：${t.kind}），有人认领会告诉您。`

export const redeemedText = (name: string, points: number, balance: number, note: string) =>
  `已为 ${name} 兑换 ${points} 积分（${note}），剩余 ${balance} 分。`

export const balanceText = (balance: number, month: number, rank: number | null) =>
  `您现有 ${balance} 爱心积分；本月已得 ${month} 分${rank ? `，排第 ${rank} 名` : ''}。`

export const NOT_VOLUNTEER = '这个指令只有已认证的志愿者可以用。如果您是志愿者，请先把书记给您的认证码私聊发给我：认证 六位数字。'

export const VOLUNTEER_HELP = [
  '志愿者可以用：',
  '认领 12 —— 认领志愿任务 12',
  '完成 12 用时和情况 —— 报告办好了，例如：完成 12 1小时 药已送到',
  '放弃 12 —— 办不了，交给其他志愿者',
  '积分 —— 查看我的爱心积分',
].join('\n')

export const WISH_USAGE = '请这样写：心愿 想请人帮忙买降压药'

export const volunteerVerified = (name: string) => `认证成功：本微信已绑定为志愿者 ${name}。有适合您的志愿任务时我会私聊通知您。\n${VOLUNTEER_HELP}`

export const volunteerNameUnclear = (name: string, n: number) =>
  n ? `有 ${n} 位志愿者叫「${name}」，请在工作台登记兑换。` : `没有找到志愿者「${name}」。`

export const usageText = (usage: string) => `格式不对。请这样写：${usage}`

export const taskRequestClosedText = (t: VolunteerTask) => `志愿任务 #${t.id} 对应的工单已经办结或撤销，不用再去了，谢谢您！`
