// Offline (no network) classifier: concept lexicons + rules grounded in the labelling guide.
//
// Pipeline: normalise → cheap gates (empty, media placeholder, prompt injection) → concept scan →
// not-a-request framings (announcement, ad, group-buy, already fixed, lost pet, neighbour chat) →
// category scores → request decision → urgency → confidence.
// Urgency follows the guide: urgent = danger to life/health/property *right now*; high = vulnerable
// person, many households or time-sensitive; normal = ordinary; low = suggestions, routine questions,
// minor nuisances. Danger words are checked for negation, past tense and conditionals (煤气味已经没了,
// 上次着火, 万一着火).
import type { Category, Urgency } from '../../community/taxonomy.js'
import { extractLocationNormalized } from '../location.js'
import { normalizeText } from '../normalize.js'
import type { Concept } from './lexicon.js'
import { conceptMatcher, type Hit } from './matcher.js'
import type { Classification, Classifier, ClassifierInput, Location } from './types.js'

/** Long pastes are rare; the opening carries the request and capping keeps the cost bounded. */
const MAX_CHARS = 3000

// ------------------------------------------------------------------------------------------------
// Features

const CLAUSE_BREAK = /[,，。.!！?？;；:：\n ~…、]/

class Features {
  readonly hits: Hit[]
  private readonly counts = new Map<Concept, number>()
  private readonly termsBy = new Map<Concept, string[]>()

  constructor(readonly s: string) {
    this.hits = conceptMatcher().scan(s)
    for (const h of this.hits) {
      this.counts.set(h.concept, (this.counts.get(h.concept) ?? 0) + 1)
      const t = this.termsBy.get(h.concept)
      if (t) { if (!t.includes(h.term)) t.push(h.term) } else this.termsBy.set(h.concept, [h.term])
    }
  }

  n(c: Concept): number { return this.counts.get(c) ?? 0 }
  has(c: Concept): boolean { return this.counts.has(c) }
  /** Distinct matched terms of a concept; counting distinct terms stops "吵吵吵吵" from dominating. */
  distinct(c: Concept): number { return this.termsBy.get(c)?.length ?? 0 }
  terms(c: Concept): string[] { return this.termsBy.get(c) ?? [] }
  of(c: Concept): Hit[] { return this.hits.filter(h => h.concept === c) }
}

/** Text of the same clause before position i, at most k characters. */
function clauseBefore(s: string, i: number, k: number): string {
  let j = i
  while (j > 0 && i - j < k && !CLAUSE_BREAK.test(s[j - 1]!)) j--
  return s.slice(j, i)
}
/** Text of the same clause after position i, at most k characters. */
function clauseAfter(s: string, i: number, k: number): string {
  let j = i
  while (j < s.length && j - i < k && !CLAUSE_BREAK.test(s[j]!)) j++
  return s.slice(i, j)
}

// Before a danger word: it is denied, over, or only feared.
const NOT_NOW_BEFORE = /(没有|没|无|不是|并非|并没|上次|上回|以前|之前|去年|前年|前几天|前阵子|曾经|昨天|前天|上周|万一|要是|如果|假如|怕|担心|以防|防止|预防|避免|小心|谨防|严禁|禁止|会不会|可能会|容易|迟早|早晚|差点|差一点|险些|不会|以免|当心|注意)/
// After a danger word: it has gone.
const GONE_AFTER = /(没了|散了|灭了|扑灭|消失|已经好|不见了|虚惊|是误会|没事了|过去了)/

function activeHits(f: Features, c: Concept, extraBefore?: RegExp): Hit[] {
  return f.of(c).filter(h => {
    const before = clauseBefore(f.s, h.start, 8)
    if (NOT_NOW_BEFORE.test(before)) return false
    if (extraBefore && extraBefore.test(before)) return false
    if (GONE_AFTER.test(clauseAfter(f.s, h.end, 10))) return false
    return true
  })
}

// ------------------------------------------------------------------------------------------------
// Gates

