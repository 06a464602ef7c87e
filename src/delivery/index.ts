// Delivery engine surface: the worker, the ledger, MIME/DKIM, routes and VERP mapping.
export { DeliveryWorker, MISSED_SCHEDULE_GRACE_MS, type WorkerOptions } from './worker.js';
export { CampaignRunner, type RunResult } from './runner.js';
export { ledgerCounts, snapshotAudience, claimBatch, type LedgerCounts } from './ledger.js';
export { buildMessage, assertAddress, assertHeaderSafe, newMessageId, toRaw } from './mime.js';
export { dkimSign, SIGNED_HEADERS, type DkimKey } from './dkim.js';
export { classifyError, retryDelayMs, DEFAULT_MAX_DEFER_AGE_MS, type SendResult, type Outcome } from './classify.js';
export { deliveryIdFromReturnPath, deliveryIdFromVerp, verpToken } from './verp.js';
export { routesFor } from './routes.js';
export { defaultRoutes, singleRoute, type Route, type RouteRegistry, type Transport, type OutgoingMessage } from './transports/index.js';
export { createSmtpTransport } from './transports/smtp.js';
export { createCaptureTransport } from './transports/capture.js';
