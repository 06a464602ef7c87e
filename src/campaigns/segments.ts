// Segment audiences for campaigns. The segments module lives on its own branch; until it
// exports a contact-id selector, segment_ids are stored but contribute no contacts.
import type { sql } from 'kysely';

export function segmentAudienceSql(_workspaceId: number, _segmentId: number): ReturnType<typeof sql<{ contact_id: number }>> | null {
  return null;
}
