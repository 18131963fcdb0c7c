// Regular-expression rules used by the offline classifier, grouped by purpose. Word lists live in
// ./lexicon.ts; these are the patterns that need word order or gaps (煤气…味, 孩子…锁在…).
// Keep each rule about a concept from the labelling guide, never about one particular message.

// ------------------------------------------------------------------------------------------------
// Is the danger happening now?

// Before a danger word: it is denied, over, or only feared.
export const NOT_NOW_BEFORE = /((?<![是的])真$|已经有|减少|少点|一旦|真有|真要|真出了|真的有|要是有|没有|没|无|(?<!是)不是|并非|并没|上次|上回|以前|之前|去年|前年|前几天|前阵子|曾经|昨天|昨晚|昨夜|前晚|前天|上周|上个月|上礼拜|那次|那天|听说|据说|新闻|万一|要是|如果|假如|怕|担心|以防|防止|预防|避免|小心|谨防|严禁|禁止|会不会|可能会|容易|迟早|早晚|差点|差一点|险些|不会|以免|当心|(?<!不)注意)/
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
export const LEFT_NOT_BACK = /(出门|出去|走出去|离家|跑出去|溜出去|下楼|遛弯|散步|买菜|溜达|转转)[^。]{0,14}(没回来|没回家|没回|还没回|没上来|没下来|不见了|没见回|找不到|找了|还没找到|没找到|没找着|到处找|找遍)/
export const DAYS_UNSEEN = /(?:\d+|[两三四五六七八九十几]+|好几|多)天(?:都|了|也)?没(?:有)?(?:见|看到|看见|出门|出过门|下楼|动静|开门|人|露面|出来|应|接)|(?:报纸|牛奶|快递|外卖|衣服|被子)[^,，。]{0,8}(?:塞满|没拿|没人拿|堆|没收|没人收)|人也?没见着?|没见着人|不见人影|几天不见人|没见(?:人|她|他)出来|(?:昨晚|昨天|前天|早上|一早|一天|从早|从昨)[^,，。]{0,6}(?:到现在|至今|一直)[^,，。]{0,6}(?:没|不)(?:有)?(?:开门|开过门|出门|出过门|出来|见|动静|回应|接电话|露面)/
// Knocking, ringing or calling out with no answer (not a lift alarm nobody answers).
export const KNOCK_NO_ANSWER = /(敲门|敲了|敲他|敲她|拍门|叫门|按门铃|喊他|喊她|叫他|叫她)[^,，。]{0,6}(没人|无人|冇人|都没人|也没人|也没|都没)?(应|开|反应|回应|理|开门)|敲不开|叫不应|喊不应|敲门不应/
export const GAS_LEAK = /gas (smell|leak)|smell(s|ing)? (of )?gas|(煤气|燃气|天然气|液化气|瓦斯|沼气|燃汽|煤汽|天燃气)[^,，。.!！?？;；]{0,6}(味|漏|泄)|(漏|泄漏|泄露)[^,，。]{0,2}(煤气|燃气|天然气|液化气|气|燃汽|煤汽)|漏气|臭鸡蛋(味|似的|一样|的味)/
export const GAS_ESCAPING = /冒气|喷气|呲呲|嗤嗤|滋滋|嘶嘶|嗞嗞|丝丝|咝咝|哧哧|往外冒|泄漏|泄露|都是味|一股味|味道很大|味很大|管(道|子)?(被)?[^,，。]{0,3}(挖断|断了|破了|裂了|挖破|爆了)/
export const STRONG_FIRE = /\bon fire\b|\bfire!|there is a fire|\bfire\b(?! (drill|extinguisher|exit|door|escape|safety|insurance|alarm test))[^.]{0,20}!|smoke everywhere|\bburning\b|(?<![不没打点])着火|自燃|火很大|火势|大火|烧了起来|起火|失火|火灾|火警|烧起来|烧着了|冒黑烟|黑烟|浓烟|烟[^,，。]{0,3}黑的|黑色的烟|爆炸|火烛|冒火花|火花|冒火|着大火|着伙|起伙了/
export const WEAK_FIRE = /(全是|都是|满是|好多|很多|好大|一屋子|一楼道)的?(烟|浓烟)(?!味)|烟味(很|好|特别)?(重|大|浓)|冒烟|烟雾(?!报警|探测|感应|器)|火苗|明火|火光|焦糊味|糊味|烧焦|焦味|一股烟(?!味)|好大的烟|烟很大/
export const ELECTRIC = /电|线|插座|配电|电箱|电器|开关|充电/
export const TRAPPED_CONTEXT = /(出不来|出不去|卡在[^,，。]{0,10}(中间|之间)|停在[^,，。]{0,10}(中间|之间)|门打不开)/
export const ELEVATOR = /电梯|电悌|电涕|电锑|轿厢|升降梯|扶梯|lift|elevator/
export const PERSON_INSIDE = /里面|里头|有人|小孩|孩子|老人|宝宝|娃|人在/
export const BURST_WATER = /水|管/
export const FLOOD_ELECTRIC = /配电|电箱|电房|变电|电梯井|插座|电表|电闸|电线/
export const FALLING_THROWN = /高空抛物|扔下来|丢下来|抛下来|往下扔|往下丢/
export const MORE_TO_FALL = /翻飞|在风里(翻|晃|飘|摆)|被风吹得(晃|翻|直响)|歪着挂|锈穿|吊着|悬在|晃来晃去|在晃|中晃|掉了一半|半掉|还有[^,，。]{0,6}(块|片|个)?[^,，。]{0,4}(松|悬|挂|翘|裂)|随时|摇摇欲坠|快掉|要掉|又掉|松着|松动|悬着/
export const IMMINENT_COLLAPSE = /(随时|马上|快要?|眼看着?|眼瞅着)[^,，。]{0,2}(可能|就|都|会|要)?(会|要)?[^,，。]{0,2}(倒(?![闭霉垃车])|塌|掉(?![光色钱线])|断(?![水电网气供])|砸|垮|飞下|飞出去|飞走)|摇摇欲坠|要塌了|要倒了/
export const STRUCTURAL_NOW = /地震|(楼|房|(?<!围)墙|天花板|屋顶|阳台|楼板)[^,，。]{0,6}(塌了|垮了|倒塌|坍塌|要塌|塌下来)/
export const SHOCK = /触电|被电(了|到|一下)|电到人|电到(孩子|小孩|老人)|麻了一下/
export const CHILD_DANGER = /(孩子|小孩|宝宝|娃|儿童|小朋友)[^,，。]{0,10}(锁在|关在|困在|卡在|反锁)|反锁[^,，。]{0,8}(孩子|小孩|宝宝|娃|老人)|(孩子|小孩|宝宝|娃|儿童|小朋友)[^,，。]{0,10}(爬|站|坐|挂|趴)[^,，。]{0,8}(窗台|窗外|阳台外|护栏外|窗户外|栏杆外|楼顶|天台边)/
export const BATTERY_SWELL = /鼓包[^。]{0,12}(充|烫|烟|热|还在)|(充|烫)[^。]{0,12}鼓包|电池[^,，。]{0,6}(冒烟|起火|着火|爆|烧起来)|(烧|着火|起火)[^,，。]{0,6}(电池|电瓶)/
export const SELF_HARM = /跳楼(?!价)|轻生|自杀|寻短见|割腕|(要|想|准备|打算)(往下)?跳(楼|下去|下来)?|往下跳|站在[^,，。]{0,6}(楼顶|天台|窗台|栏杆)(边|外|上)|(站|坐|蹲|趴|爬)(在|到)[^,，。]{0,6}(楼顶|天台|窗台|护栏|栏杆|阳台|屋顶|楼边|桥)(的)?(边上|边缘|外面|外边|外侧|沿上|边|外)/
export const VIOLENCE = /持刀|拿刀|砍人|打起来了|动手打人|家暴|打人了|打砸|(拿|拎|举)着?(酒瓶|瓶子|棍子|铁棍|木棍|砖头|菜刀|刀)[^。]{0,12}(追|打|砸|砍|捅)|追着人(跑|打|砍)|(有人|听到|听见)[^,，。]{0,6}(喊|叫|呼)救命/
export const POISON = /一氧化碳|煤气中毒|中毒|(煤炉|热水器|燃气|煤气|炭火|烧炭|炭盆|煤球炉|炭炉)[^。]{0,24}(迷糊|头晕|晕|恶心|没反应|昏|叫不醒)/
// Someone in the water or fallen into a pit/shaft.
export const DROWNING = /溺水|落水|(掉|落|跌|摔|滑)(进|到|下|入)?[^,，。]{0,4}(水里|河里|池里|湖里|井里|塘里|池塘|河|湖|水池|泳池|井)|(人|孩子|小孩|老人|他|她|大爷|奶奶)[^,，。]{0,6}掉(下去|进去)了|(在水里|水里有人|河里有人|湖里有人)[^,，。]{0,4}(扑腾|挣扎|喊|呼救|沉)|扑腾/
// A cry for help. Residents use it for real emergencies; for noise or rubbish it is hyperbole, so it
// only raises urgency for safety, care and repair problems.
export const ALARM_CALL = /救命|快来人|来人啊|来人呐|急急急|十万火急|求救|sos|快报警|赶紧报警|快叫救护车/i
export const CALL_POLICE_NOW = /(快|赶紧|马上|立刻|帮忙)(报警|打110|报110)/
export const EMERGENCY_CALLED = /(打了|叫了|已经打|已打|拨打了?|已经叫|已经拨|刚打了?|赶紧打|快打|打)\s?(120|119|急救电话|火警)|(叫了|叫|打了|等|喊)\s?救护车|救护车(来了|到了|还没到)|消防车(来了|到了)|(120|119|急救|救护车|消防车)[^,，。]{0,6}(说要|还没到|才到|才能到|在路上|马上到|快到了)|(等|在等)[^,，。]{0,2}(120|救护车|消防车)/
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
export const INTRUDER_NOW = /挨家挨户(撬|砸)|(刚|刚刚|刚才)[^,，。]{0,4}(跑|逃|溜|下楼|翻墙)|(撬|砸|翻墙|爬窗|入室|拧门|拧[^,，。]{0,3}把手|试着?(开|拧|推)门|扒门)[^。]{0,24}(现在|正在|还在|快叫|快来)|(现在|正在|还在)[^,，。]{0,6}(撬|砸|翻墙|爬窗|拧门)/
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

