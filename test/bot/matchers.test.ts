import { describe, expect, it } from 'vitest'
import {
  isBoundRoom, isHelpRequest, isProgressQuery, isStaffCommand, mentionsBot, parseBindCommand, parseStaffCommand, stripMentions,
} from '../../bot/matchers.js'

describe('bot matchers', () => {
  it('parses the staff commands, with full-width digits and # numbers', () => {
    expect(parseStaffCommand('接单 12')).toEqual({ kind: 'accept', no: '12' })
    expect(parseStaffCommand('接单１２')).toEqual({ kind: 'accept', no: '12' })
    expect(parseStaffCommand('签收 #7')).toEqual({ kind: 'accept', no: '7' })
    expect(parseStaffCommand('完成 12')).toEqual({ kind: 'resolve', no: '12', note: null })
    expect(parseStaffCommand('完成 12 已更换灯泡，谢谢')).toEqual({ kind: 'resolve', no: '12', note: '已更换灯泡，谢谢' })
    expect(parseStaffCommand('退单 12 不属于本网格')).toEqual({ kind: 'return', no: '12', reason: '不属于本网格' })
    expect(parseStaffCommand('转派 12 刘强')).toEqual({ kind: 'transfer', no: '12', to: '刘强' })
    expect(parseStaffCommand('转派 12 给刘强')).toEqual({ kind: 'transfer', no: '12', to: '刘强' })
    expect(parseStaffCommand('待办')).toEqual({ kind: 'todo' })
    expect(parseStaffCommand('帮助')).toEqual({ kind: 'help' })
  })

  it('explains the usage of a known verb used wrongly', () => {
    expect(parseStaffCommand('接单')).toMatchObject({ kind: 'malformed', verb: '接单', usage: expect.stringContaining('接单 12') })
    expect(parseStaffCommand('退单 12')).toMatchObject({ kind: 'malformed', verb: '退单' })
    expect(parseStaffCommand('转派 12')).toMatchObject({ kind: 'malformed', verb: '转派' })
    expect(parseStaffCommand('完成了吗')).toMatchObject({ kind: 'malformed', verb: '完成' })
  })

  it('only a well-formed command counts as a staff command (residents are not refused for ordinary words)', () => {
    expect(isStaffCommand('接单 3')).toBe(true)
    expect(isStaffCommand('待办')).toBe(true)
    expect(isStaffCommand('完成了吗？我家灯还没修')).toBe(false)
    expect(isStaffCommand('帮助')).toBe(false)
    expect(isStaffCommand('3号楼楼道灯坏了')).toBe(false)
    expect(parseStaffCommand('3号楼楼道灯坏了')).toBeNull()
  })

  it('recognises 进度/查询, help and the binding command', () => {
    expect(isProgressQuery('进度')).toBe(true)
    expect(isProgressQuery('查询？')).toBe(true)
    expect(isProgressQuery('查询一下3号楼的灯')).toBe(false)
    expect(isHelpRequest('帮助')).toBe(true)
    expect(parseBindCommand('绑定 第一网格')).toEqual({ target: 'grid', gridName: '第一网格' })
    expect(parseBindCommand('绑定社区')).toEqual({ target: 'community' })
    expect(parseBindCommand('绑定')).toBeNull()
    expect(parseBindCommand('我想绑定一下')).toBeNull()
  })

  it('finds and strips @-mentions of the bot (WeChat separates them with U+2005)', () => {
    expect(mentionsBot('@社区小助手\u2005你好', ['社区小助手'])).toBe(true)
    expect(mentionsBot('@王芳 你好', ['社区小助手'])).toBe(false)
    expect(stripMentions('@社区小助手\u2005接单 12', ['社区小助手'])).toBe('接单 12')
    expect(stripMentions('3号楼灯坏了 @社区小助手', ['社区小助手'])).toBe('3号楼灯坏了')
  })

  it('a room is bound only by its exact topic', () => {
    expect(isBoundRoom(['幸福里3号楼业主群'], '幸福里3号楼业主群')).toBe(true)
    expect(isBoundRoom(['幸福里3号楼业主群'], '幸福里3号楼业主群2')).toBe(false)
    expect(isBoundRoom(['幸福里3号楼业主群'], null)).toBe(false)
  })
})
