import type { EntityManager } from 'typeorm'
import { Between, In } from 'typeorm'
import { CareResident, CareVisit, Grid } from '../db/entities/index.js'

export interface CareFigures {
  /** visits that fell due in the period, and visits done in it, by grid */
  visitsByGrid: { gridId: number | null; grid: string; due: number; done: number; doneOnTime: number }[]
  rosterSize: number
  /** active roster residents whose visit is past due: not seen or heard from for their grade's interval */
  notSeen: number
  /** of those, escalated to the 书记 */
  escalated: number
}

/**
 * 走访 figures for [from, to): computed here once for the digest, the console and the API.
 * Counts only: no roster details leave this function.
 */
export async function careFigures(em: EntityManager, p: { communityId: number; from: Date; to: Date }): Promise<CareFigures> {
  const grids = await em.find(Grid, { where: { communityId: p.communityId }, order: { id: 'ASC' } })
  const due = await em.find(CareVisit, { where: { communityId: p.communityId, dueAt: Between(p.from, new Date(p.to.getTime() - 1)), status: In(['scheduled', 'overdue', 'escalated', 'done']) }, select: { id: true, gridId: true } })
  const done = await em.find(CareVisit, { where: { communityId: p.communityId, status: 'done', doneAt: Between(p.from, new Date(p.to.getTime() - 1)) }, select: { id: true, gridId: true, dueAt: true, doneAt: true } })
  const row = (gridId: number | null, grid: string) => ({
    gridId, grid,
    due: due.filter((v) => v.gridId === gridId).length,
    done: done.filter((v) => v.gridId === gridId).length,
    doneOnTime: done.filter((v) => v.gridId === gridId && v.doneAt!.getTime() <= v.dueAt.getTime()).length,
  })
  const visitsByGrid = grids.map((g) => row(g.id, g.name))
  if (due.some((v) => v.gridId === null) || done.some((v) => v.gridId === null)) visitsByGrid.push(row(null, '未分网格'))
  const active = await em.find(CareResident, { where: { communityId: p.communityId, active: true }, select: { id: true } })
  const late = active.length ? await em.find(CareVisit, { where: { careResidentId: In(active.map((a) => a.id)), status: In(['overdue', 'escalated']) }, select: { id: true, status: true } }) : []
  return { visitsByGrid, rosterSize: active.length, notSeen: late.length, escalated: late.filter((v) => v.status === 'escalated').length }
}

export function careDigestLines(f: CareFigures): string[] {
  if (!f.rosterSize && !f.visitsByGrid.some((g) => g.due || g.done)) return []
  const lines = [`【关爱走访】关爱对象 ${f.rosterSize} 人；超期未见 ${f.notSeen} 人${f.escalated ? `（其中 ${f.escalated} 人已上报书记）` : ''}。`]
  for (const g of f.visitsByGrid.filter((x) => x.due || x.done)) lines.push(`· ${g.grid}：应走访 ${g.due} 次，已走访 ${g.done} 次（按时 ${g.doneOnTime} 次）`)
  return lines
}
