// Step 3 of the offline classifier: the danger net. Recall first.
//
// A live danger makes a request urgent, whatever the model thought, unless the sentence it is in clearly
// places it in the past, elsewhere, in a drill or the news, in a hypothetical, or says it is over. The net
// is two tables: cue families (what a live danger sounds like) and cancelling framings. Both read the
// canonical text (./features.ts: simplified, lower case, Cantonese mapped to Mandarin, digits in
// addresses). To add a family: one entry here, with examples, and corpus lines for it.

/** A kind of live danger, with the wording that reveals it. */
export interface CueFamily {
  name: string
  /** What counts, in words. */
  means: string
  /** Messages the family must catch (checked by the tests). */
  examples: string[]
  /** Alternatives of one regular expression; each alternative is one way residents say it. */
  cues: string[]
  /** A sentence that also says this is about something else (a lost pet, not a person) does not count. */
  unless?: string
}

/** A way of talking about a danger that is not happening here and now. */
export interface Framing {
  name: 'past' | 'elsewhere' | 'drill' | 'hypothetical' | 'resolved' | 'notice'
  examples: string[]
  cues: string[]
  /** true: anywhere in the message cancels every cue (a news item, a drill notice); false: only in the cue's sentence. */
  wholeMessage: boolean
}

const PERSON = '(人|孩子|小孩|宝宝|娃|儿子|女儿|老人|老头|老太|老爷子|老太太|大爷|大妈|阿姨|爷爷|奶奶|姥姥|姥爷|外公|外婆|我爸|我妈|老爸|老妈|老伴|婆婆|公公|邻居|他|她)'
const ELDER = '(父亲|母亲|家父|家母|老汉|姆妈|grandma|grandpa|老人|老头|老太|老爷子|老太太|大爷|大妈|阿姨|爷爷|奶奶|姥姥|姥爷|外公|外婆|我爸|我妈|老爸|老妈|老伴|婆婆|公公|邻居|独居)'
const KID = '(女孩|男孩|小女孩|小男孩|个仔|孩子|小孩|宝宝|娃|儿子|女儿|小朋友|儿童|婴儿|闺女|小孙子|孙子|孙女)'
const ELECTRIC = '(灯(的)?线|线路|灯罩|电灯|吸顶灯|灯里|拖板|插座|插线板|插排|电箱|配电箱|配电间|配电房|电表|电闸|电线|电路|开关|电源|灯座|变压器|电梯井)'

