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
  /** Counts only when it comes before the danger is told ("去年…淹了"), not after it ("…还没回来，上次也是这样"). */
  before?: boolean
}

const PERSON = '(人|孩子|小孩|宝宝|娃|儿子|女儿|老人|老头|老太|老伯|伯伯|小姑娘|老爷子|老太太|大爷|大妈|阿姨|爷爷|奶奶|姥姥|姥爷|外公|外婆|我爸|我妈|老爸|老妈|老伴|婆婆|公公|邻居|他|她)'
const ELDER = '(父亲|母亲|家父|家母|老汉|姆妈|grandma|grandpa|老人|老头|老太|老爷子|老太太|大爷|大妈|阿姨|爷爷|奶奶|姥姥|姥爷|外公|外婆|我爸|我妈|老爸|老妈|老伴|婆婆|公公|邻居|独居)'
const LONE = '(父亲|母亲|老人|老头|老太|老爷子|老太太|大爷|大妈|爷爷|奶奶|姥姥|姥爷|外公|外婆|我爸|我妈|老爸|老妈|老伴|婆婆|公公|独居|一个人住|孤寡)'
/** Something coming loose (falling_hazard), and people passing under it. */
const HANGING = '((随时|马上|眼看|快)(要|会|可能)?(掉|砸|塌|倒)|摇摇欲坠|要掉不掉|坠落|掉下来|晃(得厉害|来晃去)|(悬|吊|挂|耷拉)(在|着)|(再|一)(大|刮|吹).{0,4}就(要)?(倒|掉|塌)|掉了.{0,6}(下来|下去))'
const PEOPLE_BELOW = '((下面|下边|底下|楼下|正下方|下方|旁边)(就|天天|每天)?(是|有|为).{0,10}(人|路|道|站|车|快递柜|单元门|入口|出口|门口|小孩|孩子)|人来人往|(好多|很多)人(进出|经过))'
/** Feeling unwell from a smell (strong_smell). */
const DIZZY = '((头|脑袋|脑壳)(好|很|有点|都)?(晕|疼|痛)|恶心|想吐|迷糊)'
const LIFT = '(电梯|[0-9东西南北]号?梯|轿厢|升降机|lift)'
const KID = '(女孩|男孩|小女孩|小男孩|个仔|孩子|小孩|宝宝|娃|儿子|女儿|小朋友|儿童|婴儿|闺女|小孙子|孙子|孙女)'
const ELECTRIC = '(灯(的)?线|线路|灯罩|电灯|吸顶灯|灯里|拖板|插座|插头|插线板|插排|电箱|配电箱|配电间|配电房|电表|电闸|电线|电路|开关|电源|灯座|变压器|电梯井)'

