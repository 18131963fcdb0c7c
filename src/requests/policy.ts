import type { ServiceRequest, Staff } from '../db/entities/index.js'
import type { RequestAction } from './stateMachine.js'

export type StaffAction = Extract<RequestAction, 'accept' | 'resolve' | 'return' | 'transfer' | 'dispatch' | 'cancel' | 'merge'> | 'split' | 'locate' | 'triage' | 'view'

/** One-line rules: who may do what to a request. The 书记 may do everything in the community. */
export function can(staff: Staff, action: StaffAction, request: ServiceRequest, gridLeaderOf: number[] = []): boolean {
  if (!staff.active || staff.communityId !== request.communityId) return false
  if (staff.role === 'secretary') return true
  const isAssignee = request.assigneeStaffId === staff.id
  const ownsGrid = request.gridId != null && gridLeaderOf.includes(request.gridId)
  switch (action) {
    case 'accept': case 'resolve': case 'return': return isAssignee
    case 'transfer': return isAssignee || ownsGrid
    case 'view': return isAssignee || ownsGrid
    // Duplicates, multi-issue reports and a wrong place are fixed by whoever holds the request; cancelling is the 书记's.
    case 'merge': case 'split': case 'locate': return isAssignee || ownsGrid
    default: return false
  }
}

/** A resident may withdraw only what they reported themselves (not a report they joined as co-reporter). */
export const canWithdraw = (residentId: number, reporter: { residentId: number; role: string } | null) => reporter?.residentId === residentId && reporter.role === 'reporter'
