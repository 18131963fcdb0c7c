// Regular-expression rules used by the offline classifier, grouped by purpose. Word lists live in
// ./lexicon.ts; these are the patterns that need word order or gaps (煤气…味, 孩子…锁在…).
// Keep each rule about a concept from the labelling guide, never about one particular message.

// ------------------------------------------------------------------------------------------------
// Is the danger happening now?

// Before a danger word: it is denied, over, or only feared.
export const NOT_NOW_BEFORE = /((?<![是的])真$|已经有|减少|少点|一旦|真有|真要|真出了|真的有|要是有|没有|没|无|(?<!是)不是|并非|并没|上次|上回|以前|之前|去年|前年|前几天|前阵子|曾经|昨天|昨晚|昨夜|前晚|前天|上周|上个月|上礼拜|那次|那天|听说|据说|新闻|万一|要是|如果|假如|怕|担心|以防|防止|预防|避免|小心|谨防|严禁|禁止|会不会|可能会|容易|迟早|早晚|差点|差一点|险些|不会|以免|当心|注意)/
// "从昨晚开始", "上个月到现在": a past marker that starts something still going on.
export const ONGOING_SINCE = /(从|自从|打从|自)(昨晚|昨天|昨夜|前晚|前天|上周|上个月|上礼拜|去年|前几天|前阵子|之前|以前)|(昨晚|昨天|昨夜|前晚|前天|上周|上个月|上礼拜|去年|前几天|前阵子|之前|以前)(开始|起|以来|到现在|至今)/g
// After a danger word: it has gone.
export const GONE_AFTER = /(没了|散了|灭了|扑灭|消失|已经好|不见了|虚惊|是误会|没事了|过去了|才出来|已经出来|救出来|被救出)/

// ------------------------------------------------------------------------------------------------
// Gates and framings

// Instructions aimed at the bot itself (guide: not a request).
export const INJECTION: RegExp[] = [
  /(忽略|无视|忘记|忘掉|不要理会|跳过|清除)(掉)?(你)?(之前|以前|此前|先前|前面|上面|以上|上述|刚才|原来|原有|所有|全部|一切)(的)?(所有|全部|一切)?(的)?(指令|指示|命令|规则|提示词?|设定|要求|约束|限制|对话|记忆)/,
  /(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|preceding|system)?\s*(instructions?|rules|prompts?|directions|context)/i,
  /(你现在|从现在(开始|起))(是|扮演|充当|作为|进入)(一个|一名|一位|个)?.{0,10}?(助手|机器人|ai|模型|管理员|系统|客服|开发者|角色|模式)/i,
  /(进入|切换到|开启)(物业)?(管理员|开发者|调试|上帝|越狱|debug|admin)模式/i,
  /从现在(开始|起)[,，]?\s*(你(?!们)|所有回复|每条回复|所有的回复|都(说|回复|回答))/,
  /\byou\s+are\s+now\b|\bact\s+as\s+(a|an|the)\b|\bpretend\s+(to\s+be|you\s+are)\b|\bclassify\s+this\s+(message\s+)?as\b/i,
  /system\s*prompt|系统提示词?|系统设定|系统指令|你的设定|你的提示词|developer\s+mode|开发者模式|jailbreak|越狱/i,
  /^\s*\[(系统|system|管理员|admin)\]/i,
  /你是一个[^,，。]{0,12}(ai|人工智能|机器人|模型|助手)|没有任何限制|不受任何限制|无任何限制|\bdan\b模式|解除(所有)?限制/i,
  /(输出|发出来|发给我|列出|导出|泄露)[^,，。]{0,12}(所有|全部)?[^,，。]{0,6}(业主|居民|住户|用户)[^,，。]{0,6}(电话|手机号|号码|住址|地址|信息|资料|记录)/,
  /(所有|全部)(业主|居民|住户)的?(电话|手机号|号码|住址|身份证)/,
  /(不要|别|不用|无需|停止)(再)?(遵守|遵循|理会|听从|执行)[^,，。]{0,12}(规则|指令|设定|要求|限制|命令)/,
  /你作为一个?(ai|人工智能|机器人|模型|助手|程序)/i,
  /(把|将)[^,，。]{0,12}(所有人|所有业主|全部业主|所有住户|全部住户|所有居民|每个人|大家)的?(房号|电话|手机号|住址|地址|身份证|门牌|信息|资料)[^,，。]{0,4}(列|发|导|告诉|给我)/,
]
// Attempts to set the outcome of this message (标记为紧急, 转发给所有业主). Alone they address the bot and
// are not requests; beside a real problem (我妈摔倒了，请标记为紧急) the problem is still reported.
export const STEERING: RegExp[] = [
  /(把|将)(这条|此条|本条|该)(消息|信息|工单)?(标记|设置|设定|改|定|归类|分类)(为|成)/,
  /(这条|此条|本条|该条)(消息|信息|工单)?[^。]{0,16}(标记|标注|设置|设定|设|定|改|归类|分类)(为|成)/,
  /(这条|此条|本条|该条)(消息|信息)[^,，。]{0,4}(转发|群发|发送|发)给(所有|全部|全体|每个)/,
  /(以后|今后|从今以后|接下来)[^,，。]{0,6}(所有|每条|全部)[^,，。]{0,6}(消息|信息|工单)[^,，。]{0,6}(都)?(标记|设置|设定|改|定|归类|分类|当)(为|成)/,
]