export const CUE_FAMILIES: CueFamily[] = [
  {
    name: 'trapped',
    means: 'a person shut in a lift, a room or a car, or stuck',
    examples: ['电梯卡在7楼了，里面有人在拍门，按钮全没反应', '电梯刚才一下子出溜下去两层，俺妈还在里头', '我把钥匙锁屋里了孩子还在里面'],
    cues: [
      `(困|卡)(在|住|了)?.{0,6}(电梯|轿厢|里面|里头|屋里|车里|厕所|卫生间)`, `(电梯|轿厢).{0,12}(困|关|卡)(住|了|着)?.{0,4}${PERSON}`,
      '(电梯|轿厢)(里|里面|里头).{0,10}(出不来|困|卡住|喊|哭|拍门|被关)', '被(关|困|锁|卡)(在)?(电梯|屋|车|厕所|卫生间|里)', `${PERSON}还在(里面|里头|里边|屋里|车里)`,
      '(电梯|梯).{0,20}人在(里面|里头|里边)', '(在里面|在里头|在里边).{0,8}(拍门|喊|哭|出不来)',
      '(电梯|梯).{0,10}(往下(掉|滑|冲|沉|坠)|掉(下去|了.{0,2}层|到)|坠|下坠|溜下|出溜|急停|停在半|一沉|猛地)', '(拍|砸|敲|捶)(电梯|轿厢)|电梯(门)?.{0,8}(拍|砸|敲|捶)', `${PERSON}.{0,6}出不来`, '喊救命|呼救|sos',
      '反锁.{0,8}(在|里)', '(头|手|脚|腿|胳膊)(被)?(卡|夹)(住|在)', 'kun.?ren|dianti.{0,8}(kun|ka)|trapped|stuck in',
    ],
  },
  {
    name: 'person_down',
    means: 'someone fallen, unconscious, not responding, or in acute medical distress',
    examples: ['我爸在卫生间摔了起不来', '敲了半天门没人应，老太太三天没出门了', '我妈电话一直没人接，谁能去看看'],
    cues: [
      '(?<!差点|差一点)(摔|跌)(倒|在地|在家|在卫生间|在厕所|在楼道|在浴室)', '(摔|跌|倒).{0,8}(起|爬)不(来|起来)|(摔|跌)(了|伤).{0,10}(不能动|动不了|流血|昏|不醒)', '倒(在)?(地|床边|门口|楼道)', '躺在.{0,6}地上|(喊|叫)(了)?(他|她)?(也|都)?(不动|没反应|不应)',
      '站不起来|(说话|话都)(说)?不(清楚|利索|清)|嘴(巴)?歪|头着地|fell|fallen|in pain',
      '昏迷|(?<!差点|差一点)晕倒|晕过去|昏过去|不省人事|叫不醒|没(了)?(意识|知觉|呼吸)',
      '抽搐|口吐白沫|喘不(上|过)气|呼吸困难|hu ?xi ?(hen ?)?kun ?nan|胸口(疼|痛|闷)|心脏病(犯|发)|嘴歪|说不出话|半边身子(不能动|没知觉)|吐血|大出血|流了好多血',
      `${ELDER}.{0,10}(电话|微信|视频).{0,8}(没人接|不接|勿接|打不通|没回)`, '(一个人(住|在(家|屋|屋头|屋里))|独居|独自).{0,30}(电话|微信).{0,8}(没人接|不接|勿接|打不通|不回)',
      '(电话|微信).{0,8}(没人接|不接|勿接|打不通|不回).{0,20}(一个人|独居|老人|心脏|高血压|身体)', 'dian ?hua ?(bu ?jie|da ?bu ?tong)|not answering', '(敲门|按门铃|叫门|喊).{0,8}(没人(应|开|理)|没反应|没动静)', '(好|几|两|三|四|五)天没(见|出门|露面|开门|动静|下楼|看到人|看见人)', '人也没见(着|到)',
      'shuai.?dao|hun.?mi|fainted|collapsed|fell down',
    ],
  },
  {
    name: 'missing_person',
    means: 'a person who has just gone missing: a dementia patient wandered off, a child not found',
    examples: ['我家老爷子有老年痴呆，下午出门到现在没回来', '孩子在小区里玩找不到了', '奶奶走丢了，穿蓝色外套'],
    unless: '猫|狗|泰迪|比熊|金毛|柯基|鹦鹉|宠物|钥匙|手机|钱包|快递',
    cues: [
      '(?<!防)(?<!(狗|猫|泰迪|比熊|金毛|柯基|鹦鹉|宠物)[^，。,]{0,6})(走丢|走失)(?!过)|失踪|丢了孩子|孩子丢了', `${PERSON}.{0,8}(找不到|不见了|没回来|没回家|联系不上|跑出去)(?!.{0,4}(的路|家门))`,
      '(老年痴呆|痴呆|阿尔茨海默|认知障碍|失智|糊涂|认不到路).{0,40}(出门|出去|走了|跑了|不见|没回|人(就)?没了)', '(出门|出去|走出去|放学).{0,30}(还没回|没回(来|家)|不见了)',
      '(没回(来|家)|不见了).{0,40}(痴呆|阿尔茨海默|认知障碍|失智|糊涂|认不到路)', `${KID}.{0,20}不见(了|的)`, '寻人',
      '(问他|问她).{0,6}(住哪|家在哪).{0,6}(说不清|不知道)', 'zou.?diu|missing',
    ],
  },
  {
    name: 'gas',
    means: 'gas smell or leak, also described without naming gas (rotten eggs, getting stronger, dizzy)',
    examples: ['楼道里一股臭鸡蛋味越来越浓，闻着头晕', '厨房燃气管嘶嘶响', 'meiqi wei hen da'],
    cues: [
      '(煤气|燃气|天然气|液化气|瓦斯|气罐).{0,6}(味|泄|漏|嘶|冲)', '(漏|泄)(气|煤气|燃气)', '臭鸡蛋', '(燃气|煤气)报警器.{0,6}(响|叫)', '(别|不要|千万别|不敢)(按门铃|开灯|打火|开关电器|用明火|开关电)', '头(好|很|有点)?晕.{0,6}(味|闻)|(味|闻).{0,10}头(好|很|有点)?晕', '(味|气味|味道)(儿)?.{0,4}越来越(浓|大|重|冲)',
      '(闻|熏)(着|得|了)?.{0,6}(头晕|头疼|恶心|想吐)', '头晕.{0,6}(恶心|想吐)', 'mei.?qi|ran.?qi|gas (leak|smell)|smell(s)? gas',
    ],
  },
  {
    name: 'fire_smoke_sparks',
    means: 'fire, smoke, sparks or a burning smell right now',
    examples: ['5号楼楼下有人在烧东西，烟很大', '配电箱噼里啪啦冒火花', '楼道里一股焦糊味，好像哪里烧起来了'],
    cues: [
      '(?<![打点]不)着火|着伙|爆炸|(燃气灶|煤气灶|灶).{0,8}(关不掉|关不了|还有火|关了还)|(管子|衣服|阳台|屋|房子|车|电线|被子|窗帘|沙发).{0,4}(着了|在烧|烧起来|点着)|(现在|还|正)在烧|自燃|火(很|好|特别|太)大|起火|失火|火灾|烧起来|烧着了|火苗|明火|火光|火势|大火', '(冒|窜|出)(烟|火)', '浓烟|黑烟|烟(很|好|太|特别)?(大|浓|呛)|全是烟(?!头)|都是烟(?!头)|烟雾(?!报警|探测|缭绕)',
      '火花|电火|噼里啪啦', '漏电|被电(了|到)|触电', '(焦|糊|烧焦|焦糊|塑料烧)(的)?味', '(电线|插座|电箱|电表|充电器|电瓶|电池).{0,6}(冒|烧|着|鼓包|爆)',
      '烧东西.{0,10}烟', 'zhao.?huo|qi.?huo|fire|smoke',
    ],
  },
  {
    name: 'water_spreading',
    means: 'water bursting or spreading, rising, or reaching electricity',
    examples: ['楼上的水顺着天花板流到插座上了', '地下车库进水了，还在往上涨', '我家水管爆了，添麻烦了，物业快来'],
    cues: [
      `(水|漏水|渗水).{0,4}(流|滴|渗|漏|灌|淌|喷|进|顺着).{0,8}${ELECTRIC}`, `${ELECTRIC}.{0,8}(进水|泡水|泡了|淹|滴水|漏水|湿了|冒水)`, '(水管|管子|管道|水龙头|阀门|暖气片|暖气管).{0,6}(爆|崩|喷)',
      '爆管|爆了.{0,6}水|水.{0,4}(喷|涌|灌)|(滋|呲|喷|冒|涌)(热)?水', '淹了|淹到|被淹|漫到.{0,4}(家|屋|门口|客厅)',
      '(顶上|顶棚|天花板|楼上).{0,8}(直流水|哗哗|往下(流|漏|灌))', '水.{0,10}(流到|淌到|顺着楼梯).{0,6}(楼|家|屋|电梯)',
      `(浸|泡)(住|到|了)?.{0,2}${ELECTRIC}`, 'water.{0,30}(rising|above)|(di ?ku|che ?ku).{0,10}(jin ?shui|yan)', '(水|积水).{0,8}(越来越(深|多|高)|往上涨|还在涨|没过|到膝盖|到小腿)',
      '(车库|地库|地下室|电梯井).{0,8}(进水|淹|积水|灌水)', '(水|血).{0,4}止不住', 'shui.?guan.?bao|flood',
    ],
  },
  {
    name: 'child_in_danger',
    means: 'a child at a window, edge or in a car, or alone in danger',
    examples: ['对面楼有个小孩站在窗台上', '孩子被锁车里了，太阳底下晒着', '小孩爬到阳台栏杆外面了'],
    cues: [
      `${KID}.{0,12}(窗台|窗户外|窗外|探出|阳台(边|外|栏杆)|栏杆外|护栏外|爬(到|上|出)|悬空|挂在|锁(在)?车|车里|掉(下|进)|落水|溺水|卡(住|在))`,
      `(锁|关)(在)?车(里|内).{0,8}${KID}|${KID}.{0,6}(一个人|独自).{0,8}(家|屋|车)(里)?.{0,8}(哭|喊|烧|火|烟)`,
    ],
  },
  {
    name: 'attack',
    means: 'an attack or a fight, also one about to break out; an animal attacking',
    examples: ['楼下两拨人要打起来了，有人拿着棍子', '一条没拴的大狗追着小孩咬', '有人拿刀在单元门口'],
    cues: [
      '打(起来|人|架|伤)|动(起)?手了|动刀|抄家伙|拿(着)?(刀|棍|棒|砖|酒瓶|瓶子)|追(着)?人|失控|冲进去|(正在|在)撬|撬车门|持刀|砍人|捅人|行凶|抢劫|家暴|围殴|推搡|掐(脖子|人)',
      '(狗|犬).{0,10}(咬(了|伤|住|到)|扑(上|过)来|扑倒|追着.{0,4}咬)|还在咬', '(拖|拽|按).{0,8}打|打(她|他|女的|男的|孩子|老人)', '咬(伤|了|到|住).{0,6}(人|孩子|小孩|腿|手)', 'fight|attack|bit(e|ing|ten)',
    ],
  },
  {
    name: 'structure_giving_way',
    means: 'a balcony, ceiling, wall or facade cracking, sagging, falling or about to fall',
    examples: ['阳台裂了一道大缝还在往下掉渣', '阳台顶上的水泥板塌下来一大块，砸到人了', '天花板鼓起来了，像要塌'],
    cues: [
      '塌(了|下来|下去)|坍塌|倒塌|垮(了|下来)', '掉渣|往下掉(碎块|东西|水泥)|还在.{0,4}往下掉', '承重墙.{0,10}(裂|缝)|咔咔(的)?(声|响)', '(?<!差点|差一点)砸(到|伤|中)(了)?(人|孩子|老人|头)',
      '(天花板|吊顶|顶棚|阳台|外墙|墙体).{0,8}(掉下来|砸下来|塌|一大块)', '哗啦.{0,6}掉',
      '(楼体|房子|承重墙|墙体|地面).{0,4}(晃|倾斜|下沉|开裂)',
    ],
  },
  {
    name: 'life_support',
    means: 'a life-support device (oxygen concentrator, ventilator, dialysis) losing power',
    examples: ['停电了，我爸的制氧机只剩一个小时电', '家里有呼吸机，断电撑不了多久'],
    cues: [
      '(制氧机|zhi ?yang ?ji|腹透|氧气机|呼吸机|透析|吸氧|氧气瓶|起搏器|输液泵|监护仪|吸痰器).{0,20}(停电|断电|没电|电池|电量|撑不|只剩|用不了|不能用|停了|坏了)',
      '(停电|断电|没电).{0,20}(制氧机|zhi ?yang ?ji|腹透|zhi ?yang ?ji|腹透|氧气机|呼吸机|透析|吸氧|起搏器|输液泵|监护仪|吸痰器)',
    ],
  },
  {
    name: 'self_harm_edge',
    means: 'someone on a rooftop edge or window ledge, or threatening to harm themselves',
    examples: ['天台边上坐着个小伙子，看着不对劲', '邻居说不想活了要跳楼'],
    cues: [
      '(天台|楼顶|屋顶|房顶|顶楼|窗台|窗外|阳台外|护栏外).{0,10}(坐|站|蹲|爬|要跳|边上|边缘)', '跳楼|轻生|自杀|割腕|想不开|不想活|寻短见|喝农药|吃了(很多|一瓶)药',
    ],
  },
  {
    name: 'emergency_call',
    means: 'residents calling for help or for 110/119/120 right now',
    examples: ['快来人啊救命', '已经打了120了，物业快来帮忙开门'],
    unless: '(吵|烦|笑|累|热|冷|困|饿)死',
    cues: ['救命|来人啊|出人命了', '(打|叫|拨)(了)?(110|119|120|救护车|消防)', '救护车(还没到|进不来|过不去)|接(一下)?120', 'help pls|please help|help!', 'help!|emergency|urgent!'],
  },
]