// ------------------------------------------------------------------------------------------------
// Urgency: danger to life, health or property happening right now.
// Each family pairs a danger (noun × verb) with what makes it live; message-level guards below
// drop the whole family when the danger is only talked about (a drill, the news, an advert, a
// question about procedures) or is already over (救出来了, 灭了, 找到了).

// ---- When is a danger word live?
/** Anyone who can be hurt; used to require a person in the scene. */
export const KID = '(?:孩子|小孩子?|宝宝|宝贝|娃娃?|儿童|小朋友|孙子|孙女|外孙女?|儿子|女儿|闺女|婴儿|幼儿|小娃|细路|仔仔)'
/** A past time that may sit a little further before the danger word (前天晚上楼下电动车自燃). */
export const PAST_TIME_BEFORE = /(上次|上回|以前|之前|去年|前年|前几天|前两天|前三天|前些天|前些日子|[两三四五六七八九十几\d]+(天|个月|年)前|前阵子|曾经|昨天|昨晚|昨夜|前晚|前天|上周|上个月|上礼拜|上星期|那次|那天|那回|小时候|几年前|年前|月前)/
/** Habitual or sometimes: not an event happening now (天天, 经常, 有时候, 总忘关火). */
export const HABITUAL_BEFORE = /((?<![个位的这那有是])老$|总$|每天|天天|每晚|每次|每回|经常|时常|老是|总是|常常|有时候|有时|偶尔|时不时|动不动|三天两头|隔三差五|一到|只要|每逢)/
/** "Is it…?": a guess at the cause (是不是哪里的水管破了), not a report of it. */
export const SPECULATIVE_BEFORE = /(是不是|会不会是|可能是|怀疑是)[^,，。]{0,6}$/
/** A conditional future: 哪天着火了, 到时候. */
export const SOMEDAY_BEFORE = /(哪天|有一天|有朝一日|到时候|将来|以后|迟早|一旦|真要|要是真)/
/** The danger word names a topic or a condition, not an event now: 自燃的事, 着火的时候, 困人的话. */
export const TOPIC_AFTER = /^[^,，。!！?？]{0,3}(的事|那事|这事|那件事|这件事|事件|那次|那回|的时候|的话|的情况|的风险|的隐患|风险|隐患|危险吗|怎么预防|预防|的处理|处理流程|流程|预案|的规定|的办法|的措施)/
/** "…了怎么办": a general question, unless the writer is in it (我家…怎么办, 快). */
export const HOWTO_AFTER = /^[^,，。!！?？]{0,3}(怎么办|该怎么|应该怎么|如何处理|怎么处理|咋办|找谁|打什么电话|打哪个电话|用什么|该用|怎么灭|怎么扑灭)/
/** The danger word names a device or an activity (下坠保护装置, 泄漏报警器, 火灾演练). */
export const DEVICE_AFTER = /^[气水电火]?(保护|装置|报警|探测|感应|器|阀|预案|知识|培训|险|演练|演习|应急|检查|检测|隐患|安全|逃生|自救)/
/** A danger word asked about (是哪栋楼出事了吗？). */
export const ASKED_AFTER = /^[了]?(吗|么|没有?[?？]|[?？])/
/** "一冒烟就响": a conditional habit. */
export const ONE_THEN_AFTER = /^[^,，。]{0,6}就/
/** A question that opens the message (请问…) asks about, rather than reports. */
export const QUESTION_LEAD = /^\s*(请问|想问|问一下|问下|咨询一下|咨询|想咨询|想了解)/

