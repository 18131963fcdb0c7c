import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildingFromRoom, extractLocation, isPlaceAnswer } from '../../src/intake/location.js'

const b = (text: string) => extractLocation(text).building

describe('extractLocation: buildings', () => {
  it.each([
    ['3号楼的电梯又停了', '3'],
    ['三栋门口的垃圾', '3'],
    ['12幢1单元楼道', '12'],
    ['5#楼东边', '5'],
    ['5#的住户', '5'],
    ['b座的门禁', 'B'],
    ['A座大堂', 'A'],
    ['19座楼上', '19'],
    ['我是十四栋的', '14'],
    ['九号楼的老王', '9'],
    ['第一栋', '1'],
    ['3#1单元', '3'],
    ['3號樓漏水', '3'],
  ])('%s → %s', (text, building) => {
    expect(b(text)).toBe(building)
  })

  it('keeps a zone prefix so two buildings numbered 2 stay apart', () => {
    expect(b('南区2号楼地下室进水')).toBe('2')
    expect(b('A区3栋')).toBe('3')
  })

  it('reads building-unit-room triples and pairs', () => {
    expect(extractLocation('水管爆了 6-2-301')).toEqual({ building: '6', unit: '2', room: '301' })
    expect(extractLocation('地漏返水 3-2-1502')).toEqual({ building: '3', unit: '2', room: '1502' })
    expect(extractLocation('地址 8-502')).toEqual({ building: '8', unit: null, room: '502' })
  })

  it('reads unit and room after a building', () => {
    expect(extractLocation('1号楼2单元302')).toEqual({ building: '1', unit: '2', room: '302' })
    expect(extractLocation('12栋3单元401')).toEqual({ building: '12', unit: '3', room: '401' })
    expect(extractLocation('2栋101')).toEqual({ building: '2', unit: null, room: '101' })
    expect(extractLocation('B座1703，电话联系')).toEqual({ building: 'B', unit: null, room: '1703' })
    expect(extractLocation('3号2单元')).toEqual({ building: '3', unit: '2', room: null })
  })

  it('reads a unit or a room on its own', () => {
    expect(extractLocation('我们2单元的扶手松了')).toEqual({ building: null, unit: '2', room: null })
    expect(extractLocation('二〇一室')).toEqual({ building: null, unit: null, room: '201' })
  })

  it('takes the first building mentioned', () => {
    expect(b('7号楼的人把车停在9号楼门口')).toBe('7')
  })
})

describe('extractLocation: not buildings', () => {
  it.each([
    '住3楼，楼上太吵',
    '电梯停在11楼和12楼中间',
    '3月5号停水',
    '下午3点来修',
    '交了50元',
    '80岁的老人',
    '已经3个月了',
    '电话13800001234',
    '14:00-16:00停电',
    '2024-05-06的工单',
    '1-8号楼停水',
    '地库2号电梯厅',
    '车牌尾号37',
    '两栋楼之间',
    '同一栋楼的邻居',
    '四五栋楼都没电',
    '打了12345也没用',
    '0571-8***6721',
    '工单#20240506113',
  ])('%s → null', text => {
    expect(b(text)).toBeNull()
  })

  it('does not treat a floor after a building as a room', () => {
    expect(extractLocation('3幢2楼')).toEqual({ building: '3', unit: null, room: null })
  })
})

describe('room topic fallback', () => {
  it('is off by default: the labels name the building in the message', () => {
    expect(extractLocation('电梯坏了', '幸福里3号楼业主群').building).toBeNull()
  })

  it('can be switched on', () => {
    expect(extractLocation('电梯坏了', '幸福里3号楼业主群', { roomFallback: true }).building).toBe('3')
    expect(extractLocation('5栋电梯坏了', '幸福里3号楼业主群', { roomFallback: true }).building).toBe('5')
    expect(extractLocation('电梯坏了', 'private', { roomFallback: true }).building).toBeNull()
  })

  it('buildingFromRoom reads group topics', () => {
    expect(buildingFromRoom('丽景湾19座')).toBe('19')
    expect(buildingFromRoom('金色家园12幢邻里群')).toBe('12')
    expect(buildingFromRoom('miniprogram')).toBeNull()
    expect(buildingFromRoom(null)).toBeNull()
  })
})

describe('extractLocation properties', () => {
  it('never throws and returns normalised parts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.option(fc.string({ maxLength: 20 })), (text, room) => {
        const loc = extractLocation(text, room, { roomFallback: true })
        for (const part of [loc.building, loc.unit, loc.room]) {
          if (part !== null) expect(part).toMatch(/^[\p{Script=Han}A-Z0-9]+$/u)
        }
        if (loc.unit !== null) expect(loc.unit).toMatch(/^\d+$/)
        if (loc.room !== null) expect(loc.room).toMatch(/^\d+$/)
      }),
      { numRuns: 500 },
    )
  })

  it('finds a building written any common way in generated messages', () => {
    const forms = (n: number) => [`${n}号楼`, `${n}栋`, `${n}幢`, `${n}#`, `${n}座`]
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 4 }), fc.constantFrom('电梯坏了', '，垃圾没人收', ' 楼道灯不亮'), (n, k, tail) => {
        expect(b(forms(n)[k]! + tail)).toBe(String(n))
      }),
    )
  })
})

describe('extractLocation: 到 as a verb is not a range', () => {
  it.each([
    ['我看到4号楼有个阳台的栏杆断了', '4'],
    ['泥土冲到20栋后面的围墙', '20'],
    ['1到8号楼明天停水', null],
    ['一到八号楼明天停水', null],
  ])('%s → %s', (text, building) => {
    expect(b(text)).toBe(building)
  })
})

describe('an answer that is just a place', () => {
  it.each(['3号楼2单元', '是7号楼3单元', '2单元', '我家在6-2-301', '我住5栋301', 'building 3 unit 2', 'I live in block 5', '3号楼东边，谢谢', 'B座1703'])('"%s" is a place', (text) => {
    expect(isPlaceAnswer(text)).toBe(true)
  })
  it.each(['3号楼2单元灯坏了', 'The street light outside building 3 is broken, please fix', '5号楼电梯停了', '心愿', '谢谢你们'])('"%s" is not just a place', (text) => {
    expect(isPlaceAnswer(text)).toBe(false)
  })
})
