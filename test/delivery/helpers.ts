// Shared fixtures for delivery tests: seeded audiences, DKIM keys with a fake DNS, and a real
// smtp-server on 127.0.0.1:0 whose behaviour each test scripts.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AppContext } from '../../src/context.js';
import { toJson } from '../../src/db/dialect.js';
import { createCampaign, startCampaignSend } from '../../src/campaigns/index.js';

/**
 * Starts a campaign of `n` seeded contacts in a running Postlane and waits (bounded, polling) for
 * its background worker to finish it: the worker polls every second, so tests wait for the
 * condition, not for a fixed time. Returns the campaign id and its last status.
 */
export async function sendThroughRunningWorker(ctx: AppContext, workspaceId: number, n: number): Promise<{ campaignId: number; status: string }> {
  const { listId } = await seedAudience(ctx, workspaceId, n);
  const c = await createCampaign(ctx, workspaceId, { name: 'bg', subject: 'Hi', from_email: 'n@example.com', html: '<p>x</p>', list_ids: [listId] });
  await startCampaignSend(ctx, workspaceId, c.id);
  let status = 'sending';
  for (let i = 0; i < 200 && status !== 'finished'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await ctx.db.selectFrom('campaigns').select('status').where('id', '=', c.id).executeTakeFirstOrThrow()).status;
  }
  return { campaignId: c.id, status };
}

export async function seedAudience(ctx: AppContext, workspaceId: number, n: number, opts: { optIn?: 'single' | 'double'; membership?: string; prefix?: string } = {}): Promise<{ listId: number; contactIds: number[] }> {
  const now = ctx.clock.now();
  const list = await ctx.db.insertInto('lists').values({ workspace_id: workspaceId, name: `list-${Math.random().toString(36).slice(2, 8)}`, description: null, opt_in: opts.optIn ?? 'single', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const listId = Number(list.id);
  const contactIds: number[] = [];
  const prefix = opts.prefix ?? `u${listId}x`;
  for (let start = 0; start < n; start += 500) {
    const rows = Array.from({ length: Math.min(500, n - start) }, (_, j) => {
      const email = `${prefix}${start + j}@example.net`;
      return { workspace_id: workspaceId, email, email_lower: email, first_name: `Name${start + j}`, last_name: null, external_id: null, status: 'active', attributes: toJson({ city: 'Köln' }), timezone: null, tracking_consent: 1, created_at: now, updated_at: now };
    });
    const ids = await ctx.db.insertInto('contacts').values(rows).returning('id').execute();
    contactIds.push(...ids.map((r) => Number(r.id)));
  }
  for (let start = 0; start < contactIds.length; start += 500) {
    await ctx.db.insertInto('list_memberships').values(contactIds.slice(start, start + 500).map((cid) => ({
      workspace_id: workspaceId, list_id: listId, contact_id: cid, status: opts.membership ?? 'confirmed', created_at: now, confirmed_at: now, unsubscribed_at: null, updated_at: now,
    }))).execute();
  }
  return { listId, contactIds };
}

/** An RSA-2048 DKIM key written to a PEM file (config bootstrap key) plus its DNS TXT record. */
export function dkimFixture(domain = 'example.com', selector = 'pl1') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'postlane-dkim-'));
  const file = join(dir, 'dkim.pem');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const record = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === `${selector}._domainkey.${domain}`) return [[record]];
    throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  };
  return { config: { dkimDomain: domain, dkimSelector: selector, dkimKeyFile: file }, resolver };
}

export interface Received { from: string; to: string; raw: string }

export type Behaviour = {
  /** Return an SMTP error ({ code, message }) to reject this RCPT. */
  rcpt?: (to: string, session: SMTPServerSession) => { code: number; message: string } | 'drop' | null | void;
  /** After the data is read: 'ok', an error, or 'lost' (close without a reply, RFC 1047). */
  data?: (m: Received) => { code: number; message: string } | 'lost' | null | void | Promise<{ code: number; message: string } | 'lost' | null | void>;
};

export async function startSmtpServer(behaviour: Behaviour = {}): Promise<{ url: string; received: Received[]; close(): Promise<void>; behaviour: Behaviour }> {
  const received: Received[] = [];
  const state = { behaviour };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, session, cb) {
      const r = state.behaviour.rcpt?.(address.address, session);
      if (r === 'drop') {
        // Dropped connection mid-transaction: destroy every socket the server holds.
        for (const c of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) c._socket.destroy();
        return;
      }
      if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
      cb();
    },
    onData(stream: SMTPServerDataStream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const m = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo[0]?.address ?? '', raw: Buffer.concat(chunks).toString('utf8') };
        const r = await state.behaviour.data?.(m);
        if (r === 'lost') {
          // The message was fully received (it counts at the sink) but the reply never leaves.
          received.push(m);
          for (const c of (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections) c._socket.destroy();
          return;
        }
        if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
        received.push(m);
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    behaviour,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
