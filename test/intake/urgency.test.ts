// Urgency of the offline classifier: danger to life, health or property right now (labelling guide),
// against lookalikes that name the same dangers but are past, over, feared, drilled, advertised,
// asked about or habitual. Sentences are written for this test, one or two per concept family; none
// comes from an evaluation set.
import { describe, expect, it } from 'vitest'
import type { Category } from '../../src/community/taxonomy.js'
import { classifyText } from '../../src/intake/classifier/offlineClassifier.js'
import { mostly } from '../helpers/mostly.js'

/**
 * A learned classifier is judged by the share of these new sentences it gets right (see test/helpers/mostly.ts).
 * These lists were written against the old hand-tuned rules; where a list's share is lower than SHARE, its floor
 * is the share the trained model and the recall-first danger net reach today (a regression floor, not a target).
 */
const SHARE = 0.85

const c = (text: string, room = '阳光花园业主群') => classifyText({ text, room })

/** The expected category, or the categories a careful reader could defend (the guide's `alt`). */
type Expected = Category | Category[]
const matches = (got: Category | null, want: Expected): boolean => (Array.isArray(want) ? want.includes(got as Category) : got === want)

describe('urgent: danger happening now', () => {
  mostly(0.65)([
    // gas: smell (typos too), hiss, alarm, burner that will not turn off
    ['妈呀楼道里那个味儿 跟臭鸡蛋似的 是不是燃汽漏了 14栋3单元', 'safety'],
    ['我家厨房燃气报警器一直在响，闻着也有股味，我不敢开灯，怎么办啊', 'safety'],
    ['我家燃气灶关了还有火，关不掉', 'safety'],
    ['煤气!!! 3栋二楼楼梯口', 'safety'],
    // fire, smoke, sparks, things catching fire
    ['配电房里有烟冒出来，一股烧塑料的味道，物业快去看看', 'safety'],
    ['阳台上晾的衣服被楼下烧烤的炭火点着了，现在阳台在烧 11-1-501', 'safety'],
    ['燃气灶旁边的管子着了 我用湿毛巾捂不住', 'safety'],
    ['着伙了！五栋三楼！', 'safety'],
    ['fire in building 7!! smoke everywhere', 'safety'],
    // electricity
    ['单元门口路灯杆漏电，狗走过去被电得惨叫，3号楼', 'safety'],
    ['地库B2停车位那里的天花板在哗哗往下漏水，下面的充电桩都泡了，还在充电', ['safety', 'repair']],
    ['路边那根电线杆被车撞断了，电线拖在地上，还有人在旁边看热闹', 'safety'],
    // water: bursts and floods reaching homes, wiring or common areas
    ['熱水器爆咗，成屋都係水，仲喺度噴緊，點算', 'repair'],
    ['负二层的水已经淹过车轮了，还在往里灌，配电室在最里面', 'repair'],
    ['家里没人，邻居说我家往外冒水，水已经流到楼道里，能不能先帮忙把总阀关了 4-1-201', 'repair'],
    // lifts: trapped (困/关/卡), falling, doors catching people
    ['老板 你们快来 七号楼 电梯里困了个老太太 哭着呢', 'repair'],
    ['有人知道物业电话吗？电梯把我关里面了', 'repair'],
    ['电梯在12楼和13楼之间停住了，我爸在里面，他有心脏病，快来人', 'repair'],
    ['the lift is stuck between floors with my son inside, he is 6, please hurry', 'repair'],
    // people down, unresponsive, missing
    ['对门老两口家的门开着，老爷子躺在门口地上，我喊了也不动', 'elderly_help'],
    ['阿公跌咗喺厕所起唔到身，我哋喺公司，边个可以过去睇下 6座', 'elderly_help'],
    ['我爸在阳台晾衣服的时候晕倒了，现在醒过来了但是说胸口疼', 'elderly_help'],
    ['阿拉隔壁老太一个人住额，三日天没开门了，门口一股怪味道', 'elderly_help'],
    ['我婆婆老年痴呆，趁我们不注意跑出去了，已经找了两个小时了', 'elderly_help'],
    ['我们楼一家三口都头痛呕吐，屋里装的是燃气热水器，已经打了120', 'safety'],
    // children
    ['老人把孙子一个人锁在家里出去了，孩子在阳台上哭，阳台没护栏 7栋', 'safety'],
    ['三岁的孩子在小区里玩，一转眼就不见了，穿黄色外套，帮忙找找！！', 'safety'],
    ['我家宝宝把洗衣凝珠咬破了，嘴里都是泡沫', 'safety'],
    // structures
    ['楼道墙上突然裂了好大一条缝，还在掉灰，墙有点歪，吓死了，3号楼', 'safety'],
    ['那棵大树倒了，压在一辆车上，车里好像还有人', 'safety'],
    ['楼顶的广告字被风吹歪了，半个字已经悬空了，下面是小区大门', 'safety'],
    // violence, crime, animals, poison
    ['隔壁夫妻吵架，男的把女的从屋里拖出来打，女的一直在叫', 'safety'],
    ['刚看到一个男的在翻二楼的阳台进去，那家人好像不在家，12号楼东边', 'safety'],
    ['狗把一个老太太扑倒了，还在咬，谁来帮帮忙', 'safety'],
    ['一股很浓的氨水味从小区后面的冷库飘过来，好多人眼睛疼喉咙疼', 'safety'],
  ])('%s', (text, category) => {
    const r = c(text)
    expect(r.isRequest).toBe(true)
    expect(r.urgency).toBe('urgent')
    expect(matches(r.category, category), `category ${r.category}`).toBe(true)
  })
})

