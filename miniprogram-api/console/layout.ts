import type { Staff } from '../../src/db/entities/index.js'
import { html, type Html } from './html.js'

export interface Nav { staff: Staff; active: string }

const SECRETARY_NAV = [
  ['dashboard', '/console/', '概览'], ['requests', '/console/requests', '工单'], ['triage', '/console/triage', '分诊'],
  ['tasks', '/console/tasks', '我的待办'], ['digests', '/console/digests', '周报'], ['volunteers', '/console/volunteers', '志愿'], ['community', '/console/community', '社区'], ['bot', '/console/bot', '机器人'],
] as const
const STAFF_NAV = [['tasks', '/console/tasks', '我的待办'], ['requests', '/console/requests', '工单']] as const

const ROLE_NAMES: Record<string, string> = { secretary: '书记', grid_leader: '网格员', mediator: '调解员', social_worker: '社工' }

/** The page shell: a top bar with the person and a scrollable tab bar (thumb-friendly at 375 px). */
export function page(title: string, body: Html, nav?: Nav, o: { scripts?: string[] } = {}): string {
  const items = nav ? (nav.staff.role === 'secretary' ? SECRETARY_NAV : STAFF_NAV) : []
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>${title} · 接诉工作台</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/console/">接诉工作台</a>
  ${nav ? html`<span class="who">${nav.staff.name}<small>${ROLE_NAMES[nav.staff.role] ?? nav.staff.role}</small></span>
  <button class="link" data-logout type="button">退出</button>` : ''}
</header>
${nav ? html`<nav class="tabs">${items.map(([key, href, label]) => html`<a href="${href}" class="${key === nav.active ? 'on' : ''}">${label}</a>`)}</nav>` : ''}
<main>
<h1>${title}</h1>
${body}
</main>
<div id="toast" role="status" aria-live="polite"></div>
<script src="/console/assets/console.js"></script>
${(o.scripts ?? []).map((s) => html`<script src="${s}"></script>`)}
</body>
</html>`.value
}
