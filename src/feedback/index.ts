// Feedback domain: classification of bounces, complaints and auto-replies (pure) and, on top of it,
// the effects on the ledger, contacts, suppressions and the reputation circuit breaker.
export { classifyFeedback } from './classify.js';
export { isHardBounce } from './reasons.js';
export { REASONS } from './types.js';
export type { FeedbackKind, FeedbackResult, Reason, RecipientResult } from './types.js';