// ---- Message-level frames: the danger is talked about, not happening here and now
export const DRILL_FRAME = /演习|演练|应急预案|预案|处理流程|消防培训|应急培训|安全培训|模拟|科普|讲座|知识竞赛|宣传片|培训/
export const NEWS_FRAME = /新闻|报道|听说|据说|传言|谣言|是真的吗|是不是真的|网上(说|看|传|有人)|网传|视频里|抖音|快手|微博|朋友圈(里)?(说|传|转|看到)|别的小区|隔壁小区|其他小区|外面小区|有个小区|一个小区|别人小区|别人家小区|电视上|电视里|看到一个视频|刷到/
export const COMMERCIAL_FRAME = /特价|包安装|包邮|促销|优惠|限时|下单|有售|出售|批发|热卖|加微信|加v|私聊|私信我|需要的(联系|私|加|找|滴)|有需要的|家庭必备|居家必备|[￥¥]|\d+元/
export const PLANNING_FRAME = /转发学习|学习一下|学起来|涨知识|正确(的)?(做法|方法)|急救知识|(我|想|准备|打算)[^,，。]{0,2}(买|备)(一个|个|一台)|(提前|事先|预先|平时|日常)[^,，。]{0,4}(了解|学习|知道|准备|防范|注意)|(如何|怎么|怎样)(防范|预防|避免|防止)|注意事项|想(先)?了解|有什么(要|需要)注意/
// A question about money or procedure after an event (医保能报多少, 有没有手环可以领).
export const POLICY_FOLLOWUP = /疫苗|狂犬|去哪(里)?打|医保|报销|能报|理赔|保险|补贴|赔偿|赔多少|费用|多少钱|怎么申请|可以领|能领|去哪领|去哪办|怎么办理|申请/
/** Signs the writer is in the middle of it: these override the frames above. */
export const URGENT_TONE = /(报了?|打了?|已报|已打|拨打|叫了)(119|120|110)|疏散|please hurry|hurry|快来|快点|快叫|快报|快打|赶紧|马上|立刻|救命|急急|十万火急|求助|求救|help|!!|！！|正在|还在|现在还|一直在/i
/** The message describes a habit (楼下每天晚上生炉子) unless something marks this moment. */
export const HABITUAL_MSG = /每天|天天|每晚|每次|经常|时常|老是|总是|常常|三天两头|隔三差五/
export const NOW_MARK = /现在|正在|还在|刚才|刚刚|这会|此刻|突然|今天|今晚|快来|赶紧|马上|!!|！！/

// ---- It is over (per family, anywhere in the message)
export const OVER_GENERIC = /虚惊一场|是误会|搞错了|误报|已经处理好|处理好了|处理完了|已经解决|(?<![没未不])解决了|没事了/
export const OVER_FIRE = /(?<![没未不])(灭了|扑灭|浇灭|灭掉|熄灭|没烟了|烟散了|不冒烟了)|原来是[^,，。]{0,8}(烧|煮|做饭|烤|熏)/
export const OVER_GAS = /(?<!还)不响了|不叫了|不报警了|放散|(已经)?结束了|没味了|没有味了|味道?散了|味儿?没了|查(到|出|清楚)了|原来是|是[^,，。]{0,8}(烧糊|煮|做饭|在修)/
export const OVER_LIFT = /(?<![没未不])(救出|放出来|弄出来|出来了|已经出来|都出来|救下来|开门出来|才出来|才被救出|才放出来)/
export const OVER_PERSON = /没(什么|啥)?大事|问题不大|不严重|擦破点皮|轻伤|(已经)?(送到|送进|送去|住进|住在|在)医院|住院了|还好没事|应该没事|没什么事|没大碍|没啥事|缓过来|醒过来了|(?<![没不叫喊])醒了|自己(爬|站)?起来了|扶起来了|自己走回|现在好了|已经好了|好多了|找到了|找着了|(?<!没有?|还没)回来了|联系上了|接电话了|回电话了|回消息了|开门了|看到(她|他)(了|在)|见到(她|他)|看见(她|他)(了|在)/
export const OVER_ANIMAL = /打完针|打过针|打了(狂犬)?疫苗|包扎好|已经处理|狗主人(赔|道歉)/
export const OVER_WATER = /修好了|(关|关掉|关好|关上)了?[^,，。]{0,3}(总阀|阀门|水闸|总闸|水阀)|(总阀|阀门|水闸|总闸|水阀)[^,，。]{0,3}(关了|关掉了|关好了|关上了)|不喷了|止住了|水停了|不漏了|清理干净了/
/** A resolution followed by "but it is still going" is no resolution. */
export const STILL_AFTER = /^[^。]{0,6}(还是|还在|仍然|仍在|依然|照样|继续|没用|不管用|止不住|关不住)/
/** Before a resolution word: it is asked for, not done (帮忙把总阀关了, 怎么关). */
export const ASKED_FOR_BEFORE = /(帮|能不能|能否|可不可以|可以|请|麻烦|怎么|赶紧|快|去|要|得|先)[^,，。]{0,4}$/
/** Why a person is not at home: nothing to fear (住院了, 回老家了). */
export const EXPLAINED_ABSENCE = /住院|在医院|旅游|回老家|去(了)?(儿子|女儿|亲戚|闺女|孩子)家|出远门|搬走|不在这住|不住这|养老院|出差/

