import type { EntityManager } from 'typeorm'
import { careDigestLines, careFigures, type CareFigures } from '../care/figures.js'

export interface ProactiveFigures { care: CareFigures }

/**
 * The digest's 未诉先办 figures and their lines, computed by the same functions the console and API call.
 * Empty lines when a community uses none of it, so its digest reads as before.
 */
export async function proactiveDigest(em: EntityManager, p: { communityId: number; from: Date; to: Date; now: Date }): Promise<{ figures: ProactiveFigures; lines: string[] }> {
  const care = await careFigures(em, p)
  const lines = [...careDigestLines(care)]
  return { figures: { care }, lines: lines.length ? ['', ...lines] : [] }
}
