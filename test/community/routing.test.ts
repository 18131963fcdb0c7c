import { describe, expect, it } from 'vitest'
import { route, type RouteInput } from '../../src/community/routing.js'
import type { CommunitySnapshot } from '../../src/community/snapshot.js'
import { defaultSettings } from '../../src/community/settings.js'
import type { Building, ChatRoom, Community, Grid, Staff } from '../../src/db/entities/index.js'

// Pure table tests: a hand-built community, no database.
const staff = (id: number, name: string, role: Staff['role'], active = true) => ({ id, communityId: 1, name, wechat: name, role, active, phoneMasked: null, phoneHash: null }) as Staff
function community(over: { routing?: Record<string, string>; staff?: Staff[] } = {}): CommunitySnapshot {
  const settings = { ...defaultSettings(), routing: over.routing ?? { dispute: 'mediator' } } as Community['settings']
  return {
    community: { id: 1, name: 'c', timezone: 'Asia/Shanghai', settings } as Community,
    staff: over.staff ?? [staff(1, '书记', 'secretary'), staff(2, '王芳', 'grid_leader'), staff(3, '刘强', 'grid_leader'), staff(4, '陈明', 'mediator'), staff(5, '孙丽', 'grid_leader')],
    grids: [{ id: 10, communityId: 1, name: 'g1', leaderStaffId: 2, deputyStaffId: 5 }, { id: 20, communityId: 1, name: 'g2', leaderStaffId: 3, deputyStaffId: null }] as Grid[],
    buildings: [{ id: 1, communityId: 1, code: '3', gridId: 10 }, { id: 2, communityId: 1, code: '5', gridId: 20 }, { id: 3, communityId: 1, code: 'B', gridId: 20 }] as Building[],
    rooms: [{ id: 100, communityId: 1, topic: '3号楼群', gridId: 10, wechatRoomId: null }, { id: 200, communityId: 1, topic: '大群', gridId: null, wechatRoomId: null }] as ChatRoom[],
  }
}
const input = (o: Partial<RouteInput>): RouteInput => ({ building: null, chatRoomId: null, category: 'repair', urgency: 'normal', ...o })

describe('route', () => {
  it.each([
    ['category override wins over the building', input({ building: '3', category: 'dispute' }), 4, 10, 'category_override'],
    ['the grid of the named building', input({ building: '5', chatRoomId: 100 }), 3, 20, 'building_grid'],
    ['building codes match case-insensitively', input({ building: 'b' }), 3, 20, 'building_grid'],
    ['the grid bound to the room when no building is named', input({ chatRoomId: 100 }), 2, 10, 'room_grid'],
    ['an unknown building falls back to the room', input({ building: '99', chatRoomId: 100 }), 2, 10, 'room_grid'],
    ['a community-wide room falls to the duty dispatcher', input({ chatRoomId: 200 }), 1, null, 'duty_dispatcher'],
    ['nothing known: the 书记 as duty dispatcher', input({}), 1, null, 'duty_dispatcher'],
  ] as const)('%s', (_name, inp, owner, grid, rule) => {
    const r = route(community(), inp)
    expect(r.ownerStaffId).toBe(owner)
    expect(r.gridId).toBe(grid)
    expect(r.rule).toBe(rule)
  })

  it('urgent requests also tell the 书记, once, and not when the 书记 owns it', () => {
    expect(route(community(), input({ building: '3', urgency: 'urgent' })).notifyStaffIds).toEqual([1])
    expect(route(community(), input({ urgency: 'urgent' })).notifyStaffIds).toEqual([])
    expect(route(community(), input({ building: '3', urgency: 'high' })).notifyStaffIds).toEqual([])
  })

  it('an override role nobody holds falls through to the grid; an inactive leader passes to the deputy', () => {
    expect(route(community({ routing: { repair: 'social_worker' } }), input({ building: '3' })).rule).toBe('building_grid')
    const c = community({ staff: [staff(1, '书记', 'secretary'), staff(2, '王芳', 'grid_leader', false), staff(5, '孙丽', 'grid_leader')] })
    expect(route(c, input({ building: '3' })).ownerStaffId).toBe(5)
  })
})
