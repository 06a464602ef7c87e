// Columns the delivery engine adds to existing tables (migration 0100).
export interface DeliveriesEngineColumns {
  first_attempt_at: number | null;
}
