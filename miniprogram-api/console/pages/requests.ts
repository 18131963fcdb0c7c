import type { CommunitySnapshot } from '../../../src/community/snapshot.js'
import { CATEGORIES, CATEGORY_NAMES, URGENCIES, URGENCY_NAMES } from '../../../src/community/taxonomy.js'
import type { ServiceRequest, Staff } from '../../../src/db/entities/index.js'
import { can } from '../../../src/requests/policy.js'
import { canTransition, OPEN_STATUSES, REQUEST_STATUSES, STATUS_NAMES } from '../../../src/requests/stateMachine.js'
import { formatLocal } from '../../../src/time.js'
import { codeOrder } from '../../presenters/admin.js'
import type { TaskView } from '../../presenters/request.js'
import type { requestDetail } from '../../routes/requests/detail.js'
import { html, type Html } from '../html.js'
import { PAGE_SIZE } from '../queries.js'
import { COLOR_NAMES, dot, emptyList, requestItem, urgencyTag, type RowContext } from './common.js'

type Query = Record<string, string | undefined>

const option = (value: string, label: string, selected: string | undefined) => html`<option value="${value}" ${selected === value ? 'selected' : ''}>${label}</option>`

export function requestListBody(p: { rows: ServiceRequest[]; total: number; page: number; query: Query; community: CommunitySnapshot; row: RowContext; secretary: boolean }): Html {
  const q = p.query
  const pages = Math.max(1, Math.ceil(p.total / PAGE_SIZE))
  const link = (page: number) => `/console/requests?${new URLSearchParams({ ...Object.fromEntries(Object.entries(q).filter(([, v]) => v)), page: String(page) } as Record<string, string>)}`
  return html`
<form class="card filters" method="get" action="/console/requests">
  <div class="wide"><label for="q">搜索</label><input id="q" name="q" type="search" placeholder="工单号或内容关键词" value="${q.q ?? ''}"></div>
  <div><label for="status">状态</label><select id="status" name="status"><option value="">全部</option>${REQUEST_STATUSES.map((s) => option(s, STATUS_NAMES[s], q.status))}</select></div>
  <div><label for="category">类别</label><select id="category" name="category"><option value="">全部</option>${CATEGORIES.map((c) => option(c, CATEGORY_NAMES[c], q.category))}</select></div>
  <div><label for="urgency">紧急程度</label><select id="urgency" name="urgency"><option value="">全部</option>${URGENCIES.map((u) => option(u, URGENCY_NAMES[u], q.urgency))}</select></div>
  <div><label for="grid">网格</label><select id="grid" name="grid"><option value="">全部</option>${p.community.grids.map((g) => option(String(g.id), g.name, q.grid))}</select></div>
  <div><label for="building">楼栋</label><select id="building" name="building"><option value="">全部</option>${[...p.community.buildings].sort((a, b) => codeOrder(a.code, b.code)).map((b) => option(b.code, `${b.code}号楼`, q.building))}</select></div>
  <div><label for="color">时限</label><select id="color" name="color"><option value="">全部</option>${(['red', 'yellow', 'green'] as const).map((c) => option(c, COLOR_NAMES[c], q.color))}</select></div>
  <div><label for="from">上报自</label><input id="from" type="date" name="from" value="${q.from ?? ''}"></div>
  <div><label for="to">上报至</label><input id="to" type="date" name="to" value="${q.to ?? ''}"></div>
  <div class="actions"><button class="primary" type="submit">筛选</button><a class="btn" href="/console/requests">清除</a>${p.secretary ? html`<a class="btn" href="/api/requests.csv${q.from || q.to ? `?${new URLSearchParams(Object.entries({ from: q.from, to: q.to }).filter(([, v]) => v) as [string, string][])}` : ''}" download>导出 CSV</a>` : ''}</div>
</form>
<section class="card">
  <p class="meta" data-total="${p.total}">共 ${p.total} 条</p>
  ${p.rows.length ? html`<ul class="list">${p.rows.map((r) => requestItem(r, p.row))}</ul>` : emptyList('没有符合条件的工单')}
  ${pages > 1 ? html`<div class="pager">${p.page > 1 ? html`<a class="btn" href="${link(p.page - 1)}">上一页</a>` : html`<span></span>`}<span class="meta">第 ${p.page}/${pages} 页</span>${p.page < pages ? html`<a class="btn" href="${link(p.page + 1)}">下一页</a>` : html`<span></span>`}</div>` : ''}
</section>`
}

type Detail = Awaited<ReturnType<typeof requestDetail>>

