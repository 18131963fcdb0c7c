import { describe, expect, it } from 'vitest'
import { isThanks, parseCaseCommand, promisesPhoto } from '../../bot/caseMatchers.js'
import { noticeTopics, askedTopics } from '../../src/conversation/notices.js'

describe('case command matchers', () => {
  it('reads 撤销 / 合并 / 拆分 / 位置, with full-width digits and 工单', () => {
    expect(parseCaseCommand('撤销 12')).toEqual({ kind: 'cancel', no: '12', reason: null, notARequest: false })
    expect(parseCaseCommand('撤销１２ 不是诉求，是闲聊')).toEqual({ kind: 'cancel', no: '12', reason: '不是诉求，是闲聊', notARequest: true })
    expect(parseCaseCommand('撤销 12 重复提交')).toMatchObject({ notARequest: false, reason: '重复提交' })
    expect(parseCaseCommand('非诉求 7')).toEqual({ kind: 'cancel', no: '7', reason: '不是诉求', notARequest: true })
    expect(parseCaseCommand('合并 12 到 9')).toEqual({ kind: 'merge', no: '12', into: '9' })
    expect(parseCaseCommand('合并工单12到工单9')).toEqual({ kind: 'merge', no: '12', into: '9' })
    expect(parseCaseCommand('合并 12 9')).toEqual({ kind: 'merge', no: '12', into: '9' })
    expect(parseCaseCommand('拆分 12 电梯异响；单元门坏了')).toEqual({ kind: 'split', no: '12', parts: ['电梯异响', '单元门坏了'] })
    expect(parseCaseCommand('位置 12 7号楼3单元')).toEqual({ kind: 'locate', no: '12', place: '7号楼3单元' })
  })

  it('gives the usage for a verb with a number that does not fit, and ignores ordinary words', () => {
    expect(parseCaseCommand('合并 12')).toMatchObject({ kind: 'malformed', verb: '合并' })
    expect(parseCaseCommand('位置 12')).toMatchObject({ kind: 'malformed', verb: '位置' })
    expect(parseCaseCommand('拆分 12')).toMatchObject({ kind: 'malformed', verb: '拆分' })
    for (const t of ['合并了吗', '位置在哪里', '撤销了', '我想撤销投诉', '3号楼楼道灯坏了']) expect(parseCaseCommand(t), t).toBeNull()
  })

  it('tells thanks and a promised photo', () => {
    for (const t of ['谢谢', '谢谢！', '多谢啦', '辛苦了']) expect(isThanks(t), t).toBe(true)
    for (const t of ['谢谢你们，但灯还是不亮', '满意，谢谢']) expect(isThanks(t), t).toBe(false)
    for (const t of ['我拍个照片', '等下发图', '灯坏了，我拍张照片给你们']) expect(promisesPhoto(t), t).toBe(true)
    expect(promisesPhoto('楼道灯坏了')).toBe(false)
  })

  it('reads what a notice announces and what a question asks', () => {
    expect(noticeTopics('各位邻居，明天上午9点到12点3号楼停水检修，请提前储水')).toEqual(['water'])
    expect(noticeTopics('本周三5号楼电梯年度保养，请走楼梯')).toEqual(['lift'])
    expect(noticeTopics('好的，我下午过去看看')).toEqual([])
    expect(askedTopics('3号楼明天停水吗？')).toEqual(['water'])
    expect(askedTopics('电梯什么时候能用')).toEqual(['lift'])
    expect(askedTopics('楼道灯坏了')).toEqual([])
  })
})