export const BRACKET_NOTICE = /^[\s@\w]*【[^】]{0,12}(通知|提示|公告|告知|已处理|已完成|接种|活动|停水|停电|停气|预告|须知|通告|播报|提醒|服务)[^】]{0,6}】/
export const SIGNED_NOTICE = /(——|--|—|-)\s?[^,，。!！?？]{0,12}(物业|社区|服务中心|居委会|管家|客服|管理处|党委|街道)[^,，。!！?？]{0,8}$|【[^】]{0,10}(物业|社区|客服|管理处|服务中心)[^】]{0,6}】\s*$/
export const STAFF_SPEAKER = /^\s*(社区|物业|网格员|网格长|居委会|街道|管理处|物业客服|物业管家|管家)[^,，。!！?？:：]{0,8}[:：]|^\s*(温馨提示|友情提示|重要提示|安全提示|通知|紧急通知|重要通知|公告|提醒|停水通知|停电通知)\s?[:：]/
// Staff telling everyone what to do: 请未缴费的业主尽快缴纳, 请各位居民按时参加.
export const TO_ALL_IMPERATIVE = /请(各位|全体|广大|未[^,，。]{0,4}的|相关|有需要的)?(业主|居民|住户|大家|邻居)[^,，。]{0,10}(尽快|及时|按时|注意|配合|做好|提前|前往|携带|缴纳|于|准时|积极|踊跃)/
// Informational posts: 垃圾分类小知识：…, 防诈小贴士：…
export const INFO_HEADER = /^[^,，。!！?？]{0,10}(小知识|小贴士|小妙招|科普|冷知识|须知|指南|攻略)\s?[:：]/
export const SELF_CAUSED = /(不过|原来|其实|结果)(是|只是)?(我|我家|我们家|自己|自家)(自己)?(家)?的?[^,，。]{0,6}(欠费|跳闸|空开|没交|忘了|搞错|弄错|没开|关了|问题)/
// A planned outage someone relays from a notice: 物业贴了通知，说明天停水.
export const PLANNED_OUTAGE = /(通知|公告|说|听说)[^。]{0,12}(明天|明早|后天|下周|周[一二三四五六日天]|今晚|将|要|计划|预计)[^,，。]{0,8}(停水|停电|停气|断水|断电|停暖)/
export const FORWARDED = /^\s*(转发|转|\[转发\]|【转发】)\s?[:：]/
export const FIRST_PERSON = /(我家|我们家|俺家|阿拉屋里|阿拉|我哋|我屋|我妈|我爸|我婆婆|我爷爷|我奶奶|我外公|我外婆|我是|我在|我住|我们(这|那)?(栋|幢|楼|单元)|我们楼|我老伴|我孩子|我女儿|我儿子)/
export const ME_TOO = /^\s*(\+1|同问|同求|我家也是|我们也|我家也|我也是|加一|\+一)/