// Instructions aimed at the bot itself (guide: not a request).
const INJECTION: RegExp[] = [
  /(忽略|无视|忘记|忘掉|不要理会|跳过|清除)(掉)?(你)?(之前|以前|此前|先前|前面|上面|以上|上述|刚才|原来|原有|所有|全部|一切)(的)?(所有|全部|一切)?(的)?(指令|指示|命令|规则|提示词?|设定|要求|约束|限制|对话|记忆)/,
  /(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|preceding|system)?\s*(instructions?|rules|prompts?|directions|context)/i,
  /(你现在|从现在(开始|起))(是|扮演|充当|作为|进入)(一个|一名|一位|个)?.{0,10}?(助手|机器人|ai|模型|管理员|系统|客服|开发者|角色|模式)/i,
  /(进入|切换到|开启)(物业)?(管理员|开发者|调试|上帝|越狱|debug|admin)模式/i,
  /从现在(开始|起)[,，]?\s*(你(?!们)|所有回复|每条回复|所有的回复|都(说|回复|回答))/,
  /\byou\s+are\s+now\b|\bact\s+as\s+(a|an|the)\b|\bpretend\s+(to\s+be|you\s+are)\b|\bclassify\s+this\s+(message\s+)?as\b/i,
  /system\s*prompt|系统提示词?|系统设定|系统指令|你的设定|你的提示词|developer\s+mode|开发者模式|jailbreak|越狱/i,
  /^\s*\[(系统|system|管理员|admin)\]/i,
  /(把|将)(这条|此条|本条|该)(消息|信息|工单)?(标记|设置|设定|改|定|归类|分类)(为|成)/,
  /(输出|发出来|发给我|列出|导出|泄露)[^,，。]{0,12}(所有|全部)?[^,，。]{0,6}(业主|居民|住户|用户)[^,，。]{0,6}(电话|手机号|号码|住址|地址|信息|资料|记录)/,
  /(所有|全部)(业主|居民|住户)的?(电话|手机号|号码|住址|身份证)/,
]

const BRACKET_NOTICE = /^[\s@\w]*【[^】]{0,12}(通知|提示|公告|告知|已处理|已完成|接种|活动|停水|停电|停气|预告|须知|通告|播报|提醒|服务)[^】]{0,6}】/
const SIGNED_NOTICE = /(——|--|—|-)\s?[^,，。!！?？]{0,12}(物业|社区|服务中心|居委会|管家|客服|管理处|党委|街道)[^,，。!！?？]{0,8}$|【[^】]{0,10}(物业|社区|客服|管理处|服务中心)[^】]{0,6}】\s*$/
const STAFF_SPEAKER = /^\s*(社区|物业|网格员|网格长|居委会|街道|管理处|物业客服|物业管家|管家)[^,，。!！?？:：]{0,8}[:：]/
const FORWARDED = /^\s*(转发|转|\[转发\]|【转发】)\s?[:：]/
const FIRST_PERSON = /(我家|我们家|俺家|阿拉屋里|阿拉|我哋|我屋|我妈|我爸|我婆婆|我爷爷|我奶奶|我外公|我外婆|我是|我在|我住|我们(这|那)?(栋|幢|楼|单元)|我们楼|我老伴|我孩子|我女儿|我儿子)/
const ME_TOO = /^\s*(\+1|同问|同求|我家也是|我们也|我家也|我也是|加一|\+一)/

// Suggestions: proposing something new for the community.
const SUGGEST_VERB = /(能不能|可不可以|可否|能否|是否可以|可以|希望|最好|要不|应该|为什么不|不如|何不|求求)[^,，。!！?？]{0,8}?(加(?![快紧班油])|增加|增设|多装|多放|多设|多建|多安排|多配|装个|装几个|装一些|装一个|安装|建个|建一个|修建|搞个|搞一个|搞几个|办个|办一个|开个|开一个|开设|开办|划个|划一块|划出|划一个|搭个|搭一个|延长|设个|设置|设立|配个|配备|添|弄个|组织|举办|放几个|种些|种点|公示|公开|改成|改为|换成|规划|引进|开通|推出)/
const ZHENGGE = /整(个|几个|一个|俩|点)[^,，。!！?？]{0,10}呗/

