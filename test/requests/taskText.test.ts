import { describe, expect, it } from 'vitest'
import { newTaskText, TASK_TEXT_MAX } from '../../src/requests/messages.js'
import type { ServiceRequest } from '../../src/db/entities/index.js'

// Newcomer 20: a 7,800-character report was copied whole into the staff task DM.
describe('task DM text', () => {
  const request = (originalText: string) => ({
    no: '7', category: 'repair', urgency: 'normal', originalText, building: '3', unit: null, roomNo: null, acceptDueAt: null, resolveDueAt: null, needsTriage: false,
  }) as unknown as ServiceRequest

  it('quotes a short report whole', () => {
    expect(newTaskText(request('3号楼楼道灯坏了'), 'Asia/Shanghai', '李阿姨', '私聊')).toContain('内容：3号楼楼道灯坏了\n')
  })

  it('truncates a very long report with an explicit marker giving the full length; the request itself is untouched', () => {
    const long = `3号楼楼道灯坏了。${'很'.repeat(7_791)}`
    const r = request(long)
    const text = newTaskText(r, 'Asia/Shanghai', '李阿姨', '私聊')
    const content = text.split('\n').find((l) => l.startsWith('内容：'))!
    expect(content).toBe(`内容：${long.slice(0, TASK_TEXT_MAX)}…（全文共 7800 字，见工单详情）`)
    expect(text.length).toBeLessThan(TASK_TEXT_MAX + 400)
    expect(r.originalText).toBe(long)
  })
})
