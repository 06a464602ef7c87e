// Behavioural events: ingestion (track/identify) and per-contact timelines. Delivery, tracking and
// feedback write their own events into the same table; segments read them all.
export { ingestEvents, type IngestResult } from './ingest.js';
export { contactTimeline, type TimelineEvent } from './timeline.js';
export { RESERVED_EVENT_NAMES, LIMITS as EVENT_LIMITS } from './validate.js';
