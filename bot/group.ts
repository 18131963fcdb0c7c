import { ChatRoom, Community, Grid, type InboxMessage } from '../src/db/entities/index.js'
import { configCache } from '../src/community/cache.js'
import { senderStaff } from './lookups.js'
import { finish, nothingElse, roomReply, type Also, type Handling, type Result } from './handling.js'
import { isProgressQuery, isStaffCommand, parseBindCommand, parseStaffCommand, parseVerifyCommand, stripMentions, type BindCommand } from './matchers.js'
import { groupConversation } from './conversation.js'
import { callbackAnswer } from './callbacks.js'
import { attachImage, roomVoice } from './media.js'
import { staffCommand } from './private.js'
import { intakeText } from './report.js'
import * as T from './texts.js'
import { verifyInGroup } from './verifyInGroup.js'

/**
 * A group message. 绑定 works in any room; otherwise only bound rooms are heard: photos, voice, staff
 * commands and reports. The room's WeChat id is remembered with whatever the message leads to.
 */
export async function handleRoom(h: Handling, row: InboxMessage): Promise<Result> {
  const room = await findRoom(h, row.roomTopic!, row.roomId)
  const text = row.text ?? ''
  if (row.kind === 'text') {
    const bind = parseBindCommand(stripMentions(text, h.names()))
    if (bind) return bindRoom(h, row, bind, room)
    // A binding code typed in a group is not accepted (everyone saw it); the sender is told why.
    const code = parseVerifyCommand(stripMentions(text, h.names()))
    if (code) return verifyInGroup(h, row, code, room?.communityId ?? null)
  }
  if (!room) return finish(h, row, { outcome: 'ignored_unbound_room' })
  const rememberRoomId: Also = row.roomId && room.wechatRoomId !== row.roomId
    ? async (em) => { await em.update(ChatRoom, { id: room.id }, { wechatRoomId: row.roomId }) }
    : nothingElse
  switch (row.kind) {
    case 'image': return attachImage(h, row, room.communityId, rememberRoomId)
    case 'voice': return roomVoice(h, row, room.communityId, room, rememberRoomId)
    case 'text': {
      // "完成 12 已更换灯泡" typed in the group is a command, never a new report.
      const clean = stripMentions(text, h.names())
      // 后台 is answered in private chat only: a login link is not something to ask for in front of a group.
      if (isStaffCommand(clean) && parseStaffCommand(clean)?.kind !== 'console') return groupStaffCommand(h, row, clean, room, rememberRoomId)
      // Case commands, staff notices (not requests), answers to the bot's questions, questions about a notice.
      const said = await groupConversation(h, row, clean, room, rememberRoomId)
      if (said) return said
      // "满意" typed in the group by a reporter whose 回访 was asked: recorded, acknowledged privately.
      const answered = await callbackAnswer(h, row, room.communityId, clean, { inRoom: true, also: rememberRoomId })
      if (answered) return answered
      return intakeText(h, row, text, room.communityId, room, rememberRoomId)
    }
    default: return finish(h, row, { outcome: 'ignored', also: rememberRoomId })
  }
}

/** The bound room: by WeChat room id when known (topics change), else by topic. From the configuration cache. */
export async function findRoom(h: Pick<Handling, 'ctx'>, topic: string, roomId: string | null): Promise<ChatRoom | null> {
  const rooms = (await configCache(h.ctx.db).rooms()).sort((a, b) => a.id - b.id)
  return (roomId ? rooms.find((r) => r.wechatRoomId === roomId) : undefined) ?? rooms.find((r) => r.topic === topic) ?? null
}

/**
 * A staff command typed in a bound group: staff of the community get it run, with the confirmation in a
 * private chat (the group is not filled with work talk); anyone else gets a short plain refusal in the group.
 */
async function groupStaffCommand(h: Handling, row: InboxMessage, clean: string, room: ChatRoom, also: Also): Promise<Result> {
  const staff = await senderStaff(h.ctx.db, row, room.communityId)
  if (staff) return staffCommand(h, row, staff, parseStaffCommand(clean)!, also)
  if (isProgressQuery(clean)) return intakeText(h, row, row.text ?? '', room.communityId, room, also)
  // As in private chat, a command from someone who is not staff gets a plain refusal (one short line, where they typed it).
  return finish(h, row, { outcome: 'refused', replies: [roomReply(row, T.NOT_STAFF_IN_GROUP)], also })
}

/** 绑定 <网格> / 绑定 社区, typed in the room by a staff member of the community. */
async function bindRoom(h: Handling, row: InboxMessage, cmd: BindCommand, existing: ChatRoom | null): Promise<Result> {
  const db = h.ctx.db
  const staff = await senderStaff(db, row)
  if (!staff) {
    // Unbound rooms stay silent for everyone else; in a bound room it is ordinary talk.
    if (!existing) return finish(h, row, { outcome: 'ignored_unbound_room' })
    return intakeText(h, row, row.text ?? '', existing.communityId, existing)
  }
  if (existing && existing.communityId !== staff.communityId) {
    return finish(h, row, { outcome: 'rejected', replies: [roomReply(row, '本群已绑定到其他社区，不能重复绑定。')] })
  }
  let grid: Grid | null = null
  if (cmd.target === 'grid') {
    const grids = await db.getRepository(Grid).find({ where: { communityId: staff.communityId }, order: { id: 'ASC' } })
    grid = grids.find((g) => g.name === cmd.gridName) ?? null
    if (!grid) return finish(h, row, { outcome: 'rejected', replies: [roomReply(row, T.bindGridUnknown(cmd.gridName, grids.map((g) => g.name)))] })
  }
  const community = await db.getRepository(Community).findOneByOrFail({ id: staff.communityId })
  return finish(h, row, {
    outcome: 'bound',
    replies: [roomReply(row, T.bound(row.roomTopic!, grid ? `${community.name}${grid.name}` : `${community.name}（全社区）`))],
    also: async (em) => {
      const current = existing ?? await em.findOne(ChatRoom, { where: { communityId: staff.communityId, topic: row.roomTopic! } })
      if (current) await em.update(ChatRoom, { id: current.id }, { gridId: grid?.id ?? null, wechatRoomId: row.roomId ?? current.wechatRoomId })
      else await em.insert(ChatRoom, { communityId: staff.communityId, topic: row.roomTopic!, gridId: grid?.id ?? null, wechatRoomId: row.roomId })
    },
  })
}