export const FRAMINGS: Framing[] = [
  {
    name: 'past', wholeMessage: false,
    examples: ['去年冬天水管爆过一次，把楼下都淹了', '上次电梯困人等了半小时'],
    cues: ['昨(天|晚)(?![^，。]{0,4}(开始|起|到现在|一直|至今))|去年|前年|上次|上回|那次|那回|那场|以前|之前(有|也|出过)|曾经|当年|小时候|有一次|有一回|前几年|那年|好几年前|年前|[0-9]+年(前|那)|过一次|过两次|发生过|上周|上星期|上礼拜|上个月|(着|烧|困|摔|爆|塌)过(?![来去])'],
  },
  {
    name: 'elsewhere', wholeMessage: true,
    examples: ['刚看到新闻，外地小区燃气爆炸了', '抖音上看到别的小区电梯坠落'],
    cues: ['新闻|报道|热搜|抖音|视频|电视(上|里)|朋友圈(看|转)|外地|外省|别的(小区|城市|地方)|其他(小区|城市)|隔壁(小区|区)|听说.{0,6}(那边|小区|城)|那边(有个|一个)小区|[^本]市.{0,4}(一|某)(小区|居民楼)|某(地|市|小区)'],
  },
  {
    name: 'drill', wholeMessage: true,
    examples: ['明天上午消防演练，听到警报不要慌', '燃气安全知识讲座'],
    cues: ['演练|演习|模拟|培训|讲座|知识|宣传|科普|安全检查|入户检查|巡检'],
  },
  {
    name: 'hypothetical', wholeMessage: false,
    examples: ['万一电梯晚上困人怎么办', '要是着火了楼道堵着怎么跑', '建议装个燃气报警器'],
    cues: ['万一|如果|假如|假设|要是|一旦|以防|预防|防止|防患|怕(哪天|以后|万一)|会不会|容易(引发|引起|造成)|真(要|的)?(着火|失火|出事|有火)|怕(着火|出事|掉|砸|塌|失火|引起|哪天|万一)|要(是)?着了|担心|建议|提议|能不能(装|加装|配|安装)|应该(装|配)|最好(装|配)|注意安全|提醒(大家|各位)'],
  },
  {
    name: 'resolved', wholeMessage: false,
    examples: ['电梯困人已经救出来了，谢谢大家', '刚才冒烟是邻居烧菜糊了，没事了'],
    cues: ['救出来|人出来了|(已经|都|还好)?没事(了)?(?!吧)|虚惊|误报|灭了|扑灭|找到了|回来了|联系上了|已(经)?(修好|处理|解决|恢复|送医|到医院|通知)|修好了|处理好了|弄好了|一切正常|恢复正常|不漏了|不冒了|烧菜|做饭糊|炒菜|(?<!是)不是(着火|漏气|燃气泄漏|火|煤气|燃气)|没有?(漏气|燃气味)|感谢信'],
  },
  {
    name: 'notice', wholeMessage: true,
    examples: ['【停电通知】明天9点停电，使用制氧机的住户请提前准备', '温馨提示：冬季注意用火安全'],
    cues: ['【[^】]*(通知|公告|提示|提醒)[^】]*】|通知[:：]|温馨提示|小贴士|物业(公告|通知)|各位(业主|居民|街坊)|特此通知|敬请|停电(通知|维修)|价格实惠|微信同号|团(一波|购)'],
  },
]

