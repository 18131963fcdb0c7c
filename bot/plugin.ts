import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { types } from 'wechaty'
import type { Clock } from '../src/clock.js'
import type { Logger } from '../src/logger.js'
import { sniffImageType, type FileStorage } from '../src/storage/index.js'
import type { InboxMessage } from '../src/db/entities/index.js'
import type { ReceivedMessage } from '../src/inbox/inbox.js'
import { InboxProcessor, type ProcessorDeps } from './processor.js'

export type RequestIntakeConfig = ProcessorDeps & {
  /** Share one processor across Wechaty instances (restarts) or with a test. */
  processor?: InboxProcessor
}

export type RequestIntakePlugin = WechatyPlugin & { processor: InboxProcessor }

const KIND: Partial<Record<number, InboxMessage['kind']>> = {
  [types.Message.Text]: 'text',
  [types.Message.Image]: 'image',
  [types.Message.Audio]: 'voice',
}

const AUDIO_EXT: Record<string, string> = { 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/silk': 'silk', 'audio/amr': 'amr', 'audio/wav': 'wav', 'audio/ogg': 'ogg' }

/** wechat/2026-11/m123abc.jpg: a storage key that stays safe whatever the puppet's message ids look like. */
export function storageKeyFor(messageId: string, at: Date, ext: string): string {
  const id = messageId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100)
  const month = at.toISOString().slice(0, 7)
  return `wechat/${month}/m${id}.${ext.replace(/[^a-z0-9]/gi, '') || 'bin'}`
}

/** Reads what the bot needs from a Wechaty message; a photo or voice file is stored right away. */
export async function toReceived(message: Message, storage: FileStorage, clock: Clock, logger: Logger): Promise<ReceivedMessage> {
  const talker = message.talker()
  const room = message.room()
  const kind = KIND[message.type()] ?? 'other'
  const payload: Record<string, unknown> = { type: types.Message[message.type()] ?? message.type() }
  if (room) payload.mentionSelf = await message.mentionSelf().catch(() => false)
  // The bot's own remark for the sender: how a bound staff member is recognised when the puppet changes contact ids.
  const alias = await talker.alias().catch(() => undefined)
  if (alias) payload.alias = alias
  if (kind === 'image' || kind === 'voice') {
    try {
      const box = await message.toFileBox()
      const bytes = await box.toBuffer()
      const mime = kind === 'image' ? sniffImageType(bytes) ?? box.mediaType ?? 'application/octet-stream' : box.mediaType || 'audio/silk'
      const ext = kind === 'image' ? (mime.split('/')[1] ?? 'jpg').replace('jpeg', 'jpg') : AUDIO_EXT[mime] ?? (box.name.split('.').pop() || 'audio')
      const storageKey = storageKeyFor(message.id, clock.now(), ext)
      await storage.put(storageKey, bytes, { contentType: mime })
      payload.file = { storageKey, mime, size: bytes.length, name: box.name }
    } catch (err) {
      // Still kept in the inbox: the message was received even if its file could not be read.
      payload.fileError = err instanceof Error ? err.message : String(err)
      logger.warn({ messageId: message.id, err: payload.fileError }, 'could not download the message file')
    }
  }
  return {
    messageId: message.id,
    kind,
    roomTopic: room ? await room.topic() : null,
    roomId: room?.id ?? null,
    senderName: talker.name() || talker.id,
    senderId: talker.id,
    text: kind === 'text' ? message.text() : null,
    payload,
  }
}

/**
 * bot.use(RequestIntake(config)): every message lands in the inbox and is processed by the InboxProcessor.
 * The handler never throws: one bad message is logged and the bot keeps going.
 */
export function RequestIntake(config: RequestIntakeConfig): RequestIntakePlugin {
  let current: Wechaty | null = null
  const botNames = () => {
    const names = config.botNames?.() ?? []
    try {
      if (current?.isLoggedIn) names.push(current.currentUser.name())
    } catch { /* not logged in yet */ }
    return names
  }
  const processor = config.processor ?? new InboxProcessor({ ...config, botNames })
  const logger = config.ctx.logger

  const plugin = ((bot: Wechaty) => {
    current = bot
    const onMessage = async (message: Message) => {
      try {
        if (message.self()) return
        const received = await toReceived(message, config.storage, config.ctx.clock, logger)
        await processor.receive(received)
      } catch (err) {
        logger.error({ messageId: message.id, err: err instanceof Error ? err.message : String(err) }, 'message handler failed')
      }
    }
    bot.on('message', onMessage)
    return () => {
      bot.off('message', onMessage)
      if (current === bot) current = null
    }
  }) as RequestIntakePlugin
  plugin.processor = processor
  return plugin
}
