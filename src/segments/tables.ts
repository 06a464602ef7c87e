// Row types of the events/segments tables (added to DB in src/db/types.ts).
import type { Generated } from 'kysely';

export interface SegmentsTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  definition: unknown; // SegmentDefinition as JSON
  created_at: number;
  updated_at: number;
}

export interface AnonymousIdsTable {
  workspace_id: number;
  anonymous_id: string;
  contact_id: number;
  created_at: number;
  updated_at: number;
}