export const CUE_FAMILIES: CueFamily[] = [
  {
    name: 'trapped',
    means: 'a person shut in a lift, a room or a car, or stuck',
    examples: ['电梯卡在7楼了，里面有人在拍门，按钮全没反应', '电梯刚才一下子出溜下去两层，俺妈还在里头', '我把钥匙锁屋里了孩子还在里面', 'The elevator in building 5 is stuck with people inside'],
    cues: [
      `(困|卡)(在|住|了)?.{0,6}(电梯|轿厢|里面|里头|屋里|车里|厕所|卫生间)`, `(电梯|轿厢).{0,12}((困|关|卡)${PERSON}|困.{0,4}${PERSON}|(关|卡)(住|了|着|在|牢).{0,4}${PERSON})`, `${LIFT}.{0,30}(出不去|出不来|(我|人|还)(在|喺)(里面|里头|入面|里向))`, `(出不去|出不来|(我|人|还)(在|喺)(里面|里头|入面|里向)).{0,30}${LIFT}`,
      '(电梯|轿厢)(里|里面|里头).{0,10}(出不来|困|卡住|喊|哭|拍门|被关)', '被(关|困|锁|卡)(在)?(电梯|屋|车|厕所|卫生间|里)', '被困(?!扰|惑|难)', `${PERSON}还在(里面|里头|里边|屋里|车里)`,
      '(电梯|梯).{0,20}人在(里面|里头|里边)', '(在里面|在里头|在里边).{0,8}(拍门|喊|哭|出不来)',
      '(电梯|梯|升降机).{0,10}(冲顶|蹲底|过山车|跌落|往下(掉|滑|冲|沉|坠)|掉(下去|了.{0,2}层|到)|坠|下坠|溜下|出溜|急停|停在半|一沉|猛地)', '(拍|砸|敲|捶)(电梯|轿厢)|电梯(门)?.{0,8}(拍|砸|敲|捶)', `${PERSON}.{0,6}出不来`, '喊救命|呼救|sos',
      '反锁.{0,8}(在|里)', '压(住|在)(了)?.{0,4}(腿|脚|身上|人)', '(头|手|脚|腿|胳膊)(被)?(卡|夹)(住|在)', 'kun.?ren|bei ?kun|ka ?zhu ?le|wo zai li ?mian|kun ?(zai|zhu)|dianti.{0,8}(kun|ka)|trapped|stuck in',
      // English: "the lift is stuck with people inside", "lift stuck, my son is inside"
      '(lift|elevator).{0,40}(with|my|our|a|an|the)? ?(people|someone|somebody|person|son|daughter|kids?|child|children|baby|mom|mum|dad|grandma|grandpa|man|woman|neighbou?r)s? (is |are )?(still )?(inside|in there|in it)',
    ],
  },
  {
    name: 'person_down',
    means: 'someone fallen, unconscious, not responding, or in acute medical distress',
    examples: ['我爸在卫生间摔了起不来', '敲了半天门没人应，老太太三天没出门了', '我妈电话一直没人接，谁能去看看'],
    cues: [
      '(?<!差点|差一点)(摔|跌)(倒|在地|在家|在卫生间|在厕所|在楼道|在浴室)', '(摔|跌|倒).{0,8}(起|爬)不(来|起来)|(摔|跌)(了|伤).{0,10}(不能动|动不了|流血|昏|不醒)', '倒(在)?(地|床边|门口|楼道)', '躺在.{0,6}地上|(喊|叫)(了)?(他|她)?(也|都)?(不动|没反应|不应)',
      `${PERSON}.{0,8}(?<!差点|差一点)(摔|跌)(了|倒|低|伤|一跤)`, '(坐|躺|倒|摔)(在)?地上.{0,6}(起不来|爬不起来|动不了)|(头|额头|脑袋|脑壳).{0,8}(出血|流血|磕破)|不(是|太|大)?(好|很)?清醒|意识不清|叫.{0,4}不(多)?应',
      '站不起来|(说话|话都)(说)?不(清楚|利索|清)|嘴(巴)?歪|头着地|fell|fallen|in pain',
      '昏迷|(?<!差点|差一点)晕倒|晕过去|昏过去|不省人事|叫不(太|大)?醒|没(了)?(意识|知觉|呼吸)',
      '抽搐|口吐白沫|(?<!(闷|熏|臭|呛|累|吵|压|憋)(得|的)?(人|我)?)(喘|透)不(上|过)气|呼吸困难|hu ?xi ?(hen ?)?kun ?nan|胸口(疼|痛|闷)|心脏病(犯|发)|嘴歪|说不出话|半边身子(不能动|没知觉)|吐血|大出血|流了好多血',
      `${ELDER}.{0,30}(电话|微信|视频).{0,8}(没(得)?人接|不接|勿接|打不通|没回)`, '(一个人(住|在(家|屋|屋头|屋里))|独居|独自).{0,30}(电话|微信).{0,8}(没(得)?人接|不接|勿接|打不通|不回)',
      '(电话|微信).{0,8}(没(得)?人接|不接|勿接|打不通|不回).{0,20}(一个人|独居|老人|心脏|高血压|身体)', 'dian ?hua ?(bu ?jie|da ?bu ?tong)|not answering', `${LONE}.{0,60}(敲门|按门铃|叫门|喊).{0,8}(没人(应|开|理|答应)|没反应|没动静|没声(音|儿)?)`, `(敲门|按门铃|叫门|喊).{0,8}(没人(应|开|理|答应)|没反应|没动静|没声(音|儿)?).{0,30}${LONE}`, `${LONE}.{0,30}(联系不上|失联)`, '(报纸|外卖|快递|牛奶).{0,10}((堆|放)(了|在).{0,10}(几|两|三|四|好几)天|没(人)?拿)', 'nobody has seen|not seen (her|him)|not picking up', '(好|几|两|三|四|五)天(都)?(联系不上|没看到了|没看见了)', '(好|几|两|三|四|五)天没(见|出门|露面|开门|动静|下楼|看到人|看见人|(看到|看见|见到)(他|她|伊)(了|下楼|出门))', '人也没见(着|到)',
      'shuai.?dao|hun.?mi|fainted|collapsed|fell down',
    ],
  },
  {
    name: 'missing_person',
    means: 'a person who has just gone missing: a dementia patient wandered off, a child not found',
    examples: ['我家老爷子有老年痴呆，下午出门到现在没回来', '孩子在小区里玩找不到了', '奶奶走丢了，穿蓝色外套'],
    unless: '猫|狗|犬|泰迪|比熊|金毛|柯基|鹦鹉|宠物|(钥匙|手机|钱包|快递|包裹)(丢|不见|找不)',
    cues: [
      '(?<!防)(?<!(狗|猫|泰迪|比熊|金毛|柯基|鹦鹉|宠物)[^，。,]{0,6})(走丢|走失)(?!过)|失踪|丢了孩子|孩子丢了', `(${LONE}|${KID}).{0,8}(找不到了|找不着了|不见了|没回来|没回家|跑出去)(?!.{0,4}(的路|家门))`,
      '(老年痴呆|痴呆|阿尔茨海默|认知障碍|失智|糊涂|认不到路).{0,40}(出门|出去|走了|跑了|不见|没回|人(就)?没了)', '(出门|出去|走出去|放学).{0,30}(还没回|没回(来|家)|不见了)', '(出门|出去|走了|跑了|往.{0,8}(走|跑)).{0,40}(老年痴呆|痴呆|阿尔茨海默|认知障碍|失智|糊涂|认不(到|得)路)',
      '(没回(来|家)|不见了).{0,40}(痴呆|阿尔茨海默|认知障碍|失智|糊涂|认不到路)', `${KID}.{0,20}不见(了|的)`, '寻人',
      '(问他|问她).{0,6}(住哪|家在哪).{0,6}(说不清|不知道)', 'zou.?diu|missing',
    ],
  },
  {
    name: 'gas',
    means: 'gas named (or rotten eggs, a gas alarm, warnings not to make sparks)',
    examples: ['楼道里一股臭鸡蛋味', '厨房燃气管嘶嘶响', 'meiqi wei hen da'],
    unless: '下水道|化粪池|污水|地漏|粪|臭豆腐',
    cues: [
      '(煤气|燃气|天然气|液化气|瓦斯|气罐|煤汽|燃汽|天然汽).{0,6}(味|泄|漏|嘶|冲)', '像(是)?(煤气|燃气|天然气|液化气)', '(漏|泄)(气|煤气|燃气)', '(燃气|煤气|天然气)(管|管道|管子|阀|表).{0,12}(嘶|漏|(破|裂|断).{0,12}(嘶|漏|味))', '臭鸡蛋', '(燃气|煤气)报警器.{0,6}(响|叫)', '(别|不要|千万别|不敢)(按门铃|开灯|打火|开关电器|用明火|开关电)',
      'mei.?qi|ran.?qi|gas (leak|smell)|smell(s)? gas|rotten egg',
    ],
  },
  {
    name: 'strong_smell',
    means: 'a smell with no harmless source named that keeps getting stronger or makes people dizzy (gas not named)',
    examples: ['楼道里一股怪味越来越浓，闻着头晕', '三楼这味儿冲得人头疼想吐，也不知道是啥'],
    unless: '猫|狗|尿|屎|粪|垃圾|臭豆腐|螺蛳粉|榴莲|化工|工厂|厂|油漆|甲醛|装修|老鼠|下水道|污水|化粪池|烟味|抽烟|香水|腊肉|烧烤|菜',
    cues: [
      `${DIZZY}.{0,6}(味|闻)|(味|闻|熏|呛|冲)(着|得|了)?.{0,12}${DIZZY}`, '(味|气味|味道)(儿)?.{0,4}越来越(浓|大|重|冲)', 'getting stronger|dizzy', '头晕.{0,6}(恶心|想吐)',
    ],
  },
  {
    name: 'fire_sparks',
    means: 'fire, sparks or an electrical fault right now',
    examples: ['配电箱噼里啪啦冒火花', '楼道里一股焦糊味，好像哪里烧起来了', '阳台上的纸箱着了'],
    cues: [
      '(?<![打点]不)(?<!(真|要是|要)(的)?)着火|着伙|爆炸|(燃气灶|煤气灶|灶).{0,8}(关不掉|关不了|还有火|关了还)|(管子|衣服|阳台|屋|房子|车|电线|被子|窗帘|沙发).{0,4}(着了|在烧|烧起来|点着)|(现在|还|正)在烧|自燃|火(很|好|特别|太)大|起火|失火|火灾|烧起来|烧着了|火苗|明火|火光|火势|大火', '(冒|窜|出)火', '火花|火星(子)?.{0,4}(乱飞|四溅|往下掉|溅)|电火|噼里啪啦', '漏电|被电(了|到)|触电|(一摸就|会)电人', '(电线|插座|电箱|电表|充电器|电瓶|电池).{0,6}(冒|烧|着(火|了)|鼓包|爆)',
      'zhao.?huo|qi.?huo|fire',
    ],
  },
  {
    name: 'smoke',
    means: 'smoke or a burning smell with no harmless source named (cigarettes, incense, cooking, barbecue)',
    examples: ['5号楼楼下有人在烧东西，烟很大', '楼道里一股焦糊味，好像哪里烧起来了', '配电间门缝里在冒烟'],
    unless: '抽烟|吸烟|烟头|烟瘾|烧烤|烤肉|炭火|腊肉|香肠|熏肉|烧香|拜佛|上香|烧纸|炒菜|做饭|烧菜|炒糊|(?<!像)(放)?鞭炮(?!一样|似的)|烟花|smoking|cigarette',
    cues: [
      '冒(白|黑|青)?烟|(窜|出|起)烟', '浓烟|黑烟|烟(很|好|太|特别)?(大|浓|呛)|全是烟(?!头)|都是烟(?!头)|烟雾(?!报警|探测|缭绕)',
      '(焦|糊|烧焦|焦糊|塑料烧)(的)?味', '烧东西.{0,10}烟', 'smoke',
    ],
  },
  {
    name: 'water_spreading',
    means: 'water bursting or spreading, rising, or reaching electricity (standing water breeding mosquitoes is not)',
    unless: '蚊|孑孓|虫害|消杀',
    examples: ['楼上的水顺着天花板流到插座上了', '地下车库进水了，还在往上涨', '我家水管爆了，添麻烦了，物业快来', 'water is pouring from the ceiling onto the sockets'],
    cues: [
      `(水|漏水|渗水).{0,4}(流|滴|渗|漏|灌|淌|喷|进|顺着).{0,8}${ELECTRIC}`, `${ELECTRIC}.{0,8}(进水|泡水|泡了|淹|滴水|漏水|湿了|冒水|(都|全)是水)`, '(水管|管子|管道|水龙头|阀门|暖气片|暖气管).{0,6}(爆|崩|喷)',
      '爆管|爆了.{0,6}水|水.{0,4}(喷|涌|灌)|(滋|呲|喷|冒|涌)(热)?水', '(?<!不然(就)?|否则(就)?|要不(就)?|不会(被)?|差点(就)?|差一点(就)?)(淹了|淹到|被淹)|漫到.{0,4}(家|屋|门口|客厅)',
      `${ELECTRIC}.{0,8}(在|泡在)?水里`, '跳闸.{0,10}水|水.{0,10}跳闸', '(顶上|顶棚|天花板|楼上).{0,8}(直流水|哗哗|往下(流|漏|灌))', '顺着楼梯(往下)?(流|淌)|(整个|满)(楼道|屋|屋子|家里)(全|都)是水', '水.{0,10}(流到|淌到|顺着楼梯).{0,6}(楼|家|屋|电梯)',
      `(浸|泡)(住|到|了)?.{0,2}${ELECTRIC}`, `(淌水|漏水|渗水|流水|滴水|进水).{0,24}${ELECTRIC}`, '水浸|浸到(车门|膝|大堂|家|屋)|(水|积水).{0,6}(升紧|还在升|仲升)', 'water.{0,30}(rising|above)|(di.{0,2}ku|che ?ku).{0,10}(jin ?shui|yan)', '(水|积水).{0,8}(越来越(深|多|高)|往上涨|还在涨|没过|漫过|(到|齐)(了)?(腰|膝盖|膝|小腿|大腿|胸))',
      '(车库|地库|地下室|电梯井).{0,8}(进水|淹|积水|灌水)', '(水|血).{0,4}止不住', 'shui.?guan.?bao|flood',
      '(water|leak)(ing)?.{0,50}(socket|outlet|plug|wires?|switch|fuse ?box|meter)',
    ],
  },
  {
    name: 'child_in_danger',
    means: 'a child at a window, edge or in a car, or alone in danger',
    examples: ['对面楼有个小孩站在窗台上', '孩子被锁车里了，太阳底下晒着', '小孩爬到阳台栏杆外面了'],
    cues: [
      `${KID}.{0,12}((护栏|栏杆)(上|边)|窗台|窗户外|窗外|探出|阳台(边|外|栏杆)|栏杆外|护栏外|爬(到|上|出)|悬空|挂在|锁(在)?车|车里|掉(下|进)|落水|溺水|卡(住|在))`,
      `(锁|关)(在)?车(里|内).{0,8}${KID}|${KID}.{0,6}(一个人|独自).{0,8}(家|屋|车)(里)?.{0,8}(哭|喊|烧|火|烟)`,
    ],
  },
  {
    name: 'attack',
    means: 'an attack or a fight, also one about to break out; an animal attacking',
    examples: ['楼下两拨人要打起来了，有人拿着棍子', '一条没拴的大狗追着小孩咬', '有人拿刀在单元门口'],
    cues: [
      '打(起来|人|架|伤)|动(起)?手了|动刀|抄家伙|拿(着)?(刀|棍|棒|砖|酒瓶|瓶子|锤子|斧头|铁锹|扳手)|情绪(很|非常|特别)?激动|推倒|追(着)?人|失控|冲进去|(正在|在)撬|撬车门|持刀|砍人|捅人|行凶|抢劫|家暴|围殴|推搡|掐(脖子|人)',
      '(狗|犬).{0,12}(咬(了|伤|住|到)|扑(上|过)来|扑倒|追着.{0,4}咬|追逐|撵|见人就|(堵|逼)(在|到)?(角落|墙角))|还在咬', '(拖|拽|按).{0,8}打|打(她|他|女的|男的|孩子|老人)', '咬(伤|了|到|住).{0,6}(人|孩子|小孩|腿|手)', 'fight|attack|bit(e|ing|ten)|gou.{0,6}(zhui|yao)',
    ],
  },
  {
    name: 'structure_giving_way',
    means: 'a balcony, ceiling, wall or facade cracking, sagging, falling or about to fall',
    examples: ['阳台裂了一道大缝还在往下掉渣', '阳台顶上的水泥板塌下来一大块，砸到人了', '天花板鼓起来了，像要塌'],
    cues: [
      '(?<!(台阶|井盖|地砖|路面|篮筐)[^,，。]{0,2})塌(了|下来|下去)|坍塌|倒塌|垮(了|下来)', '掉渣|往下掉(碎块|东西|水泥)|还在.{0,4}往下掉', '承重墙.{0,10}(裂|缝)|咔咔(的)?(声|响)', '(?<!(差点|差一点|险些)(就)?)砸(到|伤|中)(了)?(人|孩子|老人|头)',
      '(天花板|吊顶|顶棚|阳台|外墙|墙体).{0,8}(掉下来|砸下来|塌|一大块)', '哗啦.{0,6}掉',
      '(楼体|房子|承重墙|墙体|地面).{0,4}(晃|倾斜|下沉|开裂)',
    ],
  },
  {
    name: 'falling_hazard',
    means: 'something heavy hanging loose or already coming down, right above where people pass',
    examples: ['广告牌被风吹得摇摇欲坠，下面就是公交站', '20楼拆了一半的窗户玻璃在外面吊着，正下面是快递柜', '雨棚裂了，已经掉了几块下来，还有人从底下过'],
    cues: [`${HANGING}.{0,40}${PEOPLE_BELOW}`, '还有人.{0,4}(从)?(底下|下面)(过|走)'],
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
      '(天台|楼顶|屋顶|房顶|顶楼|顶上|窗台|窗外|阳台外|护栏外).{0,10}(坐|站|蹲|爬|要跳|边上|边缘|边沿)', '(坐|站|蹲)(在)?.{0,4}(边沿|楼沿)', '跳楼|轻生|自杀|割腕|想不开|不想活|寻短见|喝农药|吃了(很多|一瓶)药',
    ],
  },
  {
    name: 'emergency_call',
    means: 'residents calling for help or for 110/119/120 right now',
    examples: ['快来人啊救命', '已经打了120了，物业快来帮忙开门'],
    unless: '(吵|烦|笑|累|热|冷|困|饿)死',
    cues: ['救命(?![^,，。]{0,6}(老鼠|虫|蟑螂))|来人啊|(?<!要|会)出人命了', '(打|叫|拨)(了)?(110|119|120|救护车|消防)', '救护车(还没到|进不来|过不去|在路上)|接(一下)?120', 'jiu ?ming', 'help pls|please help|help!', 'help!|emergency|urgent!'],
  },
]

