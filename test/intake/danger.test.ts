// The danger net on its own: each cue family catches its documented examples and new wording; each
// framing cancels. Every sentence here is written for this test (none comes from the corpus or dev set).
import { describe, expect, it } from 'vitest'
import { CUE_FAMILIES, FRAMINGS, findDanger } from '../../src/intake/classifier/danger.js'
import { canonicalText } from '../../src/intake/classifier/features.js'

const live = (text: string) => findDanger(canonicalText(text)).live

describe('cue families', () => {
  for (const family of CUE_FAMILIES) {
    it(`${family.name}: its examples are live dangers`, () => {
      for (const example of family.examples) expect(live(example), example).toContain(family.name)
    })
  }

  it.each([
    ['俺们这电梯刚才咣当一下往下出溜了好几层，俺跟俺闺女还在里头呢', 'trapped'],
    ['2号楼的电梯停在半道了，能听见里面有人一直在砸门，外面按钮按了没反应', 'trapped'],
    ['楼上漏水顺着墙流进我家插座里了，还在滴，我不敢碰', 'water_spreading'],
    ['停电两个钟头了，我妈的制氧机现在靠电池撑着，说明书讲只能用一小时', 'life_support'],
    ['地下车库进水了，水已经没过轮胎，还在往里灌', 'water_spreading'],
    ['9号楼楼顶边上坐着个小伙子，腿都悬在外面，喊他也不理', 'self_harm_edge'],
    ['三楼楼梯间这股怪味越来越冲，我闻了一会儿头就晕了', 'strong_smell'],
    ['我爷爷有老年痴呆，刚才趁我们不注意自己开门出去了，到现在找不着人', 'missing_person'],
    ['停车场那边两伙人吵得很凶，有人回车里拿棍子了，眼看就要打起来', 'attack'],
    ['一条没拴绳的大黑狗在小广场追着一个小孩咬，孩子腿上都是血', 'attack'],
    ['kuai lai ren, 6 hao lou dian ti kun ren le', 'trapped'],
    ['5号楼楼下有人在烧东西，烟很大', 'smoke'],
    ['楼顶那块铁皮招牌只剩一颗螺丝吊着，随时会掉，下面就是幼儿园门口', 'falling_hazard'],
    ['6号楼电梯又停了！！人在里面！！', 'trapped'],
    ['我在外地，我妈一个人住，电话一直没人接，麻烦谁去看看', 'person_down'],
    ['我爷爷有点糊涂，早上出门散步到现在还没回来，手机也没带', 'missing_person'],
    ['燃气表后面那截管子裂了，一直嘶嘶的', 'gas'],
    ['送水的师傅被倒下来的货架压住腿了，就在超市后门', 'trapped'],
    // a resolution followed by "but still" does not cancel; worry is not a hypothetical
    ['燃气阀门我已经关了，但是屋里还是一股煤气味', 'gas'],
    ['隔壁李奶奶门口的牛奶放了三天没人拿，我有点担心她', 'person_down'],
    // English, as residents mix it in
    ['Help, lift in block 3 stopped between floors and my daughter is inside', 'trapped'],
    ['rain water leaking down the wall into the power outlet in our hallway', 'water_spreading'],
  ])('%s → %s', (text, family) => {
    expect(live(text)).toContain(family)
  })
})

describe('framings that cancel a danger', () => {
  it.each([
    ['last winter the elevator in our block got stuck with my mom inside', 'past'],
    ['just curious, what if the lift stops with a child inside at night', 'hypothetical'],
    ['刚刷到新闻，外省一个小区燃气爆炸了，死了好几个人', 'elsewhere'],
    ['去年冬天我家水管冻爆过一回，淹了楼下两家', 'past'],
    ['万一电梯半夜困人了怎么办？物业晚上有人值班吗', 'hypothetical'],
    ['下周二上午小区搞消防演练，到时候会有烟雾，大家别紧张', 'drill'],
    ['刚才电梯困人，已经救出来了，谢谢维保师傅', 'resolved'],
    ['【停电通知】本周六8:00-12:00停电检修，家中使用呼吸机的住户请提前准备', 'notice'],
    ['楼道里堆满了纸箱，着火了人往哪跑', 'hypothetical'],
    ['卫生间水管爆了，总阀已经关了，明天能来修吗', 'resolved'],
    ['前两天我爸在家摔了一跤，现在好多了', 'past'],
  ])('%s (%s)', (text, framing) => {
    const found = findDanger(canonicalText(text))
    expect(found.live).toEqual([])
    expect(found.cancelled.map((c) => c.by)).toContain(framing)
  })

  for (const framing of FRAMINGS) {
    it(`${framing.name}: its examples raise no live danger`, () => {
      for (const example of framing.examples) expect(live(example), example).toEqual([])
    })
  }

  it('a framing in one sentence does not cancel a danger in the next', () => {
    expect(live('上次电梯困人等了半小时。现在又困住了，我妈在里面！')).toContain('trapped')
  })
})

describe('ordinary wording is not a danger', () => {
  it.each([
    '楼道灯不亮，有事可以联系我',
    '热水器打不着火，是不是没燃气了',
    '墙皮掉了一块，想找人补一下',
    '电梯门关不严，老是开开关关',
    '我家狗走丢了，白色泰迪，看到的告诉我',
    '楼道里全是烟头，能不能让保洁扫一下',
    // a harmless source named: cigarettes, a pet, a counterfactual, a lost pet, a box door left open
    '楼下有人天天在楼道抽烟，烟大得呛人',
    '隔壁养的狗天天在楼道尿，熏得我头疼',
    '多亏保安及时关阀，不然就淹了',
    '有人见过一只橘猫吗？刚刚在3栋门口走丢了',
    '小区配电箱的门一直开着，没人锁',
    '楼上邻居家漏水到我家，敲门没人开',
  ])('%s', (text) => {
    expect(live(text)).toEqual([])
  })
})
