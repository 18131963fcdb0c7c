import { describe, expect, it } from 'vitest'
import type { ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { todoText } from '../../src/jobs/dailyTodo.js'

describe('the daily to-do speaks to each role', () => {
  const request = { id: 1, no: '7', category: 'repair', urgency: 'normal', building: '3', unit: null, roomNo: null, originalText: '楼道灯坏了' } as ServiceRequest
  const items = [{ request, action: '签收' as const, deadline: null, overdue: false }]
  it('gives a grid leader 接单/完成/退单 and the 书记 转派/撤销, not 退单', () => {
    const leader = todoText({ name: '王芳', role: 'grid_leader' } as Staff, items, 'Asia/Shanghai')
    expect(leader).toContain('「退单 编号 原因」退回')
    const secretary = todoText({ name: '赵书记', role: 'secretary' } as Staff, items, 'Asia/Shanghai')
    expect(secretary).toContain('「转派 编号 姓名」派单')
    expect(secretary).not.toContain('退单')
  })
})
