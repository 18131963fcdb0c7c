import type { CommunitySnapshot } from '../../../src/community/snapshot.js'
import { CATEGORIES, CATEGORY_NAMES, URGENCIES, URGENCY_NAMES } from '../../../src/community/taxonomy.js'
import type { Digest, ServiceRequest } from '../../../src/db/entities/index.js'
import type { SlaColor } from '../../../src/jobs/sla.js'
import { maskPersonalText } from '../../../src/requests/privacy.js'
import { formatLocal } from '../../../src/time.js'
import { codeOrder } from '../../presenters/admin.js'
import { html, type Html } from '../html.js'
import { bindCodeCell, COLOR_NAMES, dot, emptyList, requestItem, type RowContext } from './common.js'

/** 我的待办 by traffic light, red first. */
export function tasksBody(rows: ServiceRequest[], row: RowContext): Html {
  if (!rows.length) return html`<section class="card">${emptyList('您目前没有待办工单 👍')}</section>`
  return html`${(['red', 'yellow', 'green'] as SlaColor[]).map((color) => {
    const mine = rows.filter((r) => row.color(r) === color)
    return html`<section class="card" data-color-group="${color}"><h2>${dot(color)}${COLOR_NAMES[color]}（${mine.length}）</h2>${mine.length ? html`<ul class="list">${mine.map((r) => requestItem(r, row))}</ul>` : emptyList('无')}</section>`
  })}`
}

/** 分诊: each low-confidence request with one tap to confirm, or a corrected category / urgency. */
export function triageBody(rows: ServiceRequest[], row: RowContext): Html {
  if (!rows.length) return html`<section class="card">${emptyList('没有待分诊的工单')}</section>`
  return html`${rows.map((r) => html`<section class="card" data-triage="${r.no}">
  <p>${dot(row.color(r))}<a href="/console/requests/${r.id}"><b>#${r.no}</b></a> <span class="meta">${formatLocal(r.createdAt, row.tz)} · 置信度 ${Math.round(r.confidence * 100)}%</span></p>
  <p>${maskPersonalText(r.originalText)}</p>
  <form class="action" data-api="/api/triage/${r.id}" data-done="已确认">
    <div class="filters">
      <div><label>类别</label><select name="category">${CATEGORIES.map((c) => html`<option value="${c}" ${c === r.category ? 'selected' : ''}>${CATEGORY_NAMES[c]}</option>`)}</select></div>
      <div><label>紧急程度</label><select name="urgency">${URGENCIES.map((u) => html`<option value="${u}" ${u === r.urgency ? 'selected' : ''}>${URGENCY_NAMES[u]}</option>`)}</select></div>
    </div>
    <button class="primary" type="submit" data-action="confirm">确认分类</button>
  </form>
</section>`)}`
}

export function digestsBody(rows: Digest[], tz: string): Html {
  if (!rows.length) return html`<section class="card">${emptyList('还没有周报：每周一 08:00 生成上一周的周报')}</section>`
  return html`<section class="card"><ul class="list">${rows.map((d) => html`<li><a class="item" href="/digests/${d.id}" data-digest="${d.id}"><span class="main"><span class="title">${formatLocal(d.periodStart, tz)} – ${formatLocal(new Date(d.periodEnd.getTime() - 1), tz)}</span><span class="meta">${d.summary ?? d.text.split('\n')[1] ?? ''}</span></span></a></li>`)}</ul></section>`
}

const ROLE_NAMES: Record<string, string> = { secretary: '书记', grid_leader: '网格员', mediator: '调解员', social_worker: '社工' }

