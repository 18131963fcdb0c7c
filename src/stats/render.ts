import type { Digest } from '../db/entities/index.js'
import { formatLocal, localParts } from '../time.js'
import { describeAgeHours, describeMinutes, escapeHtml, pct } from './format.js'
import { RESOLUTION_OUTCOME_NAMES, RESOLUTION_OUTCOMES } from '../requests/resolutionOutcome.js'
import type { Stats } from './rates.js'

/** What a digest stores in digests.figures: the computed stats plus the community they are about. */
export type DigestFigures = Stats & { community: { id: number; name: string; timezone: string } }

export const DIGEST_MAX_CHARS = 1500
const SUMMARY_MAX_CHARS = 300

/** 11月16日—11月22日: the period's first and last local day (`to` is exclusive). */
export function periodLabel(f: Pick<DigestFigures, 'period' | 'community'>): string {
  const tz = f.community.timezone
  const a = localParts(new Date(f.period.from), tz)
  const b = localParts(new Date(new Date(f.period.to).getTime() - 1), tz)
  return `${a.month}月${a.day}日—${b.month}月${b.day}日`
}

const where = (building: string | null) => (building ? `${building}号楼` : '未注明楼栋')

/** The numbers an LLM may summarise: counts and rates only, no resident text. */
export function summaryInput(f: DigestFigures) {
  return {
    社区: f.community.name,
    周期: periodLabel(f),
    收件: f.totals.received,
    办结: f.totals.resolved,
    仍在办理: f.totals.open,
    按时签收: f.rates.response.numerator,
    响应率: pct(f.rates.response.rate),
    解决率: pct(f.rates.resolution.rate),
    满意率: pct(f.rates.satisfaction.rate),
    评价数: f.rates.satisfaction.denominator,
    满意及基本满意: f.rates.satisfaction.numerator,
    未回复回访: f.ratings.no_answer,
    超时工单: f.totals.slaBreaches,
    重办工单: f.totals.reopened,
    紧急工单: f.totals.urgent,
    分类: Object.fromEntries(f.byCategory.map((c) => [c.name, c.count])),
    网格: f.byGrid.filter((g) => g.received > 0).map((g) => ({ 名称: g.name, 收件: g.received, 解决率: pct(g.resolutionRate), 排名: g.rank })),
    热点: f.hotSpots.map((h) => `${where(h.building)}${h.categoryName}${h.count}次`),
    签收中位用时: describeMinutes(f.medians.acceptMinutes),
    办结中位用时: describeMinutes(f.medians.resolveMinutes),
  }
}

/** Keeps an LLM summary to one short paragraph. */
export function cleanSummary(summary: string | null | undefined): string | null {
  const s = summary?.replace(/\s+/g, ' ').trim()
  if (!s) return null
  if (s.length <= SUMMARY_MAX_CHARS) return s
  const cut = s.slice(0, SUMMARY_MAX_CHARS)
  const end = Math.max(cut.lastIndexOf('。'), cut.lastIndexOf('！'), cut.lastIndexOf('；'))
  return end > 0 ? cut.slice(0, end + 1) : `${cut.slice(0, SUMMARY_MAX_CHARS - 1)}…`
}

/**
 * The LLM summary as it may be shown: at most three sentences, and only when every number in it is one of
 * the figures it was given (a model that computes or invents a number loses its summary, not the digest).
 */
export function groundedSummary(summary: string | null | undefined, input: object): string | null {
  const s = cleanSummary(summary)
  if (!s) return null
  const sentences = s.match(/[^。！？!?]+[。！？!?]?/g) ?? [s]
  const three = sentences.slice(0, 3).join('').trim()
  const known = new Set(JSON.stringify(input).match(/\d+(?:\.\d+)?/g) ?? [])
  const numbers = three.match(/\d+(?:\.\d+)?/g) ?? []
  return numbers.every((n) => known.has(n)) ? three : null
}

/**
 * The 书记's weekly DM: most important first (三率, what needs attention, volume, grids, times), cut to
 * DIGEST_MAX_CHARS on a line boundary so it reads well on a phone.
 */
