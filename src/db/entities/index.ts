import { CareResident, CareVisit, CareVisitEvent } from './care.js'
import { Building, ChatRoom, Community, Grid, Staff } from './community.js'
import { ConsoleLoginLink, ConsoleSession } from './console.js'
import { ChatPrompt, RoomNotice } from './conversation.js'
import { ClassificationCorrection } from './correction.js'
import { Digest, InboxMessage, JobState, OutboxMessage, RateLimitHit } from './messaging.js'
import { Attachment, RequestEvent, RequestReporter, ServiceRequest } from './request.js'
import { GovernanceTopic, ProblemCluster, TopicRequest } from './proactive.js'
import { Resident } from './resident.js'
import { PointsAccount, PointsEntry, Volunteer, VolunteerTask, VolunteerTaskEvent } from './volunteer.js'

export * from './care.js'
export * from './community.js'
export * from './console.js'
export * from './conversation.js'
export * from './correction.js'
export * from './messaging.js'
export * from './request.js'
export * from './proactive.js'
export * from './resident.js'
export * from './volunteer.js'

export const ENTITIES = [
  Community, Grid, Building, Staff, ChatRoom, Resident,
  ServiceRequest, RequestReporter, RequestEvent, Attachment,
  OutboxMessage, InboxMessage, JobState, Digest, RateLimitHit, ClassificationCorrection,
  ChatPrompt, RoomNotice,
  CareResident, CareVisit, CareVisitEvent, ProblemCluster, GovernanceTopic, TopicRequest,
  ConsoleLoginLink, ConsoleSession,
  Volunteer, VolunteerTask, VolunteerTaskEvent, PointsAccount, PointsEntry,
]
