import type { Category, Urgency } from '../../community/taxonomy.js'

/** What the intake pipeline gives a classifier. */
export interface ClassifierInput {
  text: string
  /** Group topic, 'private' or 'miniprogram' when known; helps with building hints such as 幸福里3号楼业主群. */
  room?: string | null
}

/** Location as residents write it, normalised: building "3", "12", "B"; unit "2"; room "301". */
export interface Location {
  building: string | null
  unit: string | null
  room: string | null
}

export type ClassifierMethod = 'offline' | 'llm'

export interface Classification {
  isRequest: boolean
  /** null when isRequest is false */
  category: Category | null
  /** null when isRequest is false */
  urgency: Urgency | null
  location: Location
  /** 0..1: how sure the classifier is of the request/category call; below the triage threshold goes to the 书记's triage queue */
  confidence: number
  method: ClassifierMethod
  /** Which model decided: the offline model file's version (e.g. `offline-3f2a…`) or `llm:<model>`. Recorded on the request. */
  version?: string
  /** Short machine-readable reasons (matched rules, model notes) for the event log and debugging. */
  reasons: string[]
}

export interface Classifier {
  readonly method: ClassifierMethod
  classify(input: ClassifierInput): Promise<Classification>
}

export const emptyLocation = (): Location => ({ building: null, unit: null, room: null })