// Suggestions: proposing something new for the community.
export const SUGGEST_VERB = /(能不能|可不可以|可否|能否|是否可以|可以|希望|最好|要不|应该|真该|早该|就该|也该|为什么不|不如|何不|求求)[^,，。!！?？]{0,8}?((贴|挂|立|放|标|写|印|做|建|种|铺|画|修|整|弄)(个|一个|几个|一块|块|张|一张|些|一些|条|一条)(?!号)|加(?![快紧班油])|增加|增设|多装|多放|多设|多建|多安排|多配|装个|装几个|装一些|装一个|安装|建个|建一个|修建|搞个|搞一个|搞几个|办个|办一个|开个|开一个|开设|开办|划个|划一块|划出|划一个|搭个|搭一个|延长|设个|设置|设立|配个|配备|添|弄个|组织|举办|放几个|种些|种点|公示|公开|改成|改为|换成|规划|引进|开通|推出)/
// A message framed as a proposal: 关于停车难的建议：…, 建议如下, 我建议…
export const SUGGEST_FRAME = /^\s*(建议|我建议|提个建议|提议|提个意见|小建议|个人建议)|关于[^,，。]{0,20}的(建议|意见)|建议如下|几点建议/
export const ZHENGGE = /(整|搞|弄|建|开|办)(个|几个|一个|俩|点)[^,，。!！?？]{0,10}(呗|吧)(?![^,，。]{0,4}(修|换|来|看))/