const AGE_ELDER = /(?:(?<!\d)(?:[6-9]\d|1[01]\d)\s?(?:岁|周岁))|(?:[六七八九]十[一二三四五六七八九]?(?:岁|了|多))|今年[六七八九]十/
const DAYS_UNSEEN = /(?:\d+|[两三四五六七八九十几]+|好几|多)天(?:都|了|也)?没(?:有)?(?:见|看到|看见|出门|出过门|下楼|动静|开门|人|露面|出来|应|接)|(?:报纸|牛奶|快递|外卖)[^,，。]{0,6}(?:塞满|没拿|没人拿|堆)|几天不见人|没见(?:人|她|他)出来/
const KNOCK_NO_ANSWER = /敲门[^,，。]{0,4}(?:没人|无人|冇人)?(?:应|开|反应|回应|理)|敲门不应|敲不开|叫不应|喊不应|没人应/
const GAS_LEAK = /(煤气|燃气|天然气|液化气|瓦斯|沼气)[^,，。.!！?？;；]{0,6}(味|漏|泄)|(漏|泄漏|泄露)[^,，。]{0,2}(煤气|燃气|天然气|液化气|气)|漏气/
const STRONG_FIRE = /着火|起火|失火|火灾|火警|烧起来|烧着了|冒黑烟|黑烟|浓烟|爆炸|火烛|冒火花|火花|冒火|着大火/
const WEAK_FIRE = /冒烟|烟雾|火苗|明火|火光|焦糊味|糊味|烧焦|焦味|一股烟|好大的烟|烟很大/
const ELECTRIC = /电|线|插座|配电|电箱|电器|开关|充电/
const TRAPPED_CONTEXT = /(出不来|出不去|卡在[^,，。]{0,10}(中间|之间)|停在[^,，。]{0,10}(中间|之间)|门打不开)/
const ELEVATOR = /电梯|轿厢|升降梯/
const PERSON_INSIDE = /里面|里头|有人|小孩|孩子|老人|宝宝|娃|人在/
const BURST_WATER = /水|管/
const FLOOD_ELECTRIC = /配电|电箱|电房|变电|电梯井|插座|电表|电闸|电线/
const FALLING_THROWN = /高空抛物|扔下来|丢下来|抛下来|往下扔|往下丢/
const MORE_TO_FALL = /还有[^,，。]{0,6}(块|片|个)?[^,，。]{0,4}(松|悬|挂|翘|裂)|随时|摇摇欲坠|快掉|要掉|又掉|松着|松动|悬着/
const IMMINENT_COLLAPSE = /(随时|马上|快要?|眼看)(可能|就|都|会|要)?(会|要)?(倒|塌|掉|断|砸|垮)|摇摇欲坠|要塌了|要倒了/
const SHOCK = /触电|被电(了|到|一下)|电到人|电到(孩子|小孩|老人)|麻了一下/
const CHILD_DANGER = /(孩子|小孩|宝宝|娃|儿童|小朋友)[^,，。]{0,10}(锁在|关在|困在|卡在|反锁)|反锁[^,，。]{0,8}(孩子|小孩|宝宝|娃|老人)|(孩子|小孩|宝宝|娃)[^,，。]{0,10}(爬|站|坐|挂)(到|在|上)?(窗台|窗外|阳台外|护栏外|窗户外)/
const BATTERY_SWELL = /鼓包|电池[^,，。]{0,6}(冒烟|起火|着火|爆)/
const SELF_HARM = /跳楼(?!价)|轻生|自杀|寻短见|割腕/
const VIOLENCE = /持刀|拿刀|砍人|打起来了|动手打人|家暴|打人了/
const POISON = /一氧化碳|煤气中毒|中毒/
const EMERGENCY_CALLED = /(打了|叫了|已经打|已打|拨打了?|已经叫|已经拨|刚打了?|赶紧打|快打|打)\s?(120|119|急救电话|救护车|火警)|救护车|消防车(来了|到了)?/
const ELEVATOR_FALL = /电梯[^,，。]{0,6}(下坠|坠落|冲顶|溜梯|掉下去|往下掉)/
const ELEVATOR_DOWN = /(电梯|电悌)[^,，。!！?？]{0,8}(坏|停运|停了|停在|不动|不能用|用不了|罢工|故障|没反应|瘫痪)/
const BUTTON = /按(钮|键|扭)/
const DOG_NOW = /(还在|正在|现在|追着|一直追|到处跑|乱窜)/
const BITTEN = /咬伤|被咬|咬了|咬到/
const PETROL = /汽油味|柴油味|漏油/
const MINOR_NUISANCE = /小广告|牛皮癣|传单|落叶|狗屎|狗粪|枯死|枯了|浇水|草枯|涂鸦|树叶/
const ADAPTATION = /适老化|改造|扶手|借轮椅|借用轮椅|助行器|防滑|坡道|无障碍/
const SERVICE_INQUIRY = /(请问|有没有|是否有|能不能申请|怎么申请|可以申请)[^,，。]{0,12}(服务|食堂|助餐|上门|补贴)/
const HARDSHIP = /被裁|失业|下岗|没收入|残疾|中风|重病|大病|住院|生病|病了|困难/
const IMMINENT_DEADLINE = /(今天|明天|今晚|马上|后天|这两天)[^,，。]{0,4}(就)?(截止|到期|结束|过期|截单)|(截止|到期)[^,，。]{0,4}(今天|明天|今晚)/
const DEADLINE = /截止|到期|过期|来得及|来不及|月底|下周|出差/
const ONE_OFF_FAVOUR = /代收|代取|帮我收|拉(我)?进群|进群|入群|楼栋群|借用|活动室|会议室|群公告|场地/
const LIGHT_FAULT = /灯/
const HEATING_OR_WATER_OUT = /停水|没水|断水|停电|断电|没电|冇水|冇电|暖气不热|没暖气|停气/
const WE_BUILDING = /我们[^,，。]{0,3}\d+(栋|幢|号楼|座)|我们(这|那|整)?(栋|幢|个楼|楼)|整栋|全楼|整个楼|整幢/
const TIME_TO_HOSPITAL = /(送|去|赶)[^,，。]{0,6}(医院|看病|急诊)|急着|着急/
const KIDS_EXPOSED = /(小孩|孩子|小朋友|娃|儿童|学生)[^,，。]{0,10}(还在|在上面|跑上去|爬上去|爬|玩|上面|经过|路过|放学|上学)|(还在|在上面|跑上去|爬上去)[^,，。]{0,6}(玩|荡)/
const NEIGHBOUR_ADDRESS = /^(楼上|楼下|隔壁|对门)的?(邻居|朋友|兄弟|大哥|大姐|姐妹)|(邻居|朋友)(们)?[,，]?\s?(你家|你们家)/
const POSITIVE_TONE = /(真好|挺好|好美|好漂亮|享受|开心|好吃|好听|点赞|推荐|赞|不错)/
const SARCASM = /(真棒|真好|感谢物业的|贴心|太感谢物业|谢谢物业的|物业辛苦了)[^,，。]{0,4}/
const PLACEHOLDER_ONLY = /^(\s*\[[^\]]{1,8}\]\s*)+$/
const HAS_WORD = /[\p{Script=Han}a-z0-9]/iu

