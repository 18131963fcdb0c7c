import type { DataSource } from 'typeorm'
import type { Config } from '../../src/config.js'
import { CATEGORY_NAMES } from '../../src/community/taxonomy.js'
import { Community, ServiceRequest, type OutboxMessage } from '../../src/db/entities/index.js'
import { PermanentSendError, type OutboundSender } from '../../src/outbox/worker.js'
import { STATUS_NAMES } from '../../src/requests/stateMachine.js'
import { formatLocalIso } from '../../src/time.js'
import { WechatApiError, type WechatClient } from '../auth/wechat.js'

/**
 * WeChat errcodes that retrying will not fix: 43101 the user refused (or used up) the subscription,
 * 40003 bad openid, 40037 bad template id, 47003 template data rejected, 41030 bad page.
 */
const PERMANENT_ERRCODES = new Set([43101, 40003, 40037, 47003, 41030])

export type TemplateKind = 'status' | 'callback'
export type TemplateSource = 'no' | 'status' | 'category' | 'text' | 'time'

/** "character_string1=no,phrase2=status" → [["character_string1","no"], ["phrase2","status"]] */
export function parseFieldMap(spec: string): [string, TemplateSource][] {
  return spec.split(',').map((pair) => pair.split('=') as [string, string])
    .filter((p): p is [string, TemplateSource] => ['no', 'status', 'category', 'text', 'time'].includes(p[1]))
}

/** Subscribe-message value limits by field type (WeChat rejects longer values with 47003). */
const LIMITS: [RegExp, number][] = [[/^thing\d+$/, 20], [/^phrase\d+$/, 5], [/^name\d+$/, 10], [/^character_string\d+$/, 32], [/^number\d+$/, 32], [/^letter\d+$/, 32]]

export function fitValue(field: string, value: string): string {
  const limit = LIMITS.find(([re]) => re.test(field))?.[1]
  let v = value.replace(/\s+/g, ' ').trim()
  if (/^character_string\d+$/.test(field)) v = v.replace(/[^\x21-\x7e]/g, '')
  if (/^phrase\d+$/.test(field)) v = v.replace(/[^\u4e00-\u9fa5]/g, '')
  const chars = [...v]
  if (limit && chars.length > limit) v = `${chars.slice(0, limit - 1).join('')}…`
  return v || '-'
}

/**
 * Sends outbox rows of channel `mp_subscribe` as mini-program subscribe messages:
 * target = the resident's openid; payload.template = 'callback' for 回访 questions, else a status update.
 * Template ids (WECHAT_TEMPLATE_STATUS / _CALLBACK) and their field mapping (…_FIELDS) come from config.
 */
export class SubscribeMessageSender implements OutboundSender {
  constructor(private readonly o: { wechat: WechatClient; db: DataSource; config: Config }) {}

  async send(m: OutboxMessage): Promise<void> {
    const kind: TemplateKind = m.payload?.template === 'callback' ? 'callback' : 'status'
    const { config } = this.o
    const templateId = kind === 'callback' ? config.WECHAT_TEMPLATE_CALLBACK : config.WECHAT_TEMPLATE_STATUS
    if (!templateId) throw new PermanentSendError(`no subscribe-message template configured for ${kind} (WECHAT_TEMPLATE_${kind.toUpperCase()})`)
    if (!this.o.wechat.configured) throw new PermanentSendError('WECHAT_APPID / WECHAT_SECRET not configured')
    const request = m.requestId != null ? await this.o.db.getRepository(ServiceRequest).findOne({ where: { id: m.requestId } }) : null
    const community = request ? await this.o.db.getRepository(Community).findOne({ where: { id: request.communityId }, select: { id: true, timezone: true } }) : null
    const values: Record<TemplateSource, string> = {
      no: request?.no ?? '-',
      status: request ? STATUS_NAMES[request.status] : '通知',
      category: request ? CATEGORY_NAMES[request.category] : '-',
      text: m.text,
      time: formatLocalIso(m.createdAt, community?.timezone ?? 'Asia/Shanghai'),
    }
    const fields = parseFieldMap(kind === 'callback' ? config.WECHAT_TEMPLATE_CALLBACK_FIELDS : config.WECHAT_TEMPLATE_STATUS_FIELDS)
    const data = Object.fromEntries(fields.map(([field, source]) => [field, { value: fitValue(field, values[source]) }]))
    try {
      await this.o.wechat.sendSubscribeMessage({
        touser: m.target, template_id: templateId, data, lang: 'zh_CN', miniprogram_state: config.WECHAT_MP_STATE,
        ...(request ? { page: `pages/request/detail?id=${request.id}` } : {}),
      })
    } catch (e) {
      if (e instanceof WechatApiError && PERMANENT_ERRCODES.has(e.errcode)) throw new PermanentSendError(`wechat errcode ${e.errcode}: ${String(e.details?.errmsg ?? '')}`)
      throw e
    }
  }
}