export const AGE_ELDER = /(?:(?<!\d)(?:[6-9]\d|1[01]\d)\s?(?:岁|周岁)(?!以上|以下|及以上|及以下|的老人(可以|都|均)))|(?:[六七八九]十[一二三四五六七八九]?(?:岁|了|多))|今年[六七八九]十/
export const PERSON = '(老人|老人家|老爷爷|老奶奶|老太太|老大爷|大爷|奶奶|爷爷|外公|外婆|姥姥|姥爷|老伴|父亲|母亲|我爸|我妈|老爸|老妈|孩子|小孩|儿子|女儿|孙子|孙女|宝宝|娃|老头|老太)'
// A person (not a thing: 疫苗本丢了) gone missing.
export const MISSING_PERSON = new RegExp(PERSON + '[^,，。的]{0,8}(走失|走丢|丢了|没回来|没回家|不见了|找不到了|失联|下落不明|跑出去|溜出去)')
export const LEFT_NOT_BACK = /(出门|出去|走出去|离家|跑出去|下楼|遛弯|散步|买菜|溜达|转转)[^。]{0,14}(没回来|没回家|没回|还没回|不见了|没见回|找不到)/
export const DAYS_UNSEEN = /(?:\d+|[两三四五六七八九十几]+|好几|多)天(?:都|了|也)?没(?:有)?(?:见|看到|看见|出门|出过门|下楼|动静|开门|人|露面|出来|应|接)|(?:报纸|牛奶|快递|外卖|衣服|被子)[^,，。]{0,8}(?:塞满|没拿|没人拿|堆|没收|没人收)|人也?没见着?|没见着人|不见人影|几天不见人|没见(?:人|她|他)出来|(?:昨晚|昨天|前天|早上|一早|一天|从早|从昨)[^,，。]{0,6}(?:到现在|至今|一直)[^,，。]{0,6}(?:没|不)(?:有)?(?:开门|开过门|出门|出过门|出来|见|动静|回应|接电话|露面)/
export const KNOCK_NO_ANSWER = /敲门[^,，。]{0,4}(?:没人|无人|冇人)?(?:应|开|反应|回应|理)|敲门不应|敲不开|叫不应|喊不应|没人应/
export const GAS_LEAK = /gas (smell|leak)|smell(s|ing)? (of )?gas|(煤气|燃气|天然气|液化气|瓦斯|沼气)[^,，。.!！?？;；]{0,6}(味|漏|泄)|(漏|泄漏|泄露)[^,，。]{0,2}(煤气|燃气|天然气|液化气|气)|漏气|臭鸡蛋味/
export const GAS_ESCAPING = /冒气|喷气|呲呲|嗤嗤|滋滋|嘶嘶|往外冒|泄漏|泄露|都是味|一股味|味道很大|味很大|管(道|子)?(被)?[^,，。]{0,3}(挖断|断了|破了|裂了|挖破|爆了)/
export const STRONG_FIRE = /\bon fire\b|\bfire!|there is a fire|(?<![不没打点])着火|自燃|火很大|火势|大火|烧了起来|起火|失火|火灾|火警|烧起来|烧着了|冒黑烟|黑烟|浓烟|烟[^,，。]{0,3}黑的|黑色的烟|爆炸|火烛|冒火花|火花|冒火|着大火/
export const WEAK_FIRE = /(全是|都是|满是|好多|很多|好大|一屋子|一楼道)的?(烟|浓烟)|烟味(很|好|特别)?(重|大|浓)|冒烟|烟雾|火苗|明火|火光|焦糊味|糊味|烧焦|焦味|一股烟|好大的烟|烟很大/
export const ELECTRIC = /电|线|插座|配电|电箱|电器|开关|充电/
export const TRAPPED_CONTEXT = /(出不来|出不去|卡在[^,，。]{0,10}(中间|之间)|停在[^,，。]{0,10}(中间|之间)|门打不开)/
export const ELEVATOR = /电梯|轿厢|升降梯/
export const PERSON_INSIDE = /里面|里头|有人|小孩|孩子|老人|宝宝|娃|人在/
export const BURST_WATER = /水|管/
export const FLOOD_ELECTRIC = /配电|电箱|电房|变电|电梯井|插座|电表|电闸|电线/
export const FALLING_THROWN = /高空抛物|扔下来|丢下来|抛下来|往下扔|往下丢/
export const MORE_TO_FALL = /歪着挂|锈穿|吊着|悬在|晃来晃去|在晃|中晃|掉了一半|半掉|还有[^,，。]{0,6}(块|片|个)?[^,，。]{0,4}(松|悬|挂|翘|裂)|随时|摇摇欲坠|快掉|要掉|又掉|松着|松动|悬着/
export const IMMINENT_COLLAPSE = /(随时|马上|快要?|眼看)(可能|就|都|会|要)?(会|要)?(倒|塌|掉|断|砸|垮)|摇摇欲坠|要塌了|要倒了/
export const STRUCTURAL_NOW = /地震|(楼|房|(?<!围)墙|天花板|屋顶|阳台|楼板)[^,，。]{0,6}(塌了|垮了|倒塌|坍塌|要塌|塌下来)/
export const SHOCK = /触电|被电(了|到|一下)|电到人|电到(孩子|小孩|老人)|麻了一下/
export const CHILD_DANGER = /(孩子|小孩|宝宝|娃|儿童|小朋友)[^,，。]{0,10}(锁在|关在|困在|卡在|反锁)|反锁[^,，。]{0,8}(孩子|小孩|宝宝|娃|老人)|(孩子|小孩|宝宝|娃|儿童|小朋友)[^,，。]{0,10}(爬|站|坐|挂|趴)[^,，。]{0,8}(窗台|窗外|阳台外|护栏外|窗户外|栏杆外|楼顶|天台边)/
export const BATTERY_SWELL = /鼓包|电池[^,，。]{0,6}(冒烟|起火|着火|爆|烧起来)|(烧|着火|起火)[^,，。]{0,6}(电池|电瓶)/
export const SELF_HARM = /跳楼(?!价)|轻生|自杀|寻短见|割腕|(要|想|准备|打算)(往下)?跳(楼|下去|下来)?|往下跳|站在[^,，。]{0,6}(楼顶|天台|窗台|栏杆)(边|外|上)/
export const VIOLENCE = /持刀|拿刀|砍人|打起来了|动手打人|家暴|打人了|打砸|(拿|拎|举)着?(酒瓶|瓶子|棍子|铁棍|木棍|砖头|菜刀|刀)[^。]{0,12}(追|打|砸|砍|捅)|追着人(跑|打|砍)|(有人|听到|听见)[^,，。]{0,6}(喊|叫|呼)救命/
export const POISON = /一氧化碳|煤气中毒|中毒|(煤炉|炭火|烧炭|炭盆|煤球炉|炭炉)[^。]{0,24}(迷糊|头晕|晕|恶心|没反应|昏|叫不醒)/
// Someone in the water or fallen into a pit/shaft.
export const DROWNING = /溺水|落水|(掉|落|跌|摔|滑)(进|到|下|入)?[^,，。]{0,4}(水里|河里|池里|湖里|井里|塘里|池塘|河|湖|水池|泳池|井)|掉下去了/
// A cry for help. Residents use it for real emergencies; for noise or rubbish it is hyperbole, so it
// only raises urgency for safety, care and repair problems.
export const ALARM_CALL = /救命|快来人|来人啊|来人呐|急急急|十万火急|求救|sos|快报警|赶紧报警|快叫救护车/i
export const CALL_POLICE_NOW = /(快|赶紧|马上|立刻|帮忙)(报警|打110|报110)/
export const EMERGENCY_CALLED = /(打了|叫了|已经打|已打|拨打了?|已经叫|已经拨|刚打了?|赶紧打|快打|打)\s?(120|119|急救电话|火警)|(叫了|叫|打了|等|喊)\s?救护车|救护车(来了|到了|还没到)|消防车(来了|到了)/
export const ELEVATOR_FALL = /电梯[^,，。]{0,6}(下坠|坠落|冲顶|溜梯|掉下去|往下掉)/
export const ELEVATOR_DOWN = /(电梯|电悌)[^,，。!！?？]{0,10}(坏|停运|停了|停在|停着|不动|不能用|用不了|罢工|故障|没反应|瘫痪)/
export const BUTTON = /按(钮|键|扭)/
export const DOG_NOW = /(还在|正在|现在|追着|一直追|到处跑|乱窜)/
export const BITTEN = /咬伤|被咬|咬了|咬到/
export const DOG_ATTACK = /咬|扑|追|攻击/
export const PETROL = /汽油味|柴油味|漏油|(囤|存|放|堆)[^,，。]{0,6}(汽油|柴油|油桶)|汽油桶/
export const MINOR_NUISANCE = /小广告|牛皮癣|传单|落叶|狗屎|狗粪|枯死|枯了|浇水|草枯|涂鸦|树叶/
export const ADAPTATION = /适老化|改造|扶手|借轮椅|借用轮椅|助行器|防滑|坡道|无障碍/
export const SERVICE_INQUIRY = /(请问|有没有|是否有|能不能申请|怎么申请|可以申请)[^,，。]{0,12}(服务|食堂|助餐|上门|补贴)/
export const HARDSHIP = /被裁|失业|下岗|没收入|残疾|中风|重病|大病|住院|生病|病了|困难/
export const IMMINENT_DEADLINE = /急用|急需|(今天|明天|今晚|马上)(就)?要(交|用|办|提交|报)|(今天|明天|今晚|马上|后天|这两天)[^,，。]{0,4}(就)?(截止|到期|结束|过期|截单)|(截止|到期)[^,，。]{0,4}(今天|明天|今晚)/
export const DEADLINE = /截止|到期|过期|来得及|来不及|月底|下周|出差/
export const ONE_OFF_FAVOUR = /代收|代取|帮我收|拉(我)?进群|进群|入群|楼栋群|借用|活动室|会议室|群公告|场地/
export const LIGHT_FAULT = /灯/
export const HEATING_OR_WATER_OUT = /停水|没水|断水|停电|断电|没电|冇水|冇电|暖气不热|没暖气|停气/
export const WE_BUILDING = /我们[^,，。]{0,3}\d+(栋|幢|号楼|座)|我们(这|那|整)?(栋|幢|个楼|楼)|整栋|全楼|整个楼|整幢/
export const TIME_TO_HOSPITAL = /(送|去|赶)[^,，。]{0,6}(医院|看病|急诊)|急着|着急/
export const KIDS_EXPOSED = /(小孩|孩子|小朋友|娃|儿童|学生)[^,，。]{0,10}(还在|在上面|跑上去|爬上去|爬|玩|上面|经过|路过|放学|上学)|(还在|在上面|跑上去|爬上去)[^,，。]{0,6}(玩|荡)/
// Speaking to a neighbour directly ("楼上的邻居，你家…") rather than about them.
export const NEIGHBOUR_ADDRESS = /^(楼上|楼下|隔壁|对门|对面)的?(邻居|朋友|兄弟|大哥|大姐|姐妹|姐姐|哥哥|阿姨|叔叔|大叔|大妈|大爷|小哥|小姐姐|美女|帅哥|业主)[^。]*你|(邻居|朋友)(们)?[,，]\s?(你家|你们家)|你家|你们家/
// A resident warning everyone (大家注意, 别上当): information, not a request, unless they ask someone to act.
export const PUBLIC_WARNING = /(大家|各位|邻居们|家人们)[^,，。]{0,3}(注意|小心|警惕|当心|留意|提防)|提醒(一下)?大家|不要上当|别上当|谨防|不要轻信|别轻信|不要告诉/
export const POSITIVE_TONE = /(真好|挺好|好美|好漂亮|享受|开心|好吃|好听|点赞|推荐|赞|不错|好香|太香|真香|馋死|馋哭|流口水)/
export const SARCASM = /(真棒|真好|感谢物业的|贴心|太感谢物业|谢谢物业的|物业辛苦了)[^,，。]{0,4}/
export const CLUTTER = /(堆|堆满|堆放|堆着|放满|塞满|杂物|纸箱|纸壳|泡沫|旧家具)[^。]{0,12}(楼道|楼梯间|楼梯|过道|走廊|通道|门口)|(楼道|楼梯间|楼梯|过道|走廊|通道|阳台|天台|楼顶|地下室|车库)[^。]{0,16}(堆|堆满|堆放|堆着|放满|塞满|杂物|纸箱|纸壳|泡沫)/
export const FIRE_TALK = /火|烟头|出事|隐患|危险|消防|着了|燃|易燃/
export const PLACEHOLDER_ONLY = /^(\s*\[[^\]]{1,8}\]\s*)+$/
export const HAS_WORD = /[\p{Script=Han}a-z0-9]/iu

