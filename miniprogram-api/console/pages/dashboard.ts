import type { DashboardView } from '../../presenters/dashboard.js'
import type { SlaColor } from '../../../src/jobs/sla.js'
import { html, jsonScript, type Html } from '../html.js'
import { COLOR_NAMES, pct } from './common.js'

export interface DashboardPage {
  view: DashboardView
  openColors: Record<SlaColor, number>
  trend: { from: string; received: number; response: number | null; resolution: number | null; satisfaction: number | null }[]
  periodLabel: string
  query: { from?: string; to?: string }
}

const rateKpi = (key: string, label: string, r: DashboardView['rates']['response']) =>
  html`<div class="kpi" data-figure="${key}" data-numerator="${r.numerator}" data-denominator="${r.denominator}"><b>${pct(r.rate)}</b><span>${label}</span><small>${r.numerator}/${r.denominator}</small></div>`
const countKpi = (key: string, label: string, n: number) => html`<div class="kpi" data-figure="${key}" data-value="${n}"><b>${n}</b><span>${label}</span></div>`

/** The 书记's dashboard: the 三率, open requests by SLA colour, by grid, by category, the weekly trend, the oldest open. */
export function dashboardBody(p: DashboardPage): Html {
  const v = p.view
  const csv = `/api/requests.csv${p.query.from || p.query.to ? `?${new URLSearchParams(Object.entries(p.query).filter(([, x]) => x) as [string, string][])}` : ''}`
  return html`
<form class="card filters" method="get" action="/console/">
  <div><label for="from">开始日期</label><input id="from" type="date" name="from" value="${p.query.from ?? ''}"></div>
  <div><label for="to">结束日期</label><input id="to" type="date" name="to" value="${p.query.to ?? ''}"></div>
  <div class="wide actions"><button class="primary" type="submit">查看</button><a class="btn" href="${csv}" download>导出 CSV</a></div>
</form>
<p class="meta">统计范围：${p.periodLabel}（按上报时间；合并、撤销的不计入）</p>
<section class="kpis">
  ${rateKpi('response', '响应率', v.rates.response)}
  ${rateKpi('resolution', '解决率', v.rates.resolution)}
  ${rateKpi('satisfaction', '满意率', v.rates.satisfaction)}
  ${countKpi('received', '受理', v.totals.received)}
  ${countKpi('open', '在办', v.totals.open)}
  ${countKpi('slaBreaches', '超时', v.totals.slaBreaches)}
</section>
<h2 style="margin-top:14px">在办工单</h2>
<section class="colors">
  ${(['red', 'yellow', 'green'] as const).map((c) => html`<a class="color ${c}" href="/console/requests?color=${c}" data-open-color="${c}"><b>${p.openColors[c]}</b>${COLOR_NAMES[c]}</a>`)}
</section>
<div class="grid two">
  <section class="card"><h2>近期走势（按周）</h2><div class="chart" id="trend-chart"></div></section>
  <section class="card"><h2>各网格三率</h2><div class="scroll"><table data-table="grids">
    <thead><tr><th>网格</th><th class="num">受理</th><th class="num">响应率</th><th class="num">解决率</th><th class="num">满意率</th><th class="num">超时</th></tr></thead>
    <tbody>${v.byGrid.map((g) => html`<tr data-grid="${g.name}"><td>${g.rank ? html`${g.rank}. ` : ''}${g.name}</td><td class="num">${g.received}</td><td class="num">${pct(g.responseRate)}</td><td class="num">${pct(g.resolutionRate)}</td><td class="num">${pct(g.satisfactionRate)}</td><td class="num">${g.slaBreaches}</td></tr>`)}</tbody>
  </table></div></section>
  <section class="card"><h2>各类诉求</h2><div class="chart" id="category-chart"></div><div class="scroll"><table data-table="categories">
    <thead><tr><th>类别</th><th class="num">数量</th><th class="num">响应率</th><th class="num">解决率</th><th class="num">满意率</th></tr></thead>
    <tbody>${v.byCategory.map((c) => html`<tr data-category="${c.category}"><td>${c.name}</td><td class="num">${c.count}</td><td class="num">${pct(c.responseRate)}</td><td class="num">${pct(c.resolutionRate)}</td><td class="num">${pct(c.satisfactionRate)}</td></tr>`)}</tbody>
  </table></div></section>
  <section class="card"><h2>等待最久的在办工单</h2>${v.oldestOpen.length ? html`<ul class="list">${v.oldestOpen.map((r) => html`<li><a class="item" href="/console/requests/${r.id}"><i class="dot ${r.color}"></i><span class="main"><span class="title">#${r.no} ${r.categoryName}${r.building ? html` · ${r.building}号楼` : ''}</span><span class="meta">${r.statusName} · ${r.assignee ?? '未派单'} · 已 ${r.ageHours} 小时</span></span></a></li>`)}</ul>` : html`<p class="empty">没有在办工单</p>`}</section>
</div>
${jsonScript('dashboard-data', { trend: p.trend, byCategory: v.byCategory.map((c) => ({ name: c.name, count: c.count })) })}`
}
