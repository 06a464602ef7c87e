// The one migration tree. Names sort in run order; each domain takes its own number range:
// 0001-0099 foundation, 0100 delivery, 0200 feedback, 0300 verify, 0400 events/segments.
import type { Migration } from 'kysely';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-delivery-events.js';
import * as m0010 from './0010-auth.js';
import * as m0020 from './0020-audience.js';
import * as m0110 from './0110-content.js';
import * as m0200 from './0200-feedback.js';
import * as m0030 from './0030-import-rejections.js';
import * as m0300 from './0300-verify.js';
import * as m0100 from './0100-delivery-engine.js';
import * as m0120 from './0120-deliveries-drop-lease-index.js';
import * as m0130 from './0130-deliveries-drop-verp-index.js';
import * as m0400 from './0400-events-segments.js';
import * as m0710 from './0710-reports.js';
import * as m0720 from './0720-campaign-ledger-order.js';
import * as m0050 from './0050-job-leases.js';

export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-delivery-events': m0002,
  '0010-auth': m0010,
  '0020-audience': m0020,
  '0110-content': m0110,
  '0200-feedback': m0200,
  '0030-import-rejections': m0030,
  '0300-verify': m0300,
  '0100-delivery-engine': m0100,
  '0120-deliveries-drop-lease-index': m0120,
  '0130-deliveries-drop-verp-index': m0130,
  '0400-events-segments': m0400,
  '0710-reports': m0710,
  '0720-campaign-ledger-order': m0720,
  '0050-job-leases': m0050,
};