// ---- Gas
export const GAS_NAME = '(?:煤气|燃气|天然气|天燃气|液化气|瓦斯|沼气|燃汽|煤汽)'
export const GAS_SMELL_WIDE = new RegExp(GAS_NAME + '(?:(?!没|无|不是|不)[^。!！?？]){0,14}(味|臭)')
export const GAS_ALARM = new RegExp('(' + GAS_NAME + '|可燃气体)报警器?[^,，。]{0,6}(响|叫|报警|鸣|滴|嘀)')
export const ALARM_BATTERY = /没电|电量|换电池|低电/
/** A gas burner or valve that cannot be turned off. */
export const GAS_CONTROL_FAIL = new RegExp('(' + GAS_NAME + '|灶|阀门|阀|气罐|钢瓶)[^,，。]{0,6}(关不掉|关不上|关不了|关不住|关不严|关不紧|关不死|拧不上|拧不紧|关了还有火|关了还在烧|还在冒火)')
export const GAS_LEFT_ON = new RegExp('(' + GAS_NAME + '|灶|炉子|炉火|锅)[^,，。]{0,4}(开着|没关|忘关|忘了关|一直开着|一直烧|还烧着|烧干)|(没关|忘关|忘了关|忘记关)[^,，。]{0,2}(' + GAS_NAME + '|火|灶|阀)')
export const NOBODY_OR_SMELL = /人不在|不在家|没人|敲门|出去了|味|烟|烧干|糊|老人|独居|一个人/
/** A danger noun shouted on its own (煤气!!!, 着火了！！): short alarms about gas or fire. */
export const ALARM_NOUN = /(煤气|燃气|天然气|液化气|燃汽|漏气|火|烟)\s*[!！]{2,}/

// ---- Fire, smoke, sparks
/** Smoke pouring out (not 烟味, 油烟, 抽烟, 烟头). */
export const SMOKE_NOW = /(?<![油抽吸香二])烟(?![味头蒂花酒草感道囱灰民台瘾熏])[^,，。]{0,4}(冒|窜|涌|往外|出来|弥漫|很大|好大|特别大|越来越大|浓|呛|滚滚)|(冒|窜|涌|往外冒|飘出|冒出|全是|都是|满是)[^,，。]{0,3}(黑|白|青|浓|滚滚)?烟(?![味头花蒂囱])|烟雾弥漫|满(屋|屋子|楼道|走廊|楼)[^,，。]{0,2}都?是烟/
/** Burning materials or wiring. */
export const BURNT_SMELL = /焦糊|烧焦|焦味|糊味|烧塑料|烧橡胶|烧电线|胶皮味|塑料烧|电线烧|线烧|烧胶/
export const SPARKS = /冒火星|火星子|火星四溅|打火花|冒火花|火花|走火|冒火|(在|一直|直|还)打火(?!机)/
/** Crackling or hissing from electrics (电箱滋滋响). */
export const CRACKLE = /噼里啪啦|噼啪|啪啪响|滋滋|呲呲|嗞嗞/
export const ELECTRIC_BOX = /插座|插线板|插排|拖线板|电线|线路|配电|电箱|电表|电闸|开关|充电|电池|电瓶|变压器/
export const FIRE_PLUS = /走火|烧着了|火烧|燃起来|着起来|蹿火|窜火|火苗窜|火舌/
/** Something caught fire (被炭火点着了, 阳台在烧). */
export const CAUGHT_FIRE = /(被|给)[^,，。]{0,8}(点着|引燃|烧着)|(点着|引燃|烧着|着起来|燃起来)了/
/** Something caught fire, said plainly (管子着了, 窗帘着了). */
export const THING_CAUGHT = /(管子|管|线|电线|衣服|窗帘|被子|沙发|床|车|锅|油|柜子|箱子|纸箱|东西|插头|插座|电器|机器|房子|屋子|楼)[^,，。]{0,2}着了/
/** A fire that will not go out (捂不住, 扑不灭). */
export const EXTINGUISH_FAIL = /灭不了|扑不灭|盖不灭|捂不住|浇不灭|灭不掉|灭火器[^,，。]{0,2}(没用|不管用)/
/** Something is burning right now (阳台在烧): not when someone burns rubbish on purpose. */
export const BURNING_NOW = /(正在|还在|在)烧(?![烤纸香饭水菜开东垃秸树叶炭煤柴火])/
export const POWER_DEVICE = /充电宝|电瓶|电池|电动车|电瓶车|平衡车|滑板车|手机|笔记本|插座|插线板|插排|电线|线路|配电|电箱|电表|空调|热水器|电器|油烟机|冰箱|洗衣机|微波炉|电暖|取暖器|小太阳|电热毯/
/** Smoke that comes from cooking, a flue or smoking: a neighbour matter, not a fire. */
export const COOKING_SMOKE = /烟道|油烟|做饭|炒菜|烧菜|烧烤|抽烟|吸烟|烟囱|排烟|排气|熏肉|熏腊|烤肉/
/** A flame that belongs where it is (a burner, a candle, a chimney). */
export const NORMAL_FLAME = /灶|炉火|炉子|蜡烛|打火机|烟囱|壁炉|火锅/