// ------------------------------------------------------------------------------------------------
// Result helpers

const NO_LOCATION: Location = { building: null, unit: null, room: null }
const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : Math.round(x * 1000) / 1000)

function chatter(location: Location, confidence: number, reasons: string[]): Classification {
  return { isRequest: false, category: null, urgency: null, location, confidence: clamp01(confidence), method: 'offline', reasons }
}

interface UrgentCue {
  cue: string
  category: Category
}

// ------------------------------------------------------------------------------------------------
// Classification

/** Synchronous offline classification. Never throws; always returns taxonomy values. */
export function classifyText(input: ClassifierInput): Classification {
  try {
    return classifyUnsafe(input)
  } catch {
    return chatter({ ...NO_LOCATION }, 0.1, ['internal_error'])
  }
}

function classifyUnsafe(input: ClassifierInput): Classification {
  const raw = input && typeof input.text === 'string' ? input.text : ''
  const norm = normalizeText(raw.length > MAX_CHARS ? raw.slice(0, MAX_CHARS) : raw)
  const location = norm ? extractLocationNormalized(norm) : { ...NO_LOCATION }
  if (!norm) return chatter(location, 0.99, ['empty'])
  if (PLACEHOLDER_ONLY.test(norm)) return chatter(location, 0.97, ['media_placeholder'])
  if (!HAS_WORD.test(norm)) return chatter(location, 0.95, ['no_words'])

  const s = norm.toLowerCase()
  for (const re of INJECTION) if (re.test(s)) return chatter(location, 0.95, ['prompt_injection'])

  const f = new Features(s)
  const reasons: string[] = []
  const has = (c: Concept) => f.has(c)

  // ---------------------------------------------------------------- people
  const elderPerson = has('elder') || AGE_ELDER.test(s)
  const child = has('child')
  const alone = has('alone')
  const vulnerable = elderPerson || has('vulnerable')

  // ---------------------------------------------------------------- urgent cues (danger right now)
  const urgent: UrgentCue[] = []
  const gasLeak = GAS_LEAK.test(s) && activeRegex(s, GAS_LEAK)
  if (gasLeak) urgent.push({ cue: 'gas_leak', category: 'safety' })
  const deliberateBurn = has('burnDeliberate')
  const strongFire = activeRegex(s, STRONG_FIRE)
  const weakFire = activeRegex(s, WEAK_FIRE)
  let fireNow = false
  if (strongFire && !(deliberateBurn && /火花/.test(s) && !/着火|起火|失火|火灾/.test(s))) fireNow = true
  else if (weakFire && !deliberateBurn) {
    // 焦糊味 alone may be someone's cooking; with wiring or appliances it is an electrical fire.
    const onlySmell = !/冒烟|烟雾|明火|火光|火苗|一股烟|好大的烟|烟很大/.test(s)
    if (!onlySmell || ELECTRIC.test(s)) fireNow = true
  }
  if (fireNow) urgent.push({ cue: 'fire', category: 'safety' })
  if (has('trapped') || (TRAPPED_CONTEXT.test(s) && ELEVATOR.test(s) && PERSON_INSIDE.test(s))) {
    urgent.push({ cue: 'trapped', category: ELEVATOR.test(s) ? 'repair' : 'safety' })
  }
  const distressNow = activeHits(f, 'distress').length > 0
  if (distressNow && !/跳楼价/.test(s)) urgent.push({ cue: 'person_in_distress', category: 'elderly_help' })
  if ((elderPerson || alone) && (DAYS_UNSEEN.test(s) || KNOCK_NO_ANSWER.test(s))) {
    urgent.push({ cue: 'unresponsive', category: 'elderly_help' })
  }
  const missingPerson = has('missing') && (elderPerson || child) && !has('pet') && !has('resolved')
  if (missingPerson && activeHits(f, 'missing').length > 0) {
    urgent.push({ cue: 'missing_person', category: 'elderly_help' })
  }
  if ((has('burst') && BURST_WATER.test(s)) || (has('flood') && FLOOD_ELECTRIC.test(s))) {
    urgent.push({ cue: 'burst_or_flood', category: 'repair' })
  }
  if (has('falling') && !FALLING_THROWN.test(s) && MORE_TO_FALL.test(s)) urgent.push({ cue: 'falling_structure', category: 'safety' })
  if (IMMINENT_COLLAPSE.test(s)) urgent.push({ cue: 'imminent_collapse', category: 'safety' })
  if (SHOCK.test(s)) urgent.push({ cue: 'electric_shock', category: 'safety' })
  if (has('dog') && has('bite') && (DOG_NOW.test(s) || BITTEN.test(s)) && activeHits(f, 'bite').length > 0) {
    urgent.push({ cue: 'dog_attack', category: 'safety' })
  }
  if (CHILD_DANGER.test(s)) urgent.push({ cue: 'child_in_danger', category: 'safety' })
  if (BATTERY_SWELL.test(s)) urgent.push({ cue: 'battery_swelling', category: 'safety' })
  if (SELF_HARM.test(s)) urgent.push({ cue: 'self_harm', category: 'elderly_help' })
  if (VIOLENCE.test(s)) urgent.push({ cue: 'violence', category: 'safety' })
  if (POISON.test(s)) urgent.push({ cue: 'poisoning', category: 'safety' })
  if (ELEVATOR_FALL.test(s)) urgent.push({ cue: 'elevator_fall', category: 'repair' })
  if (EMERGENCY_CALLED.test(s)) urgent.push({ cue: 'emergency_services', category: elderPerson || distressNow ? 'elderly_help' : 'safety' })

  // ---------------------------------------------------------------- not-a-request framings
  const recur = has('recur') || has('complain')
  const resolvedHits = f.of('resolved').filter(h => !/(没|不|未|还没|没有|怎么|何时|啥时候|什么时候)$/.test(clauseBefore(s, h.start, 3)))
  const resolvedQuestion = /(修好|好了|恢复|来电|来水)[^,，。]{0,3}(吗|没|没有|了吗|呢|\?)/.test(s)
  const resolved = resolvedHits.length > 0 && !resolvedQuestion
  const handling = has('handling')

  let announce = f.distinct('announce')
  if (BRACKET_NOTICE.test(s)) announce += 3
  if (SIGNED_NOTICE.test(s)) announce += 3
  if (STAFF_SPEAKER.test(s)) announce += 3
  if (FORWARDED.test(s)) announce += 3
  const firstPerson = FIRST_PERSON.test(s)

  // ---------------------------------------------------------------- category scores
  const cap = (x: number, m: number) => (x > m ? m : x)
  const score: Record<Category, number> = {
    repair: 0, elderly_help: 0, dispute: 0, environment: 0, safety: 0, consultation: 0, suggestion: 0, other: 0,
  }

  // repair: a facility with a fault, a utility out, or asking for a repair
  const facility = f.distinct('facility')
  const fault = f.distinct('fault')
  score.repair += cap(facility, 2) * 0.8 + cap(fault, 2) * 1.3 + cap(f.distinct('repairAct'), 2) * 1.8 + (has('outage') ? 2.5 : 0)
  if (facility > 0 && fault > 0) score.repair += 2

  // elderly_help: a vulnerable person with a care need or in distress
  const elderN = cap(f.distinct('elder'), 2) + (AGE_ELDER.test(s) ? 1 : 0)
  const needN = cap(f.distinct('elderNeed'), 3)
  score.elderly_help += elderN * 0.6 + needN * (elderPerson ? 1.4 : 0.4)
  if (elderPerson && needN > 0) score.elderly_help += 2
  if (elderPerson && alone) score.elderly_help += 1.5
  if (elderPerson && ADAPTATION.test(s)) score.elderly_help += 1.5

  // dispute: conduct of another party, conflict, fees
  const party = has('party')
  const nuisance = cap(f.distinct('nuisance'), 3)
  const conflict = cap(f.distinct('conflict'), 3)
  score.dispute += nuisance * 1.3 + conflict * 1.2 + (has('fee') ? 2 : 0) + (party ? 0.5 : 0)
  if (party && nuisance > 0) score.dispute += 1.5
  if (party && conflict > 0) score.dispute += 1

  // environment: sanitation, pests, greenery
  score.environment += cap(f.distinct('env'), 3) * 1.3 + cap(f.distinct('pest'), 2) * 1.8

  // safety: hazards to life or property
  const hazardN = cap(f.distinct('hazard'), 2)
  score.safety += hazardN * 2
  if (gasLeak) score.safety += 5
  else if (has('gasWord') && /罐|钢瓶/.test(s)) score.safety += 2
  if (strongFire || weakFire) score.safety += fireNow ? 5 : 2
  if (deliberateBurn && (weakFire || strongFire)) score.safety += 1
  if (has('falling')) score.safety += 3
  if (has('ebike') && has('charging')) score.safety += 3.5
  else if (/飞线|私拉电线|私拉乱接|乱拉电线/.test(s)) score.safety += 3.5
  if (has('exposedWire') && /电线|线|铜丝|电/.test(s)) score.safety += 3
  if (has('manhole')) score.safety += 3
  if (has('exitBlock')) score.safety += 3
  if (has('intruder')) score.safety += 2.5
  if (has('fraud')) score.safety += 3
  if (has('dog') && has('bite')) score.safety += 3
  if (PETROL.test(s)) score.safety += 2
  score.safety += cap(f.distinct('danger'), 2) * 0.6

  // consultation: policy or service questions
  const policyN = cap(f.distinct('policy'), 2)
  const howN = cap(f.distinct('howTo'), 2)
  const questionish = has('question') || howN > 0
  score.consultation += policyN * 1.6 + howN * 1.2
  if (policyN > 0 && questionish) score.consultation += 1.5
  if (has('fee') && howN > 0 && conflict === 0 && !has('complain')) score.consultation += 2

  // suggestion: proposals to improve the community
  const suggestWord = has('suggest')
  const suggestVerb = SUGGEST_VERB.test(s) || ZHENGGE.test(s)
  if (/建议|提议|提个建议|倡议/.test(s)) score.suggestion += 5
  else if (suggestWord) score.suggestion += 2.5
  if (suggestVerb) score.suggestion += 3

  // other: favours and services that fit nowhere else
  score.other += cap(f.distinct('favour'), 2) * 2

  // ---------------------------------------------------------------- cross-category rules
  // Leaks between floors where blame is at issue are disputes (guide); a plain leak is a repair.
  if (/楼上|楼下|隔壁/.test(s) && /漏|渗|滴/.test(s) && conflict > 0) score.dispute += 2
  // Smoke or smells from neighbours' cooking/smoking are disputes.
  if (party && /油烟|烟味|抽烟|烧烤|熏/.test(s)) score.dispute += 1.5
  // Rubbish/pests are environment even when someone is blamed, unless a conflict is explicit.
  // A vulnerable person affected by a broken facility: still a repair unless someone asks for care.
  if (elderPerson && /(帮帮|照顾|安排人|送|陪|看看(他|她)|看一下(他|她)|帮(他|她))/.test(s)) score.elderly_help += 1.5
  // Safety beats repair for hazards named by the guide.
  if (fireNow || gasLeak) { score.safety += 3 }
  // A policy keyword inside a complaint about fees is a dispute, not a question.
  if (has('fee') && (conflict > 0 || /凭什么|涨|乱收|不合理/.test(s))) { score.dispute += 1.5; score.consultation -= 1 }
  // Deliberate burning smell that fills the area is environmental.
  if (deliberateBurn && /味|烟/.test(s) && !fireNow) score.environment += 1

  for (const u of urgent) score[u.category] += 3

  // ---------------------------------------------------------------- request evidence
  const ranked = (Object.keys(score) as Category[]).sort((a, b) => score[b] - score[a] || tieOrder(a) - tieOrder(b))
  let top = ranked[0]!
  const second = ranked[1]!
  const topScore = score[top]

  const authority = has('authority') || /@\S{0,6}(物业|社区|管家|小助手|网格|居委|客服|保安|书记)/.test(s)
  const ask = has('ask')
  const complaint = has('complain')
  let evidence = topScore
  if (authority && (ask || questionish || complaint)) evidence += 1.5
  else if (authority) evidence += 0.7
  if (ask) evidence += 0.8
  if (complaint) evidence += 0.6
  if (urgent.length > 0) evidence += 3
  if (ME_TOO.test(s)) evidence += 1
  if (has('urgentCall')) evidence += 0.5

  // Soft framings that lower the evidence.
  const chatN = f.distinct('chat') + f.distinct('greeting')
  const neighbourQ = has('neighbourQ') || NEIGHBOUR_ADDRESS.test(s)
  if (neighbourQ && !authority) evidence -= 2.5
  if (chatN > 0 && urgent.length === 0) evidence -= Math.min(chatN, 3) * 0.6
  if (POSITIVE_TONE.test(s) && !complaint && urgent.length === 0) evidence -= 1
  if (has('thanks') && !complaint && !ask && urgent.length === 0) evidence -= 1

  // Hard framings: the guide lists these as not requests.
  const problemStrong = topScore >= 4 || urgent.length > 0
  if (announce >= 3 && !(firstPerson && problemStrong && !has('selfNotice'))) {
    return chatter(location, 0.85, ['announcement', ...reasonsOf(f, 'announce')])
  }
  if (has('selfNotice') && !complaint) return chatter(location, 0.8, ['resident_notice'])
  const adN = f.distinct('ad') + f.distinct('groupBuy')
  if (has('groupBuy') && f.distinct('groupBuy') >= 2 && urgent.length === 0) return chatter(location, 0.85, ['group_buy', ...reasonsOf(f, 'groupBuy')])
  if (/接龙|团购|拼团|成团|截单/.test(s) && urgent.length === 0 && !complaint) return chatter(location, 0.85, ['group_buy'])
  if (adN >= 3 && !firstPerson && urgent.length === 0) return chatter(location, 0.85, ['advertisement', ...reasonsOf(f, 'ad')])
  if (/(加v|加微信|vx|wx|微信号|私聊|私信|电话)[^,，。]{0,20}$/.test(s) && adN >= 2 && !firstPerson && urgent.length === 0) {
    return chatter(location, 0.8, ['advertisement'])
  }
  if (resolved && !(recur && problemStrong && !/虚惊|误会|搞错/.test(s))) {
    return chatter(location, 0.85, ['already_resolved', ...resolvedHits.map(h => `resolved:${h.term}`).slice(0, 2)])
  }
  if (handling && !complaint && urgent.length === 0 && !/还没|没有|不|没/.test(f.terms('handling').join(''))) {
    if (topScore < 6 || POSITIVE_TONE.test(s)) return chatter(location, 0.75, ['being_handled'])
  }
  const lostPetOrItem = (has('lost') && (has('pet') || has('lostItem'))) || has('found')
  if (lostPetOrItem && !missingPerson && !authority && policyN === 0 && !has('favour') && urgent.length === 0) {
    return chatter(location, 0.85, ['lost_or_found'])
  }

  // Threshold: one clear concept (facility+fault, policy question, hazard) or a weaker one addressed
  // to the people who can act.
  const THRESHOLD = 3
  let isRequest = evidence >= THRESHOLD
  // Sarcastic praise around a real problem is still a complaint (真棒, 感谢物业的贴心安排).
  if (!isRequest && SARCASM.test(s) && topScore >= 3 && (has('longTime') || complaint)) isRequest = true
  // A bare question with no community topic is neighbour chat.
  if (isRequest && topScore < 1.5 && urgent.length === 0) isRequest = false
  if (!isRequest) {
    const conf = 0.5 + Math.min(0.45, (THRESHOLD - evidence) * 0.1)
    return chatter(location, conf, ['no_request_signal', `evidence:${evidence.toFixed(1)}`])
  }

  // ---------------------------------------------------------------- category choice
  let category: Category = top
  if (topScore < 2 && (ask || authority)) category = 'other'
  // A proposal beats a mild complaint it is attached to, not a danger.
  if (score.suggestion >= 5 && urgent.length === 0 && category !== 'suggestion' && score.suggestion + 1 >= topScore) category = 'suggestion'
  top = category

  // ---------------------------------------------------------------- urgency
  const urgency = decideUrgency({
    category, s, f, urgent, elderPerson, child, alone, vulnerable,
  })

  // ---------------------------------------------------------------- confidence
  const margin = score[top] - (top === second ? score[ranked[2]!] : score[second])
  const reqStrength = Math.min(1, (evidence - THRESHOLD + 1) / 5)
  const catStrength = Math.min(1, Math.max(0, margin) / 4)
  let confidence = 0.35 + 0.35 * reqStrength + 0.3 * catStrength
  if (urgent.length > 0) confidence = Math.max(confidence, 0.8)
  if (category === 'other') confidence = Math.min(confidence, 0.55)

  reasons.push(`category:${category}`, `score:${score[top].toFixed(1)}`, `margin:${margin.toFixed(1)}`)
  for (const u of urgent) reasons.push(`urgent:${u.cue}`)
  for (const c of KEY_CONCEPTS) { const t = f.terms(c); if (t.length) reasons.push(`${c}:${t.slice(0, 3).join('|')}`) }

  return {
    isRequest: true, category, urgency, location, confidence: clamp01(confidence), method: 'offline', reasons,
  }
}

