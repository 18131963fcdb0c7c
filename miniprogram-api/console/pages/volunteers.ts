import { TASK_STATUS_NAMES } from '../../../src/volunteers/taskStateMachine.js'
import type { VolunteerFigures } from '../../../src/volunteers/figures.js'
import type { VolunteerTask } from '../../../src/db/entities/index.js'
import { formatLocal } from '../../../src/time.js'
import { html, type Html } from '../html.js'
import { bindCodeCell, emptyList } from './common.js'

export interface VolunteersPage {
  figures: VolunteerFigures
  periodLabel: string
  query: { from?: string; to?: string }
  volunteers: { id: number; name: string; grids: string[]; bound: boolean; active: boolean; balance: number }[]
  open: { task: VolunteerTask; grid: string | null; volunteer: string | null }[]
  tz: string
  /** a fresh key per page: the same form sent twice (a double tap, a retry) redeems once */
  redemptionKey: string
}

/** 志愿者与积分 for the 书记: the digest's figures (volunteerFigures) for a period, balances, tasks in hand. */
export function volunteersBody(p: VolunteersPage): Html {
  const f = p.figures
  const kpi = (key: string, label: string, n: number) => html`<div class="kpi" data-figure="${key}" data-value="${n}"><b>${n}</b><span>${label}</span></div>`
  return html`
<form class="card filters" method="get" action="/console/volunteers">
  <div><label for="from">开始日期</label><input id="from" type="date" name="from" value="${p.query.from ?? ''}"></div>
  <div><label for="to">结束日期</label><input id="to" type="date" name="to" value="${p.query.to ?? ''}"></div>
  <div class="wide actions"><button class="primary" type="submit">查看</button></div>
</form>
<p class="meta">统计范围：${p.periodLabel}</p>
<section class="kpis">
  ${kpi('offered', '发出任务', f.offered)}
  ${kpi('done', '完成任务', f.done)}
  ${kpi('hours', '志愿时长（小时）', f.hours)}
  ${kpi('earned', '发放积分', f.earned.volunteering + f.earned.verified_report)}
  ${kpi('redeemed', '兑换积分', f.redeemed)}
  ${kpi('waiting', '待认领', f.waiting)}
</section>
<div class="grid two">
  <section class="card"><h2>${f.month.month}月积分榜</h2>${f.ranking.length ? html`<div class="scroll"><table data-table="ranking">
    <thead><tr><th>名次</th><th>志愿者</th><th class="num">本月积分</th><th class="num">时长</th><th class="num">余额</th></tr></thead>
    <tbody>${f.ranking.map((r, i) => html`<tr data-volunteer="${r.name}"><td>${i + 1}</td><td>${r.name}</td><td class="num">${r.points}</td><td class="num">${r.hours}</td><td class="num">${r.balance}</td></tr>`)}</tbody>
  </table></div>` : emptyList('本月还没有积分')}</section>
  <section class="card"><h2>志愿者</h2>${p.volunteers.length ? html`<div class="scroll"><table data-table="volunteers">
    <thead><tr><th>姓名</th><th>网格</th><th>微信</th><th class="num">积分余额</th></tr></thead>
    <tbody>${p.volunteers.map((v) => html`<tr data-volunteer="${v.name}"><td>${v.name}${v.active ? '' : '（已停用）'}</td><td>${v.grids.join('、')}</td><td>${bindCodeCell({ api: `/api/admin/volunteers/${v.id}/bind-code`, name: v.name, bound: v.bound, active: v.active, timeZone: p.tz })}</td><td class="num">${v.balance}</td></tr>`)}</tbody>
  </table></div>${redemptionForm(p)}` : emptyList('社区配置文件里还没有志愿者')}</section>
  <section class="card"><h2>进行中的志愿任务</h2>${p.open.length ? html`<ul class="list">${p.open.map((o) => html`<li><span class="item"><span class="main">
    <span class="title">#${o.task.id} ${o.task.kind}${o.grid ? html` · ${o.grid}` : ''}</span>
    <span class="meta"><span class="tag">${TASK_STATUS_NAMES[o.task.status]}</span>${o.volunteer ? html`${o.volunteer} · ` : ''}${formatLocal(o.task.createdAt, p.tz)}</span>
  </span></span></li>`)}</ul>` : emptyList('没有进行中的志愿任务')}</section>
</div>`
}

/** 兑换积分: the 书记 records what a volunteer exchanged their points for (also 「兑换 姓名 积分 兑换物」 to the bot). */
function redemptionForm(p: VolunteersPage): Html {
  const holders = p.volunteers.filter((v) => v.active && v.balance > 0)
  if (!holders.length) return html`<p class="meta">还没有可兑换的积分。兑换时也可私聊机器人「兑换 姓名 积分 兑换物」。</p>`
  return html`<form class="action" data-api="/api/admin/volunteers/{volunteer}/redemptions" data-done="已登记兑换">
  <h2>登记积分兑换</h2>
  <div class="filters">
    <div><label for="rv">志愿者</label><select id="rv" name="volunteer" data-path required>${holders.map((v) => html`<option value="${v.id}">${v.name}（余额 ${v.balance}）</option>`)}</select></div>
    <div><label for="rp">积分</label><input id="rp" name="points" type="number" min="1" max="100000" step="1" required></div>
    <div class="wide"><label for="rn">兑换物</label><input id="rn" name="note" required maxlength="100" placeholder="例如：洗衣液一瓶"></div>
  </div>
  <input type="hidden" name="requestKey" value="${p.redemptionKey}">
  <button type="submit" data-action="redeem">登记兑换</button>
  <p class="meta">也可私聊机器人「兑换 姓名 积分 兑换物」。余额不够时不会扣分。</p>
</form>`
}