// ---- Electricity
export const SHOCK_WIDE = /触电|被电(了|到|一下|得|倒|晕|伤)|电到(了|人|孩子|小孩|老人|手|我)|(?<![停断来没])电了一下|麻了一下|电得[^,，。]{0,4}(叫|惨|麻|抖)|带电|(?<![来致])电人|漏电[^,，。]{0,8}(电人|麻|被电|电到)/
export const WATER_ELECTRIC = /(水|雨水)[^,，。]{0,6}(顺着|流进|渗进|滴到|流到|漏到|淌到|漏进|灌进|进了|漫到|淹到|泡到|流向|往下流|往下滴|滴进|淹了)[^,，。]{0,6}(电箱|电表箱|配电|电闸|插座|电线|线路|开关|变压器|电梯井|电房|电表|灯|充电桩|充电器|电机|机房|弱电井|强电井)|(电箱|电表箱|配电箱|配电房|配电间|配电室|配电柜|电闸|插座|变压器|电梯井|电房|开关|充电桩|充电器|设备|电机|机房|弱电井|强电井)[^,，。]{0,6}(进水|被淹|泡水|泡了|都泡|淹了|渗水|漏水|进了水|全是水|在滴水|往下滴水|冒水|泡在水里|积水)|(从|顺着)[^,，。]{0,4}(灯|电线|插座|开关|电箱)[^,，。]{0,6}(流|滴|淌|漏|渗)/
/** A power line down or snapped where people are. */
export const WIRE_DOWN = /(电线|高压线|电缆|线)[^,，。]{0,6}(拖在地上|掉在地上|掉到地上|掉地上|落地|垂到地上|耷拉到地上|断在地上|拖地)|电线杆[^,，。]{0,6}(断了|倒了|撞断|刮断)|高压线[^,，。]{0,4}断了/

// ---- Water
export const PIPE_RUPTURE = /(水管|管子|管道|暖气管|暖气片|水箱|消防管|主管|总管|立管|阀门|接头|热水器|水表|龙头|水龙头|软管|进水管|管)[^,，。]{0,4}(爆|裂开|裂了|崩|断了|破了|冲开|脱了|脱落|脱开|松脱|断开|掉了|飞了|炸了)/
export const HEAVY_WATER = /往下浇|浇下来|往下灌|哗哗往下|喷水|喷出|往外喷|狂喷|水柱|喷得|哗哗|往外涌|涌出|止不住|关不住|关不掉|水漫金山|到处都是水|满地(都是)?水|满屋(子)?(都是)?水|全是水|一地水|都是水|淹了|漫到|漫进|漫过|流到|流进|淌到|往下灌|灌进|往外冒水|冒水/
export const DEEP_WATER = /水[^,，。]{0,6}(到|没过|淹到|淹过|漫过|漫到|齐|没到)[^,，。]{0,3}(膝盖|脚踝|脚脖子|小腿|大腿|腰|胸|车轮|轮胎|半个轮子|门槛)|水深[^,，。]{0,4}(\d+|几十|半米|一米)/
export const WATER_SPREAD = /(流|漫|淌|涌|灌|淹)[^,，。]{0,4}(到|进|了)?[^,，。]{0,4}(楼道|走廊|电梯|满屋|整个|车库|地下室|地库|楼梯|大堂)|(漫|淹|灌|涌)[^,，。]{0,4}(到|进|了)?[^,，。]{0,6}(住户|家里|屋里|一楼|底楼|小区|路上|马路|门口)/
/** Flooding under way (发洪水了, 水位还在涨). */
export const FLOOD_STRONG = /发洪水|发大水|洪水(来了|进来|冲进)|山洪|内涝|水越涨越高|水位[^,，。]{0,3}(上涨|上升|越来越高)|水[^,，。]{0,6}往[^,，。]{0,4}上涨|水[^,，。]{0,2}(还在|一直在)涨/
export const MINOR_WATER = /有点|一点点|一点|小裂缝|不严重|慢慢|一滴一滴|滴答|渗水|有些潮|微微/

// ---- Lifts and people shut in
export const LIFT_STUCK = /卡在|卡住|停在|停了|停住|不走了|之间|中间|不动了?|坏了|故障|掉了|下坠|冲顶|门打不开|开不了门|门开不了|打不开|出不来|出不去|突然停|突然不动|停电了|困/
export const LIFT_INSIDE = /在里面|在里头|里面有|里面还有|里头有|里面是|人在里|在电梯里|关在里|被关|里面在哭|里面哭|我们在里|我在里/
export const LIFT_CATCH = /(电梯|电悌|电梯门|扶梯|自动门|卷帘门|闸机)[^,，。]{0,8}(夹住|夹着|夹到|夹在|卡住|卷进|卷住)[^,，。]{0,4}(人|老人|孩子|小孩|手|脚|腿|头|衣服|鞋|宝宝|了|去)|(人|手|脚|腿|头|孩子|小孩|老人)[^,，。]{0,3}被[^,，。]{0,4}(夹住|夹在|夹着|卡住|卡在|卷进|卷住)/
/** Someone shut in, said with 关 (电梯关人了, 关着两个人, 把我关里面了). */
export const SHUT_IN_LIFT = /关(了|着)?[^,，。]{0,2}(人|[一两三四五几\d]个人)(?![员家们性])/
export const SHUT_IN = /(把|将)(我|我们|人|他|她|孩子|小孩|老人|[一两三几]个人)[^,，。]{0,3}(关|困|锁)(在)?(里面|里头|里边|在里|住了)/
/** Someone shut in, said with 困/关/卡 and a person (电梯里困了个老太太). */
export const PERSON_CAUGHT = /(困|关|卡)(了|着|住)?(个|一个|两个|几个|[一两三四五几\d]个)(人|老太太|老人|孩子|小孩|大爷|阿姨|大妈|奶奶|爷爷|小伙|姑娘|女的|男的|外卖|快递)/
/** Someone shut in and unable to get out (老人出不来, 被困在屋里). */
export const PERSON_TRAPPED = new RegExp('(人|老人|' + KID + '|大爷|奶奶|爷爷|几家|住户|一家)[^,，。]{0,6}(出不来|出不去|被困|困在|上不来|爬不上来|拉不上来|卡在里面)')
/** A body part stuck where it cannot be pulled out (头卡在栏杆里, 脚还卡着). */
export const BODY_STUCK = /(头|手|脚|腿|胳膊|手指|脚趾|手臂)[^,，。]{0,3}(卡着|卡住|夹住|夹着|卡在|夹在|卷进|拔不出|抽不出)/