// ------------------------------------------------------------------------------------------------
// Added after testing on new, unseen messages

// After a danger word: it happened before (绊倒过一次, 摔了好几次), so it is not happening now.
export const HAPPENED_BEFORE_AFTER = /^[^,，。]{0,6}(一次|两次|几次|好几次|多次|一回|过一回)/
// Dementia and confusion: a person who cannot find the way home.
export const DEMENTIA = /痴呆|阿尔茨海默|阿尔兹海默|失智|认知障碍|糊涂/
// A person who vanished: 一眨眼人就没了, 人不见了, 不见人影.
export const PERSON_GONE = /(人|老人|老爷子|老太太|他|她)(就|又|突然|一下子?)?(没了|不见了|找不到了|找不着了|没影了|走丢了)|不见人影|(一眨眼|一转眼|一转身|一不留神)[^,，。]{0,6}(没了|不见了|跑了|没影)/
// "…没坏，但是…": what follows a "fine" word is the actual problem.
export const BUT_AFTER = /^[^。]{0,3}(但是|但|可是|就是|不过|然而|只是)/
// Pest control asked for.
export const PEST_CONTROL = /消杀|灭鼠|灭蟑|杀虫|灭蚊|除虫|打药|喷药|投药|投放[^,，。]{0,4}药|鼠药/
// Something asked for the writer personally, not proposed for the community.
export const FOR_ME = /(帮我|给我|替我|为我|帮忙给我|(给|帮|替)(他|她|老人|我家|我们家|我妈|我爸|奶奶|爷爷|外婆|外公|老人家))[^,，。]{0,8}(开|办|弄|搞|装|换|修|加|设)/
// "我觉得社区可以每个月搞一次…": an opinion that proposes something.
export const OPINION_PROPOSAL = /(我觉得|我认为|个人觉得|个人认为|我寻思|俺寻思|俺觉得)[^,，。]{0,8}(可以|应该|最好|不如)[^,，。]{0,10}(搞|办|组织|举办|开|建|设|装|加|增|种|定期|每个?月|每周|每年)/
// Thanks as the opening of a message: for something already done.
export const THANKS_LEAD = /^\s*(谢谢|感谢|多谢|太感谢|非常感谢|特别感谢|衷心感谢|真心感谢)/
// An explicit ask for something now.
export const ASK_NOW = /麻烦|请(帮|你|尽快|来)|尽快|赶紧|快点|能不能|可不可以|能否|可以帮|帮忙(看|处理|解决|修|弄)/
// Sanitation problem words (not just places such as 垃圾站).
export const ENV_PROBLEM = /臭|脏|满了|满出来|没人(收|扫|清|管)|堆|乱扔|乱丢|发霉|污水|粪|屎|尿/
// A break-in happening now.
export const INTRUDER_NOW = /(撬|砸|翻墙|爬窗|入室|拧门|拧[^,，。]{0,3}把手|试着?(开|拧|推)门|扒门)[^。]{0,24}(现在|正在|还在|快叫|快来)|(现在|正在|还在)[^,，。]{0,6}(撬|砸|翻墙|爬窗|拧门)/
// Babies and others at risk from cold or outages.
export const INFANT = /婴儿|满月|新生儿|刚出生|坐月子|月子|产妇|孕妇/
// Vehicles or people queueing behind a fault (a barrier that will not lift).
export const QUEUE = /排了|堵到|一溜|排队|堵死|排老长|排长队|排了好长|排成/
// A favour asked directly: 帮忙打印, 帮我联系.
export const FAVOUR_ASK_BEFORE = /(帮忙|帮我|替我|帮着|麻烦|能不能|可不可以|能否|请)$/
// "不知道谁家的…" is a complaint about an unknown party, not a question to neighbours.
export const UNKNOWN_PARTY_BEFORE = /(不知道|不晓得|不知|也不知|天知道|鬼知道)$/
// A sanitation problem in a common area (楼道好臭) is a report even without an explicit ask.
export const COMMON_AREA = /楼道|单元|电梯|小区|门口|楼下|地下室|车库|走廊|楼梯|过道|大堂|垃圾站|垃圾房/
// Asking anyone who can to come and deal with it: 有没有人能来抓一下.
export const HELP_WANTED = /(有没有人|有没有谁|谁)(能|可以|会|有空)?(来|帮|过来|处理|抓|弄|管)/
// Staff did the work and it looks better now: 看着整齐多了.
export const IMPROVED = /(整齐|干净|亮堂|漂亮|舒服|方便|好看|安静|清爽)(多了|了不少|很多)/
// Reassurance that there is nothing to fear: 大家不用紧张.
export const REASSURE = /(不用|别|无需|不必)(紧张|担心|害怕|怕|慌)|大家放心|请放心/
// Relaying what someone else said (我刚问了社区，说…): information, not a request.
export const ASKED_ALREADY = /(我|刚|刚刚|刚才)(刚|刚刚|刚才|去|已经|今天|昨天)?(打电话|打了电话|打过电话)?(打听|问|查|咨询)(过|了)/
// Unsocial hours that make a neighbour's conduct worse.
export const UNSOCIAL_HOURS = /半夜|深夜|凌晨|一大早|大清早|早上[五六七]点|晚上十一?点|十二点以后|午休|中午休息/
// Water running into lights or wiring.
export const WATER_ON_WIRING = /(水|漏)[^。]{0,10}(顺着|流进|渗进|滴到|流到|漏到|淌到)[^,，。]{0,4}(灯|电线|线路|插座|电箱|电表|开关|配电)/
// An answer passed on: 刚打电话问了自来水公司，说是下午3点恢复.
export const RELAYED = /(打听|问|查|咨询)(过|了)[^。]{0,20}(说是|说|回复|答复|告诉)/
