// npm run bot: the WeChat bot alone (no HTTP API, no scheduled jobs), on the configured database.
// The puppet comes from WECHATY_PUPPET (default wechaty-puppet-wechat4u, whose login QR code is printed here);
// WECHATY_PUPPET_SERVICE_TOKEN is read by wechaty-puppet-service itself.
import { startBot } from '../../bot/runtime.js'
import { createClassifier } from '../../src/intake/classifierFactory.js'
import { boot, exitOnStartupError, onShutdown } from '../boot.js'

async function main() {
  const ctx = await boot()
  const bot = await startBot(ctx, { classifier: createClassifier(ctx.config, ctx.logger) })
  ctx.logger.info({ puppet: bot.status().puppet }, 'bot started (npm run bot)')
  onShutdown(ctx, () => bot.stop())
}

main().catch(exitOnStartupError)
