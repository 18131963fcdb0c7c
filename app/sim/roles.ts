const ROLE_NAMES: Record<string, string> = { secretary: '书记', grid_leader: '网格员', mediator: '调解员', social_worker: '社工' }

/** 王芳(第一网格 网格员), 孙丽(第一网格 副网格员): a deputy is shown as a deputy, not by the role column alone. */
export function staffRoleLabel(s: { id: number; role: string }, grids: { name: string; leader: number | null; deputy: number | null }[]): string {
  const leads = grids.filter((g) => Number(g.leader) === s.id).map((g) => `${g.name} 网格员`)
  const deputises = grids.filter((g) => Number(g.deputy) === s.id).map((g) => `${g.name} 副网格员`)
  const held = [...leads, ...deputises]
  return held.length ? held.join('，') : ROLE_NAMES[s.role] ?? s.role
}