// ---- People: collapsed, ill, injured, unresponsive
export const SELF_HARM_WIDE = /不想活|活不下去|寻死|遗书|轻生|自杀|寻短见|割腕|上吊|跳河|喝农药|吃了[^,，。]{0,4}(安眠药|农药|老鼠药|一瓶药|好多药)|(跳楼|跳下去|往下跳)(?!价)/
/** Someone at a roof edge behaving in distress. */
export const EDGE_DISTRESS = /(楼顶|天台|楼边|窗台|顶楼|屋顶|水箱)[^。]{0,12}(站着往下看|往下看|往下望|徘徊|情绪激动|情绪很激动|哭)/
export const ACCIDENT = /(人|老人|孩子|小孩|行人|大爷|大妈|阿姨|奶奶|爷爷|他|她|我|学生)[^,，。]{0,4}被(车|汽车|电动车|货车|三轮车|摩托|小车)[^,，。]{0,2}(撞|压|碾)|撞(到|倒|伤|飞)(了)?(人|老人|孩子|小孩|行人)|车撞(了|倒)(人|老人|孩子)|(人|老人|孩子|小孩|他|她|爸|妈|爷爷|奶奶|老公|老婆|工人|师傅)(?:(?!猫|狗|鸟|宠物|东西|衣服|被子|玩具|手机)[^,，。]){0,6}从[^,，。]{0,6}(楼上|楼|窗户?|阳台|楼梯|梯子|架子|树上|高处)[^,，。]{0,4}(摔|掉|跌|坠)(下来|下去|了)|坠楼|跳下来了|摔下来了/
export const MASS_SYMPTOM = /(好多|好几个|很多|几个|一家|全家|一家人|多人|好些|大家都)(人|老人|孩子|小孩|居民|住户)?[^,，。]{0,8}(上吐下泻|呕吐|吐了|头晕|恶心|昏倒|晕倒|喘不上气|站不起来|送医|中毒|抽搐|昏迷)/
export const TOXIC = /(刺鼻|化学味|化学品|毒气|有毒|氨|氯气|硫化氢|农药味|硫磺味|不明气体|不明液体)[^。]{0,24}(咳|头晕|眼睛|睁不开|恶心|呛得|喘|流泪|辣)|(泄漏|泄露|漏了|洒了)[^,，。]{0,10}(刺鼻|化学|毒|农药|酸)|(化学品|危化品|危险品|液氨|氯气|硫酸|盐酸)[^,，。]{0,6}(泄漏|泄露|漏|洒|倒)/
/** Sinking in water. */
export const SINKING = /(泳池|水池|池子|河|湖|水里|塘|海)[^,，。]{0,8}(沉下去|沉了|沉底|没上来|浮不起来|冒不上来)/
/** A person lying on the floor, not moving or not answering. */
export const LYING_DOWN = /(躺|倒|晕|昏|瘫)(倒)?在[^,，。]{0,4}(地上|地板|地面|门口地|浴室|卫生间|厕所|厨房|楼梯|路边|路上|楼道|草地|雪地)|(喊|叫|拍|推)(了|了半天|了几声|半天)?[^,，。]{0,2}(也|都)(不动|没反应|不应|不醒|没动静)|(人|他|她|老人|老爷子|老太太|大爷|奶奶|爷爷|妈|爸|孩子|小孩|老伴|老公|老婆)[^,，。]{0,6}(一动不动|没动了|没动过|不动了)/
/** Heart trouble: chest pressure with cold sweat. */
export const HEART_SIGNS = /胸口(像|好像)?[^,，。]{0,3}压(着|了)|(出|冒)(冷汗|虚汗)[^。]{0,10}(脸色|胸|晕|喘|心)/
export const NOT_RESPONDING = /(叫|喊|拍|推)(他|她|老人|老人家|大爷|奶奶|爷爷|阿姨|孩子|小孩|宝宝|我妈|我爸|妈|爸)[^,，。]{0,3}(也|都)?(没|不)(怎么)?(反应|应|醒|动静|理)|叫不醒|喊不醒|拍不醒/
/** Stroke signs are an emergency when they are new. */
export const STROKE_SIGN = /说话不利索|说话不清|说话含糊|说不出话|口齿不清|嘴歪|嘴也歪|口角歪|半边身子|手脚发麻|一侧无力|抬不起来|动不了|没力气|没知觉|不听使唤/
export const ACUTE = /突然|忽然|一下子|刚才|刚刚|今天|早上|醒来|起来|现在|120|急救|救护车|快|赶紧|救命|急/
/** Long-standing illness before a symptom (脑梗后说话不利索): not a new emergency. */
export const SEQUELA_BEFORE = /最近|这两天|这几天|老说|总说|经常说|老是说|(梗|中风|偏瘫|瘫痪|帕金森|病|手术|住院|出院)(后|以后|之后|过后)|平时|本来就|从小|多年|常年|老毛病|后遗症/
/** Anyone in general (人走都摔倒了): a hazard report, not a person down now. */
export const GENERIC_PERSON_BEFORE = /(人|大家|好多人|好几个人|很多人|谁)[^,，。]{0,3}(都|也|就|容易|会)$/
/** How long someone has not been seen or heard. */
export const DURATION = /(\d+|[两三四五六七八九十几]+|好几|多|整整)(天|日|个?礼拜|个?星期|周)|一个?(礼拜|星期|周)|今天一天|一整天|一天了|一天都|一夜|整晚|一晚上|从(昨天|前天|昨晚|大前天|上周|周[一二三四五六日天])(起|开始|到现在)?|(昨天|前天|昨晚)(起|开始|到现在|一直)|一整天|一天一夜/
export const NO_SIGN_OF_LIFE = /没人接|打不通|联系不上|没回(复|消息)|不接电话|没接电话|没人应|没人开|不开门|没开门|没动静|没露面|没出门|没见|不见人|没下楼|没出来|窗帘一直|灯一直|报纸|牛奶|异味|难闻|臭味|(有|一)股[^,，。]{0,4}味/
export const SMELL_FROM_HOME = /(门口|门缝|屋里|家里|房间|门里)[^,，。]{0,8}(异味|臭味|难闻|腐臭|尸臭|怪味|(一|有)股[^,，。]{0,4}味)/