export function renderDigestText(f: DigestFigures, summary: string | null = null): string {
  const tz = f.community.timezone
  const t = f.totals
  const head = [`【社区周报】${f.community.name} ${periodLabel(f)}`]
  const s = cleanSummary(summary)
  if (s) head.push(`摘要：${s}`)
  const lines: string[] = []
  if (!t.received) {
    lines.push('本周没有收到新的诉求。')
  } else {
    lines.push(
      `收件 ${t.received} 件，已办结 ${t.resolved} 件，仍在办理 ${t.open} 件。`,
      `【三率】响应率 ${pct(f.rates.response.rate)}（${f.rates.response.numerator}/${f.rates.response.denominator} 按时签收）`,
      `解决率 ${pct(f.rates.resolution.rate)}（${f.rates.resolution.numerator}/${f.rates.resolution.denominator}${outcomesText(f)}）`,
      `满意率 ${pct(f.rates.satisfaction.rate)}（${f.rates.satisfaction.numerator}/${f.rates.satisfaction.denominator} 评价${f.ratings.no_answer ? `，回访未回复 ${f.ratings.no_answer} 件另计` : ''}）`,
    )
    const attention = [`超时 ${t.slaBreaches} 件`, `重办 ${t.reopened} 件`, `紧急 ${t.urgent} 件`]
    lines.push(`【需关注】${attention.join('｜')}`)
    for (const h of f.hotSpots.slice(0, 5)) lines.push(`热点：${where(h.building)}${h.categoryName} ${h.count} 次`)
  }
  for (const o of f.oldestOpen.slice(0, 3)) {
    lines.push(`久未办结：工单 ${o.no}，${where(o.building)}${o.categoryName}，已 ${describeAgeHours(o.ageHours)}（${o.statusName}${o.assignee ? `，${o.assignee}` : ''}）`)
  }
  for (const u of f.urgentCases.slice(0, 3)) {
    lines.push(`紧急：工单 ${u.no}，${where(u.building)}${u.categoryName}，${formatLocal(new Date(u.createdAt), tz)}，${u.statusName}`)
  }
  if (t.received) {
    lines.push(`【分类】${f.byCategory.map((c) => `${c.name} ${c.count}`).join('｜')}`)
    const ranked = f.byGrid.filter((g) => g.rank !== null)
    if (ranked.length) {
      lines.push(`【网格排名】（${f.settings.minGridCount} 件以上参与）`)
      for (const g of ranked) lines.push(`${g.rank}. ${g.name} 办结 ${pct(g.resolutionRate)}｜响应 ${pct(g.responseRate)}｜${g.received} 件`)
    }
    const unranked = f.byGrid.filter((g) => g.rank === null && g.received > 0)
    if (unranked.length) lines.push(`未排名（收件不足 ${f.settings.minGridCount} 件）：${unranked.map((g) => `${g.name} ${g.received} 件`).join('，')}`)
    lines.push(`【时效】签收中位 ${describeMinutes(f.medians.acceptMinutes)}｜办结中位 ${describeMinutes(f.medians.resolveMinutes)}`)
  }
  const more = '……（更多见网页版周报）'
  let text = head.join('\n')
  for (let i = 0; i < lines.length; i++) {
    const next = `${text}\n${lines[i]}`
    const reserve = i < lines.length - 1 ? more.length + 1 : 0
    if (next.length + reserve > DIGEST_MAX_CHARS) return `${text}\n${more}`.slice(0, DIGEST_MAX_CHARS)
    text = next
  }
  return text.slice(0, DIGEST_MAX_CHARS)
}

// ---------------------------------------------------------------------------------------------
// HTML page for GET /digests/:id — self-contained: inline CSS and SVG, no scripts, no external assets.

interface Bar { label: string; value: number; max?: number; text?: string; color?: string }

function barChart(title: string, bars: Bar[], opts: { max?: number } = {}): string {
  if (!bars.length) return `<section><h2>${escapeHtml(title)}</h2><p class="muted">无数据</p></section>`
  const row = 28, labelW = 110, chartW = 220, valueW = 90
  const max = opts.max ?? Math.max(1, ...bars.map((b) => b.value))
  const h = bars.length * row + 8
  const rects = bars.map((b, i) => {
    const y = i * row + 6
    const w = Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * chartW))
    return `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(b.label)}</text>`
      + `<rect x="${labelW}" y="${y + 2}" width="${chartW}" height="18" fill="#eef1f5" rx="3"/>`
      + `<rect x="${labelW}" y="${y + 2}" width="${w}" height="18" fill="${b.color ?? '#3b82f6'}" rx="3"/>`
      + `<text x="${labelW + chartW + 8}" y="${y + 15}">${escapeHtml(b.text ?? String(b.value))}</text>`
  }).join('')
  return `<section><h2>${escapeHtml(title)}</h2><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${labelW + chartW + valueW} ${h}" width="100%" style="max-width:${labelW + chartW + valueW}px" font-size="13" font-family="inherit">${rects}</svg></section>`
}

const rateColor = (r: number | null) => (r == null ? '#9ca3af' : r >= 0.9 ? '#16a34a' : r >= 0.7 ? '#f59e0b' : '#dc2626')
const COLOR_HEX = { red: '#dc2626', yellow: '#f59e0b', green: '#16a34a' } as const

function table(headers: string[], rows: (string | number)[][]): string {
  if (!rows.length) return '<p class="muted">无</p>'
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
}