const KEY_CONCEPTS: Concept[] = ['facility', 'fault', 'elder', 'elderNeed', 'nuisance', 'conflict', 'env', 'pest', 'hazard', 'policy', 'suggest', 'favour']

// When two categories tie, prefer the one with more specific consequences for the resident.
const TIE: Category[] = ['safety', 'elderly_help', 'repair', 'dispute', 'environment', 'consultation', 'suggestion', 'other']
function tieOrder(c: Category): number { return TIE.indexOf(c) }

function reasonsOf(f: Features, c: Concept): string[] {
  return f.terms(c).slice(0, 3).map(t => `${c}:${t}`)
}

/** A regex match that is not denied, over, or only feared (see NOT_NOW_BEFORE / GONE_AFTER). */
function activeRegex(s: string, re: RegExp): boolean {
  const g = new RegExp(re.source, 'g')
  let m: RegExpExecArray | null
  while ((m = g.exec(s)) !== null) {
    const before = clauseBefore(s, m.index, 8)
    const after = clauseAfter(s, m.index + m[0].length, 10)
    if (!NOT_NOW_BEFORE.test(before) && !GONE_AFTER.test(after)) return true
    if (m[0].length === 0) g.lastIndex++
  }
  return false
}

interface UrgencyInput {
  category: Category
  s: string
  f: Features
  urgent: UrgentCue[]
  elderPerson: boolean
  child: boolean
  alone: boolean
  vulnerable: boolean
}

