// Segment audiences for campaigns: each saved segment compiles (src/segments) to a query of
// contact ids that the ledger snapshot unions with the list members, inside the database.
import type { AppContext } from '../context.js';
import { savedSegmentContactIds } from '../segments/index.js';
import type { AudienceSource } from '../delivery/ledger.js';

export async function segmentAudiences(ctx: AppContext, workspaceId: number, segmentIds: number[]): Promise<AudienceSource[]> {
  const out: AudienceSource[] = [];
  // getSegment inside throws not_found for a segment of another workspace or a deleted one.
  for (const id of segmentIds) out.push(await savedSegmentContactIds(ctx, workspaceId, id));
  return out;
}