export function communityBody(c: CommunitySnapshot): Html {
  const name = (id: number | null) => c.staff.find((s) => s.id === id)?.name ?? '—'
  const gridName = (id: number | null) => c.grids.find((g) => g.id === id)?.name ?? '社区'
  return html`
<section class="card"><h2>网格</h2><div class="scroll"><table><thead><tr><th>网格</th><th>网格员</th><th>副网格员</th><th>楼栋</th></tr></thead>
<tbody>${c.grids.map((g) => html`<tr><td>${g.name}</td><td>${name(g.leaderStaffId)}</td><td>${name(g.deputyStaffId)}</td><td>${c.buildings.filter((b) => b.gridId === g.id).sort((a, b) => codeOrder(a.code, b.code)).map((b) => b.code).join('、')}</td></tr>`)}</tbody></table></div></section>
<section class="card"><h2>工作人员</h2><div class="scroll"><table><thead><tr><th>姓名</th><th>微信名</th><th>岗位</th><th>电话</th><th>微信认证</th><th>状态</th></tr></thead>
<tbody>${c.staff.map((s) => html`<tr data-staff="${s.name}"><td>${s.name}</td><td>${s.wechat}</td><td>${ROLE_NAMES[s.role] ?? s.role}</td><td>${s.phoneMasked ?? '—'}</td><td>${bindCodeCell({ api: `/api/admin/staff/${s.id}/bind-code`, name: s.name, bound: s.wechatContactId != null, active: s.active, timeZone: c.community.timezone })}</td><td>${s.active && s.role !== 'secretary'
    ? html`<form data-api="/api/admin/staff/${s.id}/deactivate" data-confirm="停用${s.name}？其手上的工单需要转派。" data-done="已停用"><button type="submit">停用</button></form>`
    : s.active ? '在岗' : '已停用'}</td></tr>`)}</tbody></table></div>
<form class="action" data-api="/api/admin/staff" data-done="已添加">
  <h2>添加工作人员</h2>
  <div class="filters">
    <div><label for="s-name">姓名</label><input id="s-name" name="name" required maxlength="64"></div>
    <div><label for="s-wechat">微信名</label><input id="s-wechat" name="wechat" required maxlength="64"></div>
    <div><label for="s-role">岗位</label><select id="s-role" name="role">${Object.entries(ROLE_NAMES).filter(([r]) => r !== 'secretary').map(([r, n]) => html`<option value="${r}">${n}</option>`)}</select></div>
    <div><label for="s-phone">电话</label><input id="s-phone" name="phone" inputmode="tel" maxlength="20"></div>
  </div>
  <button type="submit" data-action="add-staff">添加</button>
</form></section>
<section class="card"><h2>楼栋</h2><div class="scroll"><table><thead><tr><th>楼栋</th><th>所属网格</th></tr></thead>
<tbody>${[...c.buildings].sort((a, b) => codeOrder(a.code, b.code)).map((b) => html`<tr data-building="${b.code}"><td>${b.code}号楼</td><td><form class="inline" data-api="/api/admin/buildings/${b.id}" data-method="PATCH" data-done="已调整"><select name="gridId" aria-label="${b.code}号楼所属网格">${c.grids.map((g) => html`<option value="${g.id}" ${g.id === b.gridId ? 'selected' : ''}>${g.name}</option>`)}<option value="null" ${b.gridId == null ? 'selected' : ''}>社区（无网格）</option></select><button type="submit">保存</button></form></td></tr>`)}</tbody></table></div></section>
<section class="card"><h2>微信群</h2><div class="scroll"><table><thead><tr><th>群名</th><th>归属</th><th>机器人已识别</th></tr></thead>
<tbody>${c.rooms.map((r) => html`<tr><td>${r.topic}</td><td>${gridName(r.gridId)}</td><td>${r.wechatRoomId ? '是' : '否'}</td></tr>`)}</tbody></table></div></section>
<section class="card"><h2>导入社区配置（YAML）</h2>
<p class="meta">粘贴完整的社区配置文件。导入是幂等的；文件有误时逐行列出问题，不做任何修改。</p>
<form class="action" data-api="/api/admin/import" data-yaml data-done="导入成功">
  <textarea name="yaml" rows="10" spellcheck="false" placeholder="community: ${c.community.name}&#10;grids:&#10;  - name: 第一网格&#10;    leader: { name: 王芳, wechat: 王芳 }"></textarea>
  <ul class="problems" data-problems></ul>
  <button class="primary" type="submit" data-action="import">导入</button>
</form></section>`
}

export function botBody(status: Record<string, unknown>): Html {
  const state = String(status.state ?? 'unknown')
  const STATE_NAMES: Record<string, string> = { disabled: '未启用', starting: '启动中', waiting_for_scan: '等待扫码登录', logged_in: '已登录', logged_out: '已退出', error: '出错，正在重试' }
  const user = typeof status.user === 'string' ? status.user : null
  return html`<section class="card" data-bot-state="${state}">
  <dl class="kv"><dt>状态</dt><dd>${STATE_NAMES[state] ?? state}</dd>${user ? html`<dt>账号</dt><dd>${user}</dd>` : ''}${typeof status.lastError === 'string' ? html`<dt>原因</dt><dd class="error">${status.lastError}</dd>` : ''}</dl>
  ${state === 'waiting_for_scan' ? html`<p>请用机器人要使用的微信扫描下方二维码登录（扫码的人就成为机器人）：</p>${typeof status.qrcodeUrl === 'string' ? html`<img class="qr" src="${status.qrcodeUrl}" alt="登录二维码"><p><a href="${status.qrcodeUrl}" target="_blank" rel="noopener">二维码不显示？点此打开</a></p>` : ''}` : ''}
  <p><a class="btn" href="/console/bot">刷新</a></p>
</section>`
}
