// npm run chat: talk to the real bot as any resident or staff member, in a terminal.
// Same machinery as `npm run simulate` (wechaty-puppet-mock, real database, intake and jobs on a virtual
// clock). Type a message to send it as the current person in the current chat; commands start with "/".
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { staffRoleLabel } from '../sim/roles.js'
import { createInterface } from 'node:readline'
import { createApi } from '../../miniprogram-api/server.js'
import { parseDuration } from '../../src/clock.js'
import { CommunityFileError } from '../../src/community/import.js'
import { formatLocal } from '../../src/time.js'
import { fillPlaceholders, ScenarioError } from '../sim/scenario.js'
import { Simulation, type OutputLine } from '../sim/simulation.js'
import { exitQuietlyWhenStdoutCloses, openSimulationEnvironment, stderrLogger } from '../sim/setup.js'

const HELP = `命令 (commands):
  直接输入文字      以当前身份在当前会话发言（{{req1}} 代表本次第一个工单号）
  /as 名字          切换身份，如 /as 王芳（社区文件里的工作人员，已用认证码绑定微信）或任意居民名
  /as 名字 冒充     换成另一个同名微信号（未绑定：工作人员指令会被拒绝）
  /room 群名        在群里说话，如 /room 幸福里3号楼业主群
  /dm               私聊机器人
  /image  /voice    发一张照片 / 一段语音
  /at 文字          在群里 @机器人 说话
  /wait PT2H        时间前进（定时任务按点运行）
  /state            查看工单状态
  /who              列出工作人员和群
  /help  /quit`