/** A stored digest as a phone-friendly HTML page with inline SVG bar charts. */
export function renderDigestHtml(digest: Pick<Digest, 'figures' | 'summary' | 'periodStart' | 'periodEnd'> & Partial<Pick<Digest, 'id' | 'text'>>): string {
  const f = digest.figures as unknown as DigestFigures
  const tz = f.community?.timezone ?? 'Asia/Shanghai'
  const title = `${f.community?.name ?? '社区'}周报 ${periodLabel({ period: f.period, community: { ...f.community, timezone: tz } })}`
  const t = f.totals
  const r = f.rates
  const rates = barChart('三率', [
    { label: '响应率', value: r.response.rate ?? 0, text: `${pct(r.response.rate)} (${r.response.numerator}/${r.response.denominator})`, color: rateColor(r.response.rate) },
    { label: '解决率', value: r.resolution.rate ?? 0, text: `${pct(r.resolution.rate)} (${r.resolution.numerator}/${r.resolution.denominator})`, color: rateColor(r.resolution.rate) },
    { label: '满意率', value: r.satisfaction.rate ?? 0, text: `${pct(r.satisfaction.rate)} (${r.satisfaction.numerator}/${r.satisfaction.denominator})`, color: rateColor(r.satisfaction.rate) },
  ], { max: 1 })
  const categories = barChart('分类', f.byCategory.map((c) => ({ label: c.name, value: c.count })))
  const grids = barChart('网格收件', f.byGrid.filter((g) => g.received > 0).map((g) => ({
    label: g.rank ? `${g.rank}. ${g.name}` : g.name, value: g.received, text: `${g.received} 件 · 办结 ${pct(g.resolutionRate)}`, color: rateColor(g.resolutionRate),
  })))
  const lights = barChart('红黄绿灯', (['red', 'yellow', 'green'] as const).map((c) => ({ label: { red: '超时', yellow: '临近', green: '正常' }[c], value: f.colors?.[c] ?? 0, color: COLOR_HEX[c] })))
  const ratings = barChart('回访评价', [
    { label: '满意', value: f.ratings.satisfied, color: '#16a34a' },
    { label: '基本满意', value: f.ratings.basically_satisfied, color: '#84cc16' },
    { label: '不满意', value: f.ratings.unsatisfied, color: '#dc2626' },
    { label: '未回复', value: f.ratings.no_answer, color: '#9ca3af' },
  ])
  const cards = [
    ['收件', t.received], ['已办结', t.resolved], ['仍在办', t.open], ['超时', t.slaBreaches], ['重办', t.reopened], ['紧急', t.urgent],
  ].map(([k, v]) => `<div class="card"><b>${escapeHtml(v)}</b><span>${escapeHtml(k)}</span></div>`).join('')
  const brief = (x: DigestFigures['urgentCases'][number]) => [x.no, x.categoryName, where(x.building), x.statusName, formatLocal(new Date(x.createdAt), tz), x.assignee ?? '—']
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0 auto;max-width:720px;padding:16px;color:#111827;background:#fff}
h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:20px 0 8px}
.summary{background:#f3f4f6;border-radius:8px;padding:10px 12px;line-height:1.6}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}.card{background:#f9fafb;border:1px solid #e5e7eb;border-radius:8px;padding:8px;text-align:center}
.card b{display:block;font-size:22px}.card span{color:#6b7280;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e5e7eb;padding:6px 4px;text-align:left}
.muted{color:#6b7280}footer{margin-top:24px;color:#9ca3af;font-size:12px}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${digest.summary ? `<p class="summary">${escapeHtml(digest.summary)}</p>` : ''}
<div class="cards">${cards}</div>
${rates}
${lights}
<section><h2>热点</h2>${table(['楼栋', '分类', '次数', '工单'], f.hotSpots.map((h) => [where(h.building), h.categoryName, h.count, h.nos.join('、')]))}</section>
<section><h2>久未办结</h2>${table(['工单', '分类', '位置', '状态', '上报', '负责人', '已过'], f.oldestOpen.map((o) => [...brief(o), describeAgeHours(o.ageHours)]))}</section>
<section><h2>紧急工单</h2>${table(['工单', '分类', '位置', '状态', '上报', '负责人'], f.urgentCases.map(brief))}</section>
${categories}
${grids}
<section><h2>网格明细</h2>${table(['排名', '网格', '收件', '响应率', '解决率', '满意率', '超时'], f.byGrid.map((g) => [g.rank ?? `不足${f.settings.minGridCount}件`, g.name, g.received, pct(g.responseRate), pct(g.resolutionRate), pct(g.satisfactionRate), g.slaBreaches]))}</section>
${ratings}
<section><h2>时效</h2><p>签收中位用时 ${escapeHtml(describeMinutes(f.medians.acceptMinutes))}，办结中位用时 ${escapeHtml(describeMinutes(f.medians.resolveMinutes))}。</p></section>
<footer>统计口径：周期内新收诉求（不含合并、撤销）；满意率 = (满意 + 基本满意) / 已评价，未回复另计。生成于 ${escapeHtml(formatLocal(new Date(f.generatedAt), tz))}。</footer>
</body></html>`
}

/** "：已解决 5，部分解决 1，未解决（已说明原因） 1": only when something was closed other than as solved. */
function outcomesText(f: Stats): string {
  const o = f.outcomes
  if (!o || o.solved === f.totals.resolved) return ''
  return '：' + RESOLUTION_OUTCOMES.filter((k) => o[k] > 0).map((k) => `${RESOLUTION_OUTCOME_NAMES[k]} ${o[k]}`).join('，')
}
