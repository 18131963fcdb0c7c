import { CATEGORY_NAMES, URGENCY_NAMES } from '../../../src/community/taxonomy.js'
import type { ServiceRequest } from '../../../src/db/entities/index.js'
import type { SlaColor } from '../../../src/jobs/sla.js'
import { maskPersonalText } from '../../../src/requests/privacy.js'
import { STATUS_NAMES } from '../../../src/requests/stateMachine.js'
import { formatLocal } from '../../../src/time.js'
import { html, type Html } from '../html.js'

export const COLOR_NAMES: Record<SlaColor, string> = { red: '已超时', yellow: '将超时', green: '正常' }

/** 0.857 → 85.7%; null → — */
export const pct = (rate: number | null | undefined) => (rate == null ? '—' : `${Math.round(rate * 1000) / 10}%`)

export const dot = (color: SlaColor) => html`<i class="dot ${color}" title="${COLOR_NAMES[color]}"></i>`

export const urgencyTag = (u: ServiceRequest['urgency']) => (u === 'normal' ? '' : html`<span class="tag ${u}">${URGENCY_NAMES[u]}</span>`)

export interface RowContext { tz: string; color: (r: ServiceRequest) => SlaColor; gridName: (id: number | null) => string | null; staffName: (id: number | null) => string | null }

/** A request as one line of a list: colour, number, words (phone and ID numbers masked), tags. */
export function requestItem(r: ServiceRequest, c: RowContext): Html {
  const grid = c.gridName(r.gridId)
  const who = c.staffName(r.assigneeStaffId)
  return html`<li><a class="item" href="/console/requests/${r.id}" data-request="${r.no}">
  ${dot(c.color(r))}
  <span class="main">
    <span class="title">#${r.no} ${maskPersonalText(r.originalText)}</span>
    <span class="meta"><span class="tag">${CATEGORY_NAMES[r.category]}</span>${urgencyTag(r.urgency)}<span class="tag">${STATUS_NAMES[r.status]}</span>${r.building ? html`${r.building}号楼 · ` : ''}${grid ? html`${grid} · ` : ''}${who ? html`${who} · ` : ''}${formatLocal(r.createdAt, c.tz)}</span>
  </span>
</a></li>`
}

export const emptyList = (text: string) => html`<p class="empty">${text}</p>`

export function notice(title: string, text: string, link?: { href: string; label: string }): Html {
  return html`<div class="notice"><h2>${title}</h2><p>${text}</p>${link ? html`<p><a class="btn primary" href="${link.href}">${link.label}</a></p>` : ''}</div>`
}

/**
 * Whether a person's WeChat is bound (staff, volunteers), and for an active one a one-time 认证 code to bind it or, on
 * a new phone, to re-bind it: shown once on the page, never stored readable (console.js shows the API's answer, no reload).
 */
export function bindCodeCell(p: { api: string; name: string; bound: boolean; active: boolean; timeZone: string }): Html {
  const state = p.bound ? '已认证' : '未认证'
  if (!p.active) return html`${state}`
  const confirm = p.bound ? html` data-confirm="为${p.name}发放新的认证码？用于换手机重新认证；旧码随即失效，已绑定的微信在用新码认证前照常使用。"` : ''
  return html`${state}<form class="inline" data-api="${p.api}" data-show-code data-tz="${p.timeZone}"${confirm}><button type="submit" data-action="bind-code">发放认证码</button></form><p class="code" role="status" data-code-result hidden></p>`
}