// ---- Children
export const CHILD_DANGER_WIDE = new RegExp(
  KID + '[^,，。]{0,12}(锁在|关在|困在|卡在|卡住|夹住|反锁|锁家里|锁屋里|锁车里|锁在车)' +
  '|(反锁|锁在|关在)[^,，。]{0,8}' + KID +
  '|' + KID + '[^,，。]{0,10}(爬|站|坐|挂|趴|翻)[^,，。]{0,8}(窗台|窗外|阳台外|护栏外|窗户外|栏杆外|楼顶|天台|窗户上|阳台栏杆|阳台边|防盗网外)' +
  '|' + KID + '[^,，。的]{0,10}(掉进|掉到|掉下|落水|掉水里|掉井里|溺水|掉下去)' +
  '|' + KID + '[^,，。]{0,10}(吞了|吞下|误食|误吞|误喝)' +
  '|' + KID + '[^,，。]{0,10}(吃了|喝了)[^,，。]{0,8}(电池|纽扣|硬币|磁|安眠药|降压药|大人的药|老人的药|一瓶药|整瓶|好多药|一板药|洗衣|消毒|农药|鼠药|干燥剂|钉)' +
  '|(一个人|独自)[^,，。]{0,6}(锁|关)[^,，。]{0,6}(家里|屋里|车里)')
/** A child left alone and crying, with no adult answering. */
export const CHILD_ALONE = new RegExp(KID + '[^。]{0,16}哭[^。]{0,20}(大人|家长|家里)[^,，。]{0,4}(不在|没人)|' + KID + '[^。]{0,16}哭[^。]{0,20}(敲门|喊)[^,，。]{0,4}(没人|不应|没反应)|(没有?大人|大人不在|家长不在)[^。]{0,16}' + KID + '[^。]{0,10}哭')
/** A child who climbed somewhere high or live and cannot get down. */
export const CHILD_CLIMBED = new RegExp(KID + '[^。]{0,10}(爬到|爬上|站到|坐到|爬进)[^。]{0,10}(变电|电箱|配电|高压|电线杆|楼顶|屋顶|房顶|窗台|树上|墙头|围墙上|车棚顶|雨棚|护栏外|栏杆外)|' + KID + '[^。]{0,16}(下不来|不敢下来)')
/** A child who put something harmful in the mouth. */
export const CHILD_INGESTED = new RegExp(KID + '[^。]{0,10}(咬破|咬了|吃了|吞了|舔了|喝了|塞进嘴)[^,，。]{0,8}(凝珠|洗衣|消毒|安眠药|降压药|大人的药|老人的药|一瓶药|整瓶|好多药|电池|纽扣|磁|干燥剂|洁厕|漂白|农药|鼠药|酒精|香烟|烟头)|嘴里(都是|全是|冒)[^,，。]{0,2}(泡沫|白沫|血)')
/** A child near a broken barrier at height. */
export const CHILD_AT_BROKEN_RAIL = new RegExp('(栏杆|护栏|防护栏|防护网|扶手|防盗网)[^。]{0,6}(断了|坏了|松了|没了|掉了)[^。]{0,16}' + KID + '(?:(?!老|经常|总|天天|每天|常)[^。]){0,8}(趴|爬|站|坐|靠|玩)(?![^。]*(咋办|怎么办|万一))')

// ---- Structures and falling objects
export const COLLAPSE_ONGOING = /(在|正在|还在|也在|整个)(往外|往下|往一边|往里)(歪|倒(?![垃水东])|塌|倾斜|鼓|沉|陷)|(墙|楼|房|房子|围墙|柱|杆|架|棚|梁|挡土墙|护坡)[^。]{0,14}(在|正在|还在|也在)(往外|往下|往一边)?(歪|倒|塌|裂|鼓|倾斜|下沉|掉)|塌方|滑坡|泥石流|山体[^,，。]{0,4}(滑|塌)|地陷|(地面|路面|地基)[^,，。]{0,3}塌陷|(楼|房|墙|天花板|顶板|屋顶|楼板|阳台|楼梯|地库|车库|棚|梁|柱|挡土墙|护坡|墙体|外墙)[^,，。]{0,8}(塌|坍|垮|裂|歪|倾斜|鼓|变形)[^。]{0,16}(还在|越来越|往下掉|掉渣|掉灰|掉土|掉砖|掉块|掉石|咔咔|嘎嘎|随时|继续)|(突然)[^,，。]{0,6}(塌|垮|裂开|裂了|歪了|倾斜)/
/** The building itself shaking (楼在晃): an earthquake or a structural failure, not a neighbour's washing machine. */
export const BUILDING_SHAKING = /(楼|房子|房屋|整栋楼|楼房)[^,，。]{0,3}(在|正在|一直)?(晃|摇晃|摇|抖|震)/
export const SHAKING_SOURCE = /洗衣机|装修|电钻|施工|打桩|蹦|跳|音响|低音炮|地铁|火车|卡车|货车|甩干/
/** A home opened to a storm: windows or roof blown out while people are inside. */
export const STORM_BREACH = /(窗户?|玻璃|门|屋顶|顶棚|房顶)[^,，。]{0,6}(吹掉|吹破|刮掉|刮破|掀掉|掀翻|吹飞|刮飞|吹烂|震碎|吹碎)[^。]{0,14}(灌进|吹进|打进|进来|孩子|老人|人)/
export const HANGING_OBJECT = /(外机|防护栏|护栏|空调|窗|玻璃|幕墙|广告牌|招牌|牌子|瓷砖|墙皮|外墙|保温板|保温层|铝板|板|雨棚|遮阳棚|架子|支架|花盆|树枝|树杈|灯|路灯|钢板|铁皮|彩钢瓦|瓦片|瓦|防盗网|晾衣架|石块|石头|脚手架|塔吊|吊钩|吊篮|电线杆|杆子|树|扇|顶棚|天花板|吊顶|水泥块|混凝土|太阳能)[^。]{0,12}(要掉|快掉|随时(会|可能)?(掉|砸|倒|断|塌|下来|飞)|摇摇欲坠|挂在半空|悬在半空|吊在半空|挂着要|晃来晃去|在晃|要倒|快倒|要断|快断|掉下来一半|掉了一半|下来一半|一半挂着|要砸|快砸)/
/** Things fixed high up and now hanging in the air. */
export const HANGING_STRONG = /悬空|悬在半空|挂在半空|吊在半空|摇摇欲坠/
/** Hanging loose and moving: dangerous when people pass below. */
export const DANGLING = /(挂在那(里|儿)?(晃|荡|吊)|在晃|晃来晃去|耷拉着|晃晃荡荡|晃荡)/
export const BELOW = /下面|下方|底下|楼下|路过|行人|人来人往|门口|人行道|过道|上学|幼儿园|车/
/** Light things blown about (衣服, 塑料袋): dangling but harmless. */
export const LIGHT_THING = /衣服|被子|床单|塑料袋|风筝|袜子|毛巾|气球|布|纸/
/** Swaying or flapping in the wind: dangerous for things fixed high up (not trees, which sway). */
export const SWAYING_HIGH = /(外机|空调|玻璃|幕墙|广告牌|招牌|牌子|外墙|保温板|保温层|铝板|雨棚|遮阳棚|支架|铁皮|彩钢瓦|瓦片|防盗网|脚手架|塔吊|吊钩|吊篮|电线杆|顶棚|太阳能|板)[^。]{0,12}(摇摇晃晃|晃晃悠悠|晃荡|乱晃|晃得厉害|翻飞|在风里(翻|晃|飘|摆)|被风吹得(晃|翻|直响))/
export const CRUSH = /(倒|塌|掉|砸|落)(?:(?!没|差点|差一点|险些|幸好|幸亏|好在)[^。]){0,10}(?<!没)(压在|压住|砸在|砸中|砸到|砸伤|压到|埋了|埋住)[^,，。]{0,6}(人|车|孩子|小孩|老人|行人|路人)|(人|孩子|小孩|老人)[^,，。]{0,4}被[^,，。]{0,6}(压住|压在|砸中|砸伤|砸到|埋)/