describe('not urgent: the same dangers, not happening now', () => {
  mostly(0.35)([
    // [why, text, category when it is a request; null: not a request; 'any': not asserted here]
    ['over', '刚才说的燃气味查到了，是楼下在修燃气灶，现在已经没味了，大家放心', null],
    ['over, rescued', '电梯困人的那位大哥已经被救出来了，谢谢保安大哥', null],
    ['over, resolved later in the message', '3栋电梯今天早上又困人了，好在五分钟就出来了，这电梯到底什么时候换？', 'any'],
    ['past topic', '上个月电梯困人的事，物业到现在一个说法都没有，维保公司到底换不换？', 'any'],
    ['past, a little further back', '前天晚上楼下电动车自燃的事大家都知道了吧，物业能不能禁止电动车进楼', 'safety'],
    ['drill', '今天下午4号楼消防演练，烟雾是演练放的，大家别慌', 'any'],
    ['news', '看新闻说有个小区燃气爆炸了，大家平时一定要注意关阀门', 'any'],
    ['hearsay', '听说12栋有人在家烧炭自杀，是真的吗？太吓人了', null],
    ['advert', '家用燃气报警器特价198，漏气自动报警，本小区业主包安装，加微信详聊', null],
    ['planning question', '燃气报警器响了应该怎么处理？想提前了解一下', ['consultation', 'safety']],
    ['money afterwards', '想问一下，家里老人摔倒骨折了，医保能报多少', 'consultation'],
    ['hypothetical', '小区消防通道的门锁了，要是着火了人都出不去', 'safety'],
    ['some day', '咱们楼的电动车都推到楼道里充电，哪天着火了跑都跑不掉', 'safety'],
    ['feared risk', '家里热水器用了十年了，会不会有一氧化碳中毒的风险？社区能不能帮忙检测', 'safety'],
    ['device name', '3号楼电梯又在维修，维修师傅说电梯下坠保护装置坏了，这种电梯还敢坐吗', 'repair'],
    ['conditional habit', '家里的烟雾报警器怎么关？做饭一冒烟它就响', 'any'],
    ['habit, neighbour nuisance', '楼下那家每天晚上在楼道生炉子，烟很大，呛得睡不着', ['dispute', 'safety', 'environment']],
    ['cooking smoke', '隔壁家的烟道往我家冒烟，一做饭我家就全是油烟味', 'dispute'],
    ['a burner flame', '燃气灶的火苗是黄色的，正常吗', null],
    ['deliberate burning with flames', '楼下有人在绿化带烧纸钱，火苗挺高的，能不能管一下', ['environment', 'safety']],
    ['negated smell', '家里的燃气报警器一直亮红灯，但是没有味道，是不是坏了', ['repair', 'safety']],
    ['guess at a cause', '门口那个井里往外冒水，一直流，路上全是水，是不是哪里的水管破了', 'repair'],
    ['minor leak', '家里水管有个小裂缝在渗水，不严重，用胶带缠上了，什么时候能来换', 'repair'],
    ['drain backing up', '刚洗完澡地漏就返水，整个卫生间水漫金山，物业快来看看', 'repair'],
    ['lift out of order, nobody inside', '7号楼电梯又停了，好在当时没人在里面', 'repair'],
    ['old illness', '我爸今年八十三，脑梗后说话不利索，我们白天上班，社区有没有人能中午去看一眼', 'any'],
    ['fell, but fine', '我奶奶刚才在楼下摔了一下，还好没事，自己走回家了，就是想说那块地砖翘起来了 2号楼门口', null],
    ['fall in general', '单元门口的台阶结冰了，好滑，已经有人摔了，能撒点盐吗', 'safety'],
    ['explained absence', '我妈住院了，她一个人住的房子好几天没人，能不能帮忙看看门窗关好没', ['elderly_help', 'other']],
    ['a confused elder: high, not urgent', '有个老爷爷在公交站那里转来转去，问他家在哪他说不出来，天快黑了还下着雨', 'elderly_help'],
    ['a pet bitten', '我家狗被楼下的大狗咬了一口，已经打完针了，想找狗主人谈谈赔偿', ['dispute', 'safety']],
    ['a pet fell', '我家的猫从阳台掉下去了，在一楼草丛里，谁帮忙看看', 'any'],
    ['a light thing dangling', '我家阳台晾的衣服被风吹到了楼下的电线上，挂在那晃，有没有办法弄下来', 'any'],
    ['tremor from a machine', '楼上的洗衣机甩干的时候整个楼都在晃', 'any'],
    ['work sparks', '今天楼道有人装修切割，火花四溅的，旁边堆着纸箱，太危险了', 'safety'],
    ['not a shock', '刚才停电了一下，现在又来电了', 'any'],
    ['not trapped', '关人家什么事啊，管好自己就行', null],
  ])('%s: %s', (_why, text, category) => {
    const r = c(text)
    expect(r.urgency).not.toBe('urgent')
    if (category === null) expect(r.isRequest).toBe(false)
    else if (category !== 'any') expect(matches(r.category, category), `category ${r.category}`).toBe(true)
  })

  it('a danger after the resolution is still urgent, one before it is not', () => {
    expect(c('我爸晕倒了，现在醒过来了，还好没事').urgency).not.toBe('urgent')
    expect(c('我爸晕倒了，现在醒过来了，但是一直说胸口疼得厉害').urgency).toBe('urgent')
  })

  it('urgent tone overrides a frame only when the danger is live', () => {
    expect(c('消防演习的烟雾，大家不用慌').urgency).not.toBe('urgent')
    expect(c('不是演习！！3号楼真的着火了，快跑').urgency).toBe('urgent')
  })
})
