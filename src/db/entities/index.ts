import { Building, ChatRoom, Community, Grid, Staff } from './community.js'
import { ClassificationCorrection } from './correction.js'
import { Digest, InboxMessage, JobState, OutboxMessage } from './messaging.js'
import { Attachment, RequestEvent, RequestReporter, ServiceRequest } from './request.js'
import { Resident } from './resident.js'

export * from './community.js'
export * from './correction.js'
export * from './messaging.js'
export * from './request.js'
export * from './resident.js'

export const ENTITIES = [
  Community, Grid, Building, Staff, ChatRoom, Resident,
  ServiceRequest, RequestReporter, RequestEvent, Attachment,
  OutboxMessage, InboxMessage, JobState, Digest, ClassificationCorrection,
]
