import { foldText } from './matchers.js'

export interface VisitCommand { name: string; note: string | null }

const VISIT = /^(?:走访|探访|入户)\s*([^\s,，:：。]+)(?:[\s,，:：。]+([\s\S]*))?$/

/** `走访 张奶奶 血压正常，想找人代买降压药` → { name: 张奶奶, note: 血压正常，想找人代买降压药 }; null if not one. */
export function parseVisitCommand(raw: string): VisitCommand | null {
  const m = VISIT.exec(foldText(raw))
  if (!m) return null
  return { name: m[1]!, note: m[2]?.trim() || null }
}

/** "一切正常" and the like: the visit is recorded, nothing goes to intake. */
export function isAllWell(note: string | null): boolean {
  if (!note) return true
  return /^(?:一切(?:正常|安好|都好)|(?:身体|情况|状态)?(?:正常|良好|挺好|很好|都好|稳定|无异常)|无异常|没什么事|无事|无)[。.!！~～]*$/.test(note.trim())
}