export const FRAMINGS: Framing[] = [
  {
    name: 'past', wholeMessage: false, before: true,
    examples: ['去年冬天水管爆过一次，把楼下都淹了', '上次电梯困人等了半小时', 'last year the elevator was stuck with people inside'],
    cues: ['(昨(天|晚)|前(两|几|一)?天)(?![^,，。]{0,4}(开始|起|到现在|一直|至今))|去年|前年|上次|上回|那次|那回|那场|以前|之前(有|也|出过)|曾经|当年|小时候|有一次|有一回|前几年|那年|好几年前|年前|[0-9]+年(前|那)|过一次|过两次|发生过|上周|上星期|上礼拜|上个月|(着|烧|困|摔|爆|塌)过(?![来去])', '\\b(last (year|winter|summer|month|week|time)|years ago|once had|used to)\\b'],
  },
  {
    name: 'elsewhere', wholeMessage: true,
    examples: ['刚看到新闻，外地小区燃气爆炸了', '抖音上看到别的小区电梯坠落'],
    cues: ['新闻|报道|热搜|抖音|视频|电视(上|里)|朋友圈(看|转)|(?<!我(在|是)|人在|身在|在)外地|外省|别的(小区|城市|地方)|其他(小区|城市)|隔壁(小区|区)|听说.{0,6}(那边|小区|城)|那边(有个|一个)小区|[^本]市.{0,4}(一|某)(小区|居民楼)|某(地|市|小区)', '\\b(in the news|on the news|another (city|estate|compound))\\b'],
  },
  {
    name: 'drill', wholeMessage: true,
    examples: ['明天上午消防演练，听到警报不要慌', '燃气安全知识讲座'],
    cues: ['演练|演习|模拟|培训|讲座|知识|宣传|科普|安全检查|入户检查|巡检'],
  },
  {
    name: 'hypothetical', wholeMessage: false,
    examples: ['万一电梯晚上困人怎么办', '要是着火了楼道堵着怎么跑', '建议装个燃气报警器', 'what if the lift gets stuck with people inside at night?'],
    cues: ['万一|如果|假如|假设|要是|一旦|以防|预防|防止|防患|怕(哪天|以后|万一)|会不会|容易(引发|引起|造成)|真(要|的)?(着火|失火|出事|有火)|哪天|别(把|等|出事)|(着火|起火|烧起来|出事)(了)?.{0,10}(怎么(跑|办)|往哪(跑|逃)|咋(跑|办)|跑不|出不去|逃不)|怕(着火|出事|掉|砸|塌|失火|引起|哪天|万一)|要(是)?着了|担心(会|要|哪天|以后|万一)|建议|提议|能不能(装|加装|配|安装)|应该(装|配)|最好(装|配)|注意安全|提醒(大家|各位)', '\\b(what if|in case|suppose|if ever)\\b'],
  },
  {
    name: 'resolved', wholeMessage: false,
    examples: ['电梯困人已经救出来了，谢谢大家', '刚才冒烟是邻居烧菜糊了，没事了'],
    // "…but it still smells" after a resolution: the resolution does not cancel.
    cues: ['(?:救出来|人出来了|(弄|拉|抱|拽|放)出来了|(阀门|总阀|水阀)(已经)?关(了|上)|已(经)?断电|(被|已经)?(拉|劝)开了|分开了|(已经|都|还好)?没事(了)?(?!吧)|没(什么|啥)?大(事|碍)|无大碍|虚惊|误报|灭了|扑灭|找到了|回来了|联系上了|已(经)?(修好|处理|解决|恢复|送医|到医院|通知)|修好了|处理好了|弄好了|一切正常|恢复正常|不漏了|不冒了|烧菜|做饭糊|炒菜|(?<!是)不是(着火|漏气|燃气泄漏|火|煤气|燃气)|没有?(漏气|燃气味)|感谢信)(?![^。!?！？]*(但|可|不过)(是)?[^。!?！？]{0,6}(还|仍|又|一直))'],
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
  /** every framing present in the message, cancelling or not (a model input: ./features.ts) */
  framings: Framing['name'][]
}

/**
 * Reads the canonical text (see ./features.ts canonicalText). A cue is looked for in each sentence and, when
 * the sentence alone does not show it, in that sentence with the one before ("电梯又停了！这次人在里面！"). The
 * framing is read in the same span; a family's `unless` in the sentence or the one before ("谁见过一只橘猫？刚在
 * 3栋走丢了").
 */
export function findDanger(s: string): DangerFinding {
  const live = new Set<string>()
  const cancelled: DangerFinding['cancelled'] = []
  if (!s) return { live: [], cancelled, framings: [] }
  const framings = FRAMING_RE.filter(f => f.re.test(s)).map(f => f.framing.name)
  const whole = FRAMING_RE.find(f => f.framing.wholeMessage && f.re.test(s))?.framing.name
  const sentences = s.match(SENTENCE) ?? [s]
  /** The framing that cancels the cue `re` in `span`: a message-wide one, else one in the span (before the cue, for some). */
  const framingOf = (span: string, re: RegExp) => {
    if (whole) return whole
    const cueEnd = (() => { const m = re.exec(span); return m ? m.index + m[0].length : span.length })()
    return FRAMING_RE.find(f => !f.framing.wholeMessage && f.re.test(f.framing.before ? span.slice(0, cueEnd) : span))?.framing.name
  }
  sentences.forEach((sentence, i) => {
    const pair = i > 0 ? sentences[i - 1]! + sentence : null
    for (const { family, re, unless } of FAMILY_RE) {
      const span = re.test(sentence) ? sentence : pair && re.test(pair) ? pair : null
      if (!span || unless?.test(pair ?? span)) continue
      const framing = framingOf(span, re)
      if (framing) cancelled.push({ family: family.name, by: framing })
      else live.add(family.name)
    }
  })
  return { live: [...live], cancelled, framings }
}
