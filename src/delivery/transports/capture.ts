// The capture route: the default when no SMTP route is configured. Messages are stored in
// `captured_messages` so a first-run user sees exactly what would have been sent (the outbox).
import type { AppContext } from '../../context.js';
import { sentResult, type SendResult } from '../classify.js';
import type { OutgoingMessage, Transport } from './types.js';

export function createCaptureTransport(ctx: AppContext): Transport {
  return {
    name: 'capture',
    async send(m: OutgoingMessage): Promise<SendResult> {
      await ctx.db.insertInto('captured_messages').values({
        workspace_id: m.workspaceId,
        campaign_id: m.campaignId,
        delivery_id: m.deliveryId,
        envelope_from: m.envelopeFrom,
        envelope_to: m.envelopeTo,
        subject: m.subject.slice(0, 1000),
        raw: m.raw,
        created_at: ctx.clock.now(),
      }).execute();
      return sentResult('250 2.0.0 captured');
    },
    async close() {},
  };
}
