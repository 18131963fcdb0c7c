import { execFile } from 'node:child_process'
import { expect, it } from 'vitest'

// Issue 14, done when: four weeks in the simulator show visits due and done, a missed visit escalated, a visit
// note becoming a 代报 request, a recurring lift problem detected and turned into a topic that collects a new report, and a
// volunteer claiming and completing a 代买药 with points awarded.
it('runs examples/scenarios/care.json: four weeks of 未诉先办', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENAI_API_KEY: '', LOG_LEVEL: 'warn' }
  delete env.DATABASE_URL
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((res) => {
    execFile(process.execPath, ['--import', 'tsx', 'app/cli/simulate.ts', 'examples/scenarios/care.json'], { env, timeout: 280_000, maxBuffer: 32 * 1024 * 1024 }, (err, out) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: out })
    })
  })
  expect(code).toBe(0)
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l))
  const dms = lines.filter((l) => l.type === 'dm') as { at: string; to: string; text: string }[]
  const first = (who: string, re: RegExp) => dms.find((m) => m.to === who && re.test(m.text))
  // Visits fall due (the 一级 张奶奶 a week after the roster was first scheduled) and are done.
  expect(first('王芳', /已记录对 李爷爷 的走访。/)!.at).toBe('2026-11-23T09:00:00+08:00')
  expect(first('王芳', /【今日走访】1 位关爱对象待走访，其中 1 位已超期未见/)!.at).toBe('2026-12-01T08:30:00+08:00')
  // The visit note becomes a 代报 request at her address.
  // (王芳 files it for her own grid, so it is signed for at once: no task DM to herself.)
  const state = lines.at(-1) as { requests: { no: string; building: string | null; status: string; reporter: string | null }[] }
  expect(state.requests.find((r) => r.no === '3')).toMatchObject({ building: '3', status: 'accepted', reporter: '张奶奶' })
  expect(first('王芳', /^已记录对 张奶奶 的走访。\n已代报工单 3/)!.at).toBe('2026-12-01T10:00:00+08:00')
  // 陈阿婆 (二级, due 12-08) is never visited: escalated to the 书记 more than 7 days later.
  expect(first('赵书记', /^【走访超期】第二网格的关爱对象 陈阿婆/)!.at).toBe('2026-12-16T08:00:00+08:00')
  // The three lift reports of 5号楼 show in the Monday digest; the 书记 makes a topic; the next report joins it.
  const digests = dms.filter((m) => m.to === '赵书记' && m.text.startsWith('【社区周报】'))
  expect(digests.map((d) => d.at)).toEqual(['2026-11-30T08:00:00+08:00', '2026-12-07T08:00:00+08:00', '2026-12-14T08:00:00+08:00', '2026-12-21T08:00:00+08:00'])
  expect(digests[1]!.text).toContain('【反复出现的问题】1 个：\n#1 5号楼维修报修（30天内 3 次，工单 1、2、4）建议：约电梯维保单位')
  expect(first('刘强', /^【治理项目】赵书记请您牵头：5号楼维修报修反复出现/)!.at).toBe('2026-12-07T09:00:00+08:00')
  expect(digests[2]!.text).toContain('#1 5号楼维修报修反复出现｜刘强｜相关工单 4 件，已办结 0 件，本周新增 1 件｜期限 12月31日 23:59')
  expect(digests[2]!.text).toContain('【关爱走访】关爱对象 3 人；超期未见 2 人（其中 1 人已上报书记）。')
  // The 代报 request (代买药) is offered to 第一网格's volunteers; the first 认领 wins, the second is told it is taken.
  expect(first('何军', /^【志愿服务 #1】代买药｜第一网格 3号楼/)!.at).toBe('2026-12-01T10:00:00+08:00')
  expect(first('李晓', /^【志愿服务 #1】代买药/)).toBeDefined()
  expect(dms.filter((m) => m.to === '钱芳')).toEqual([]) // 第二网格 only
  expect(first('何军', /^您已认领志愿任务 #1（代买药）/)!.text).toContain('地点：3号楼1单元302')
  expect(first('李晓', /志愿任务 #1 已经被其他志愿者认领了/)).toBeDefined()
  expect(first('王芳', /代买药 已由志愿者 何军 认领/)).toBeDefined()
  // 完成 with the hours; 张奶奶 is asked and confirms; 10 per task + 4 × 1.5 hours = 16 points.
  expect(first('张奶奶', /^志愿者 何军 说已帮您办好「代买药」（志愿任务 #1）/)!.at).toBe('2026-12-02T15:00:00+08:00')
  expect(first('何军', /您获得 16 爱心积分，当前共 16 分/)!.at).toBe('2026-12-02T15:00:00+08:00')
  // The 书记's redemptions: one the balance does not cover is refused, one it does leaves 6.
  expect(first('赵书记', /^何军 只有 16 积分，不够兑换 20 分。/)).toBeDefined()
  expect(first('赵书记', /^已为 何军 兑换 10 积分（洗衣液一瓶），剩余 6 分。/)).toBeDefined()
  // Hours and points in the digest of the week it was done, and the month's ranking.
  expect(digests[1]!.text).toContain('本周发出 1 件，完成 1 件，志愿时长 1.5 小时；发放爱心积分 16 分。')
  expect(digests[1]!.text).toContain('【12月积分榜】1. 何军 16 分（1.5 小时）')
  expect(digests[2]!.text).toContain('兑换 10 分')
  // No roster detail in any group message.
  expect(lines.filter((l) => l.type === 'room' && /张奶奶|李爷爷|陈阿婆|302/.test(l.text))).toEqual([])
}, 300_000)