/** The actions this staff member may take now: the policy (as the API applies it) and the state machine decide. */
function actions(r: ServiceRequest, staff: Staff, c: CommunitySnapshot, grids: number[], mergeTargets: { id: number; no: string; text: string }[]): Html[] {
  const out: Html[] = []
  const id = r.id
  // 签收, 办结, 退单 are the assignee's own steps (the 书记 may take them only on what is assigned to her).
  const mine = r.assigneeStaffId === staff.id
  if (mine && can(staff, 'accept', r, grids) && canTransition(r.status, 'accept')) {
    out.push(html`<form class="action" data-api="/api/tasks/${id}/accept" data-done="已签收"><button class="primary" type="submit" data-action="accept">签收</button></form>`)
  }
  if (mine && can(staff, 'resolve', r, grids) && canTransition(r.status, 'resolve')) {
    out.push(html`<form class="action" data-api="/api/tasks/${id}/resolve" data-done="已办结，已通知居民">
  <h2>办结</h2>
  <label for="note">处理说明</label><textarea id="note" name="note" required maxlength="500" placeholder="例如：已更换楼道灯泡"></textarea>
  <label for="photos">现场照片（可选，最多9张）</label><input id="photos" type="file" accept="image/*" multiple>
  <button class="primary" type="submit" data-action="resolve">确认办结</button>
</form>`)
  }
  if (mine && can(staff, 'return', r, grids) && canTransition(r.status, 'return')) {
    out.push(html`<form class="action" data-api="/api/tasks/${id}/return" data-done="已退单">
  <h2>退单</h2>
  <label for="reason">原因</label><input id="reason" name="reason" required maxlength="200" placeholder="例如：不属于本网格">
  <button type="submit" data-action="return">退回书记</button>
</form>`)
  }
  const fresh = r.status === 'new' || r.status === 'returned'
  const transferAction = fresh ? 'dispatch' : 'transfer'
  if (can(staff, transferAction, r, grids) && canTransition(r.status, transferAction)) {
    const others = c.staff.filter((s) => s.active && s.id !== r.assigneeStaffId)
    out.push(html`<form class="action" data-api="/api/tasks/${id}/transfer" data-done="${fresh ? '已派单' : '已转派'}">
  <h2>${fresh ? '派单' : '转派'}</h2>
  <label for="to">交给</label><select id="to" name="staff" required>${others.map((s) => html`<option value="${s.name}">${s.name}</option>`)}</select>
  <button type="submit" data-action="transfer">${fresh ? '派单' : '转派'}</button>
</form>`)
  }
  if (can(staff, 'triage', r, grids) && !['merged', 'cancelled', 'closed'].includes(r.status)) {
    out.push(html`<form class="action" data-api="/api/triage/${id}" data-done="分类已更新">
  <h2>修改类别或紧急程度</h2>
  <div class="filters">
    <div><label for="cat">类别</label><select id="cat" name="category">${CATEGORIES.map((x) => option(x, CATEGORY_NAMES[x], r.category))}</select></div>
    <div><label for="urg">紧急程度</label><select id="urg" name="urgency">${URGENCIES.map((x) => option(x, URGENCY_NAMES[x], r.urgency))}</select></div>
  </div>
  <button type="submit" data-action="triage">保存</button>
</form>`)
  }
  if (can(staff, 'locate', r, grids) && OPEN_STATUSES.includes(r.status) && c.buildings.length) {
    // a wrong building sends the request to the wrong grid: corrected here, it follows the building's grid leader
    const buildings = [...c.buildings].sort((a, b) => codeOrder(a.code, b.code))
    const known = buildings.some((b) => b.code === r.building)
    out.push(html`<form class="action" data-api="/api/requests/${id}/location" data-done="位置已更新">
  <h2>修改位置</h2>
  <p class="meta">改到其他网格的楼栋时，工单转给该楼栋的网格员，时限不变。</p>
  <div class="filters">
    <div><label for="lb">楼栋</label><select id="lb" name="building" required>${known ? '' : html`<option value="" selected>${r.building ? `请选择（现为 ${r.building}）` : '请选择'}</option>`}${buildings.map((b) => option(b.code, `${b.code}号楼`, r.building ?? undefined))}</select></div>
    <div><label for="lu">单元</label><input id="lu" name="unit" maxlength="16" value="${r.unit ?? ''}"></div>
    <div><label for="lr">房号</label><input id="lr" name="room" maxlength="16" value="${r.roomNo ?? ''}"></div>
  </div>
  <button type="submit" data-action="locate">保存位置</button>
</form>`)
  }
  if (!['merged', 'cancelled'].includes(r.status)) {
    out.push(html`<form class="action" data-api="/api/requests/${id}/comments" data-done="已留言">
  <h2>给居民留言</h2>
  <p class="meta">反映人会在微信里收到这条留言，办理过程里也会记下。</p>
  <textarea name="text" rows="2" required maxlength="500" placeholder="例如：师傅明天上午到场，请家里留人"></textarea>
  <button type="submit" data-action="comment">发送留言</button>
</form>`)
  }
  if (mergeTargets.length && can(staff, 'merge', r, grids) && canTransition(r.status, 'merge')) {
    out.push(html`<form class="action" data-api="/api/requests/${id}/merge" data-done="已合并" data-confirm="确定把本工单合并到另一工单？">
  <h2>合并到其他工单</h2>
  <label for="into">并入</label><select id="into" name="into" required>${mergeTargets.map((t) => html`<option value="${t.id}">#${t.no} ${t.text.slice(0, 24)}</option>`)}</select>
  <label for="mreason">原因</label><input id="mreason" name="reason" required maxlength="200" placeholder="例如：同一问题重复反映">
  <button type="submit" data-action="merge">合并</button>
</form>`)
  }
  if (can(staff, 'cancel', r, grids) && canTransition(r.status, 'cancel')) {
    out.push(html`<form class="action" data-api="/api/requests/${id}/cancel" data-done="已撤销" data-confirm="确定撤销本工单？">
  <h2>撤销</h2>
  <label for="ckind">类型</label><select id="ckind" name="kind"><option value="invalid">无需处理（重复、已自行解决等）</option><option value="not_a_request">不是诉求（闲聊、通知、误报）</option></select>
  <label for="creason">原因</label><input id="creason" name="reason" required maxlength="200" placeholder="例如：居民已自行解决">
  <button type="submit" data-action="cancel">撤销工单</button>
</form>`)
  }
  return out
}

export function requestDetailBody(d: Detail, p: { staff: Staff; community: CommunitySnapshot; grids: number[]; tz: string; gridName: string | null; mergeTargets: { id: number; no: string; text: string }[] }): Html {
  const v = d.body.request
  const r = d.entity
  const task = 'reporterCount' in v ? (v as TaskView) : null
  const reporter = task?.reporter ?? null
  const count = task?.reporterCount ?? 1
  const available = actions(r, p.staff, p.community, p.grids, p.mergeTargets)
  return html`
<section class="card" data-request-no="${v.no}" data-status="${v.status}">
  <p>${dot(v.slaColor)}<b>#${v.no}</b> <span class="tag">${v.categoryName}</span>${urgencyTag(v.urgency)}<span class="tag" data-field="status">${v.statusName}</span></p>
  <p data-field="text">${v.text}</p>
  <dl class="kv">
    <dt>位置</dt><dd>${v.building ? `${v.building}号楼` : '未注明'}${v.unit ? `${v.unit}单元` : ''}${v.room ? `${v.room}室` : ''}</dd>
    <dt>网格</dt><dd>${p.gridName ?? '—'}</dd>
    <dt>负责人</dt><dd data-field="assignee">${v.assignee?.name ?? '未派单'}</dd>
    <dt>反映人</dt><dd>${reporter?.name ?? '—'}${count > 1 ? `（共 ${count} 人反映）` : ''}</dd>
    <dt>上报</dt><dd>${formatLocal(new Date(v.createdAt), p.tz)}</dd>
    <dt>签收时限</dt><dd>${v.deadlines.acceptBy ? formatLocal(new Date(v.deadlines.acceptBy), p.tz) : '—'}</dd>
    <dt>办结时限</dt><dd>${v.deadlines.resolveBy ? formatLocal(new Date(v.deadlines.resolveBy), p.tz) : '—'}</dd>
    ${task?.resolutionNote ? html`<dt>处理说明</dt><dd>${task.resolutionNote}</dd>` : ''}
    ${v.ratingName ? html`<dt>评价</dt><dd>${v.ratingName}</dd>` : ''}
  </dl>
</section>
${d.body.photos.length ? html`<section class="card"><h2>照片</h2><div class="photos">${d.body.photos.map((ph) => html`<a href="${ph.url}" target="_blank" rel="noopener"><img src="${ph.url}" alt="照片 ${ph.id}" loading="lazy"></a>`)}</div></section>` : ''}
${available.length ? html`<section class="card" data-actions>${available}</section>` : ''}
<section class="card"><h2>办理过程</h2><ol class="timeline">${d.body.timeline.map((e) => html`<li data-event="${e.type}"><b>${e.label}</b> <span class="meta">${formatLocal(new Date(e.at), p.tz)}</span>${e.note ? html`<br><span>${e.note}</span>` : ''}</li>`)}</ol></section>`
}
