import type { Contact, Wechaty } from 'wechaty'
import type { OutboxMessage } from '../src/db/entities/index.js'
import { PermanentSendError, type OutboundSender, type Senders } from '../src/outbox/worker.js'
import { maskPersonalText } from '../src/requests/privacy.js'

/** A WeChat openid (28 characters, starts with "o"): an account key that has no place in a group. */
const OPENID = /(?<![A-Za-z0-9_-])o(?=[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-]))(?=[a-z_-]*[A-Z0-9])[A-Za-z0-9_-]{27}/g

/**
 * The last check before anything is said in a group: phone, ID-card and landline numbers are masked
 * (138****5678) and openids removed, whoever composed the text.
 */
export function groupSafeText(text: string): string {
  return maskPersonalText(text).replace(OPENID, '[已隐藏]')
}

/** The bot that is currently logged in, or null (sends then fail and are retried with backoff). */
export type CurrentBot = () => Wechaty | null

function loggedIn(currentBot: CurrentBot): Wechaty {
  const bot = currentBot()
  if (!bot || !bot.isLoggedIn) throw new Error('wechat_not_logged_in')
  return bot
}

/** wechat_room: finds the room by topic and says the text, @-mentioning the named members. */
export class WechatyRoomSender implements OutboundSender {
  constructor(private readonly currentBot: CurrentBot) {}
  async send(m: OutboxMessage): Promise<void> {
    const bot = loggedIn(this.currentBot)
    const room = await bot.Room.find({ topic: m.target })
    if (!room) throw new PermanentSendError(`room_not_found: ${m.target}`)
    const found: Contact[] = []
    const missing: string[] = []
    for (const name of m.mentions ?? []) {
      // A nickname with a phone number in it (common for shops) is named masked, without a real @.
      if (groupSafeText(name) !== name) { missing.push(name); continue }
      const member = await room.member({ name }).catch(() => undefined)
      if (member) found.push(member)
      else missing.push(name)
    }
    // Someone not (or no longer) in the room is still addressed by name.
    const text = missing.length ? `${missing.map((n) => `@${n}`).join(' ')} ${m.text}` : m.text
    await room.say(groupSafeText(text), ...found)
  }
}

/**
 * wechat_dm: the contact named in the payload (the sender being answered, a bound staff member: by contact id,
 * then by the bot's remark for them), else by WeChat name (or alias), and says the text.
 */
export class WechatyDirectSender implements OutboundSender {
  constructor(private readonly currentBot: CurrentBot) {}
  async send(m: OutboxMessage): Promise<void> {
    const bot = loggedIn(this.currentBot)
    const contactId = typeof m.payload?.contactId === 'string' ? m.payload.contactId : null
    const remark = typeof m.payload?.remark === 'string' ? m.payload.remark : null
    const contact = (contactId ? await bot.Contact.find({ id: contactId }).catch(() => undefined) : undefined)
      ?? (remark ? await bot.Contact.find({ alias: remark }).catch(() => undefined) : undefined)
      ?? (await bot.Contact.find({ name: m.target })) ?? (await bot.Contact.find({ alias: m.target }))
    if (!contact) throw new PermanentSendError(`contact_not_found: ${m.target}`)
    await contact.say(m.text)
  }
}

/** wechat_remark: gives a contact (by id) the bot's remark for them, so a bound staff member is known again after ids change. */
export class WechatyRemarkSender implements OutboundSender {
  constructor(private readonly currentBot: CurrentBot) {}
  async send(m: OutboxMessage): Promise<void> {
    const bot = loggedIn(this.currentBot)
    const contact = await bot.Contact.find({ id: m.target })
    if (!contact) throw new PermanentSendError(`contact_not_found: ${m.target}`)
    await contact.alias(m.text)
  }
}

export function wechatySenders(currentBot: CurrentBot): Senders {
  return { wechat_room: new WechatyRoomSender(currentBot), wechat_dm: new WechatyDirectSender(currentBot), wechat_remark: new WechatyRemarkSender(currentBot) }
}