const compile = (cues: string[]): RegExp => new RegExp(cues.map(c => `(?:${c})`).join('|'))
const FAMILY_RE = CUE_FAMILIES.map(f => ({ family: f, re: compile(f.cues), unless: f.unless ? new RegExp(f.unless) : null }))
const FRAMING_RE = FRAMINGS.map(f => ({ framing: f, re: compile(f.cues) }))
const SENTENCE = /[^。！!？?\n；;]+[。！!？?\n；;]*/g

export interface DangerFinding {
  /** cue families live in the message (not cancelled) */
  live: string[]
  /** cue families found but cancelled, with the framing that cancelled them */
  cancelled: { family: string; by: Framing['name'] }[]
}

/** Reads the canonical text (see ./features.ts canonicalText). */
export function findDanger(s: string): DangerFinding {
  const live = new Set<string>()
  const cancelled: DangerFinding['cancelled'] = []
  if (!s) return { live: [], cancelled }
  const whole = FRAMING_RE.find(f => f.framing.wholeMessage && f.re.test(s))?.framing.name
  for (const sentence of s.match(SENTENCE) ?? [s]) {
    const families = FAMILY_RE.filter(f => f.re.test(sentence) && !f.unless?.test(sentence))
    if (families.length === 0) continue
    const framing = whole ?? FRAMING_RE.find(f => !f.framing.wholeMessage && f.re.test(sentence))?.framing.name
    for (const { family } of families) {
      if (framing) cancelled.push({ family: family.name, by: framing })
      else live.add(family.name)
    }
  }
  return { live: [...live], cancelled }
}