// ---- Violence, crime, animals
export const DOMESTIC_VIOLENCE = /(把|将)[^,，。]{0,6}(拖|拽|按|摁|揪)[^,，。]{0,6}(打|踢|揍)|(在|正在|又在)(打|揍|踢)(人|她|他|老婆|孩子)|往死里打|暴打|拳打脚踢|(打|殴打)(老婆|老公|媳妇|女人|孩子|小孩|老人|妈|爸)|施暴|殴打|家暴|(喊|叫|呼)[^,，。]{0,2}救命|呼救|被打(了|得|伤)/
export const WEAPON_FIGHT = /(拿|拎|举|持)着?(刀|菜刀|砍刀|棍子|铁棍|木棍|砖头|酒瓶|钢管|斧头)|动刀|捅人|砍人|打起来了|打得头破血流|(打架|打起来|斗殴|群殴|互殴)[^。]{0,12}(血|刀|棍|还在打|打破|头破|受伤|打伤|倒地)|被打(破|伤|晕|出血|倒)/
/** A break-in under way: climbing in, prising a door or window. */
export const BREAK_IN = /(翻|爬|钻|撬|砸)[^,，。]{0,6}(阳台|窗户?|围墙|墙|门|锁|防盗网|防盗窗)[^,，。]{0,4}(进去|进了|进来|进屋|进门)|有人[^,，。]{0,4}(在)?(撬|砸)[^,，。]{0,4}(门|锁|窗)/
/** Followed or waited for by a stranger right now. */
export const THREAT_NOW = /(跟踪|尾随|跟着我|堵在(我家)?门口|守在|蹲在|蹲守)[^。]{0,16}(现在|还在|正在|一直|不走|没走)|(现在|还在|一直)[^,，。]{0,6}(跟着我|守在|堵在|蹲在|不走)/
/** An animal hurting people right now. */
export const ANIMAL_ATTACK = /(野猪|狗|犬|蛇|马蜂|黄蜂|蜂|牛|猴子?|野兽|动物)[^。]{0,14}(撞伤|咬伤|蜇伤|蜇了|蛰了|伤人|攻击人|扑倒|在咬|咬住|撕咬|顶伤)|(被)(野猪|蛇|马蜂|黄蜂|毒蛇)[^,，。]{0,4}(咬|蜇|撞|顶)/

// ---- English
/** Urgent messages in English. */
export const ENGLISH_URGENT = /\b(trapped|stuck)\b[^.]{0,40}\b(inside|in (the )?(lift|elevator))\b|\b(lift|elevator)\b[^.]{0,30}\b(stuck|trapped)\b[^.]{0,40}\b(inside|with)\b|\bgas leak\b|\bsmell(s|ing)? (of )?gas\b|\bunconscious\b|\bnot breathing\b|\bcollapsed\b|\bbleeding\b/i

// ---- Backstop
/**
 * Backstop for phrasings no family names: a danger word plus a sign the writer is in the middle of it
 * (快来, 还在, 越来越, !!). Only for safety, care and repair matters, and only when the word is live.
 */
export const DANGER_STEM = /着火|起火|火苗|火光|冒烟|浓烟|黑烟|烟雾(?!报警|探测|感应|器)|漏气|漏电|触电|电到|火花|火星|爆炸|困|卡住|关在|摔倒|摔下|跌倒|晕倒|晕过去|昏倒|昏迷|昏过去|晕厥|倒地|倒在|流血|出血|血流|抽搐|呕吐|喘不|呼吸|中毒|掉下|掉进|塌|砸到|砸伤|咬伤|咬人|打人|持刀|拿刀|溺|落水|不省|叫不醒|出不来/
export const IN_THE_MIDDLE = /快来|快点|快叫|赶紧|马上|立刻|救命|急|!!|！！|正在|还在|突然|越来越|一直在|求助|help|hurry/i