function decideUrgency(x: UrgencyInput): Urgency {
  const { category, s, f } = x
  if (x.urgent.length > 0 && category !== 'suggestion' && category !== 'consultation') return 'urgent'

  const many = f.has('many') || WE_BUILDING.test(s) && HEATING_OR_WATER_OUT.test(s)
  const timely = f.has('timely')
  switch (category) {
    case 'suggestion':
      return 'low'
    case 'consultation': {
      if (IMMINENT_DEADLINE.test(s)) return 'high'
      if (DEADLINE.test(s) || HARDSHIP.test(s) || (x.elderPerson && /行动不便|中风|残疾|瘫痪|卧床/.test(s))) return 'normal'
      return 'low'
    }
    case 'elderly_help': {
      if ((ADAPTATION.test(s) || SERVICE_INQUIRY.test(s)) && !x.alone && !f.has('distress')) return 'normal'
      if (/借/.test(s) && !x.alone) return 'normal'
      return 'high'
    }
    case 'repair': {
      if (many) return 'high'
      if (ELEVATOR_DOWN.test(s) && !BUTTON.test(s)) return 'high'
      if (x.elderPerson && /(冻|冷|热|晕|病|腿|下不了|上不去|爬不动|走不动|没法|不方便)/.test(s)) return 'high'
      if (x.child && KIDS_EXPOSED.test(s) && !LIGHT_FAULT.test(s)) return 'high'
      if (/(排了|堵到|一溜|排队|堵死)/.test(s)) return 'high'
      return 'normal'
    }
    case 'safety': {
      if (f.has('manhole') && /(没了|没有了|不见|丢了|缺|窟窿|大坑|大洞|掉下去)/.test(s)) return 'high'
      if (f.has('exposedWire') || /飞线|私拉电线|乱拉电线|漏电/.test(s)) return 'high'
      if (FALLING_THROWN.test(s) || f.has('falling')) return 'high'
      if (PETROL.test(s) || /焦糊味|烧焦|焦味|糊味/.test(s)) return 'high'
      if (f.has('burnDeliberate') && /火|烟/.test(s)) return 'high'
      if (f.has('intruder') && /(今天|刚才|刚刚|现在|正在|还在|挨家挨户|敲门)/.test(s)) return 'high'
      if (x.child && KIDS_EXPOSED.test(s)) return 'high'
      if (f.has('dog') && f.has('bite')) return 'high'
      if (many) return 'high'
      return 'normal'
    }
    case 'environment': {
      if (many && (x.vulnerable || /污水|粪|烧|烟/.test(s))) return 'high'
      if (/(孕妇|婴儿|坐月子)/.test(s)) return 'high'
      if (MINOR_NUISANCE.test(s)) return 'low'
      return 'normal'
    }
    case 'dispute': {
      if (TIME_TO_HOSPITAL.test(s) || (timely && /急/.test(s))) return 'high'
      return 'normal'
    }
    case 'other': {
      if (ONE_OFF_FAVOUR.test(s)) return 'low'
      return 'normal'
    }
  }
}

/** Offline classifier: rules and lexicons only, no network. */
export class OfflineClassifier implements Classifier {
  readonly method = 'offline' as const

  classify(input: ClassifierInput): Promise<Classification> {
    return Promise.resolve(classifyText(input))
  }
}

export function createOfflineClassifier(): OfflineClassifier {
  return new OfflineClassifier()
}