async function main() {
  const logger = stderrLogger()
  const { config, db, databaseLabelZh } = await openSimulationEnvironment()
  const args = process.argv.slice(2)
  const start = args.find((a) => /^\d{4}-\d{2}-\d{2}T/.test(a))
  // Which community the chat imports: `--community <file>`, else COMMUNITY_FILE, else the shipped sample.
  const flag = args.indexOf('--community')
  if (flag >= 0 && !args[flag + 1]) { process.stderr.write('chat: --community needs a file, e.g. --community examples/community-care.yaml\n'); process.exit(2) }
  const communityFile = flag >= 0 ? args[flag + 1]! : config.COMMUNITY_FILE
  let tz = 'Asia/Shanghai'
  const print = (line: OutputLine) => {
    const when = formatLocal(new Date(line.at), tz)
    process.stdout.write(line.type === 'room' ? `[${when}] 〔${line.room}〕 社区小助手：${line.text}\n` : `[${when}] 社区小助手 → ${line.to}（私聊）：${line.text}\n`)
  }
  // The simulation's own web console (its data, its virtual clock): `后台` answers with a link to it.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null
  const web = createServer((req, res) => { if (handle) handle(req, res); else { res.statusCode = 503; res.end() } })
  const port = await listenNear(web, Number(process.env.CHAT_CONSOLE_PORT ?? config.PORT + 1))
  const simConfig = { ...config, PUBLIC_URL: `http://localhost:${port}` }
  let sim: Simulation
  try {
    sim = await Simulation.create({ db, config: simConfig, logger, start: start ? new Date(start) : new Date(), onOutput: print, communityFile })
  } catch (e) {
    if (e instanceof CommunityFileError) { process.stderr.write(`chat: ${communityFile}: ${e.message}\n`); process.exit(2) }
    throw e
  }
  tz = sim.timezone
  handle = createApi({ config: simConfig, db, clock: sim.clock, logger }).callback()

  let who = '李阿姨'
  let impostor = false
  let room: string | null = '幸福里3号楼业主群'
  const prompt = () => `${who}${room ? `@${room}` : '（私聊）'}> `
  process.stdout.write(`jiesu 聊天模拟（${databaseLabelZh}，社区文件 ${communityFile}，模拟时间 ${formatLocal(sim.clock.now(), tz)}）。输入 /help 查看命令。\n`)
  process.stdout.write(`本次模拟的网页工作台：http://localhost:${port}/console/（以工作人员身份私聊发送「后台」获取登录链接）\n`)
  // Piped input (printf … | npm run chat) is echoed after its prompt, so the transcript reads like a chat.
  const interactive = Boolean(process.stdin.isTTY)
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive })
  const showPrompt = () => {
    if (!interactive) return
    rl.setPrompt(prompt())
    rl.prompt()
  }
  showPrompt()

  for await (const raw of rl) {
    const line = raw.trim()
    if (!interactive && line) process.stdout.write(`${prompt()}${line}\n`)
    const [command, ...rest] = line.split(/\s+/)
    const arg = rest.join(' ')
    try {
      if (!line) { /* nothing */ } else if (line === '/quit' || line === '/exit') break
      else if (line === '/help') process.stdout.write(`${HELP}\n`)
      else if (command === '/as') {
        const [name, flag] = rest
        if (name) { who = name; impostor = flag === '冒充' }
        else process.stdout.write('（用法：/as 名字，例如 /as 王芳）\n')
      } else if (command === '/room') {
        if (arg) room = arg
        else process.stdout.write('（用法：/room 群名，例如 /room 幸福里3号楼业主群；私聊用 /dm）\n')
      } else if (line === '/dm') room = null
      else if (line === '/image' || line === '/voice') await sim.say({ from: who, ...(impostor ? { impostor } : {}), ...(room ? { room } : {}), ...(line === '/image' ? { image: true } : { voice: true }) })
      else if (command === '/wait') {
        let ms: number | null = null
        try { ms = parseDuration(arg) } catch { /* explained below */ }
        if (ms == null || !(ms > 0)) process.stdout.write(`（时长格式不对${arg ? `：${arg}` : ''}。例如 /wait PT30M、/wait PT2H、/wait P1D）\n`)
        else {
          await sim.advance(ms)
          process.stdout.write(`（现在是 ${formatLocal(sim.clock.now(), tz)}）\n`)
        }
      } else if (line === '/state') process.stdout.write(`${JSON.stringify(await sim.state(), null, 2)}\n`)
      else if (line === '/who') {
        const staff = await db.query('SELECT id, name, wechat, role FROM staff WHERE active = 1 ORDER BY id') as { id: number; name: string; wechat: string; role: string }[]
        const grids = await db.query('SELECT name, leader_staff_id AS leader, deputy_staff_id AS deputy FROM grids ORDER BY id') as { name: string; leader: number | null; deputy: number | null }[]
        const rooms = await db.query('SELECT topic FROM chat_rooms ORDER BY id') as { topic: string }[]
        process.stdout.write(`工作人员：${staff.map((s) => `${s.wechat}(${staffRoleLabel(s, grids)})`).join('、')}\n群：${rooms.map((r) => r.topic).join('、')}\n`)
      } else if (command === '/at' && !arg) process.stdout.write('（用法：/at 文字，例如 /at 3号楼楼道灯坏了）\n')
      else if (line.startsWith('/') && command !== '/at') process.stdout.write(`未知命令 ${command}，输入 /help 查看命令。\n`)
      else {
        const mention = command === '/at'
        const body = mention ? arg : line
        const numbers = body.includes('{{') ? await sim.requestNumbers() : []
        let text: string
        try {
          text = fillPlaceholders(body, numbers, 'chat', 'input')
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e
          process.stdout.write(`（本次模拟目前只有 ${numbers.length} 个工单，${body.match(/\{\{\s*req\d+\s*\}\}/g)?.join('、') ?? ''} 还不存在）\n`)
          continue
        }
        await sim.say({ from: who, ...(impostor ? { impostor } : {}), ...(room ? { room } : {}), text, ...(mention ? { mention: true } : {}) })
      }
    } catch (e) {
      process.stdout.write(`（出错了：${e instanceof Error ? e.message : String(e)}）\n`)
    } finally {
      showPrompt()
    }
  }
  rl.close()
  web.close()
  await sim.close()
  await db.destroy()
  process.exit(0)
}

/** Listens on `port`, or on any free port when it is taken (npm start may hold the neighbouring ones). */
function listenNear(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || port === 0) { reject(err); return }
      server.listen(0, '127.0.0.1')
    }
    server.once('error', onError)
    server.once('listening', () => { server.off('error', onError); resolve((server.address() as AddressInfo).port) })
    server.listen(port, '127.0.0.1')
  })
}

exitQuietlyWhenStdoutCloses()
main().catch((err) => {
  process.stderr.write(`chat: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})

