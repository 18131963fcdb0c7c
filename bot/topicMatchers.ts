import { foldText } from './matchers.js'

export type TopicCommand =
  | { kind: 'create'; clusterId: number; owner: string; due: { year: number | null; month: number; day: number } }
  | { kind: 'close'; topicId: number; note: string | null }
  | { kind: 'malformed'; usage: string }

export const TOPIC_USAGE = { create: '立项 问题号 负责人 期限，例如：立项 3 王芳 12月31日', close: '结项 项目号 说明，例如：结项 2 电梯已整体更换' }

const DATE = /^(?:(\d{4})[-/年.])?(\d{1,2})[-/月.](\d{1,2})日?$/
const CREATE = /^立项\s*#?(\d{1,10})(?:\s+(\S+)\s+(\S+))?\s*$/
const CLOSE = /^结项\s*#?(\d{1,10})(?:[\s,，:：]+([\s\S]*))?$/

/** `立项 3 王芳 12月31日` / `结项 2 说明` from the 书记; null when the text is neither. */
export function parseTopicCommand(raw: string): TopicCommand | null {
  const text = foldText(raw)
  let m = CREATE.exec(text)
  if (m) {
    const d = m[3] ? DATE.exec(m[3]) : null
    if (!m[2] || !d) return { kind: 'malformed', usage: TOPIC_USAGE.create }
    const month = Number(d[2]), day = Number(d[3])
    if (month < 1 || month > 12 || day < 1 || day > 31) return { kind: 'malformed', usage: TOPIC_USAGE.create }
    return { kind: 'create', clusterId: Number(m[1]), owner: m[2], due: { year: d[1] ? Number(d[1]) : null, month, day } }
  }
  if ((m = CLOSE.exec(text))) return { kind: 'close', topicId: Number(m[1]), note: m[2]?.trim() || null }
  if (/^(?:立项|结项)/.test(text)) return { kind: 'malformed', usage: text.startsWith('立项') ? TOPIC_USAGE.create : TOPIC_USAGE.close }
  return null
}
