import { loadCommunity } from '../src/community/snapshot.js'
import type { InboxMessage, Staff } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError } from '../src/errors.js'
import { closeTopic, createTopicFromCluster } from '../src/proactive/topics.js'
import { formatLocal, localParts, zonedTime } from '../src/time.js'
import { dmReply, finish, type Handling, type Result } from './handling.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { enqueue } from '../src/outbox/outbox.js'
import type { TopicCommand } from './topicMatchers.js'

/** 23:59 local on the day named (this year, or next year once that day has passed). */
function dueDate(due: { year: number | null; month: number; day: number }, now: Date, tz: string): Date {
  const today = localParts(now, tz)
  let year = due.year ?? today.year
  if (due.year == null && (due.month < today.month || (due.month === today.month && due.day < today.day))) year++
  return zonedTime(tz, year, due.month, due.day, 23, 59)
}

/** 立项 / 结项 from the 书记 in private chat; the domain refuses anyone else. */
export async function topicCommand(h: Handling, row: InboxMessage, staff: Staff, cmd: TopicCommand): Promise<Result> {
  if (cmd.kind === 'malformed') return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, `格式不对。请这样写：${cmd.usage}`)] })
  const { db, clock } = h.ctx
  try {
    return await inTransaction(db, async (em) => {
      const tz = (await loadCommunity(em, staff.communityId)).community.timezone
      let text: string
      if (cmd.kind === 'create') {
        const topic = await createTopicFromCluster(em, clock, { clusterId: cmd.clusterId, actor: staff, owner: cmd.owner, dueAt: dueDate(cmd.due, clock.now(), tz) })
        text = `已立项：治理项目 #${topic.id} ${topic.title}，负责人 ${cmd.owner}，期限 ${formatLocal(topic.dueAt, tz)}。之后同类新工单会自动归入，进展见每周简报。`
      } else {
        const topic = await closeTopic(em, clock, { topicId: cmd.topicId, actor: staff, note: cmd.note })
        text = `治理项目 #${topic.id} ${topic.title} 已结项。`
      }
      await enqueue(em, clock, [dmReply(row, text)])
      await markProcessed(em, clock, row, null)
      return { outcome: 'command' as const }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, err.message)] })
  }
}
