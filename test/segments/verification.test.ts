// The verification node reads the verify cache (src/verify/store.ts) with the keys the verify module
// really writes: mixed-case addresses, IDN domains and feedback-created rows must all line up with
// the contact's email_lower, and a verdict in another workspace must never leak across.
import { beforeAll, expect, it } from 'vitest';
import { upsertContact } from '../../src/contacts/index.js';
import { segmentContactIds } from '../../src/segments/compile.js';
import { validateDefinition } from '../../src/segments/schema.js';
import { recordDeliveryOutcome } from '../../src/verify/store.js';
import { createTenant, describeEachDb, useTestEnv } from '../helpers/context.js';

describeEachDb('segment verification node', (dialect) => {
  let ws: number;
  let other: number;
  const ids: Record<string, number> = {};
  const env = useTestEnv(dialect, { app: false });
  beforeAll(async () => {
    ws = (await createTenant(env.ctx)).workspace.id;
    other = (await createTenant(env.ctx)).workspace.id;
    for (const email of ['Bounced@Example.com', 'ok@example.com', 'never@example.com', 'leak@example.com', 'user@bücher.example']) {
      ids[email] = Number((await upsertContact(env.ctx, ws, { email })).contact.id);
    }
    // Feedback writes the rows through the verify module's own key function.
    await recordDeliveryOutcome(env.ctx.db, ws, 'bounced@example.COM', 'hard_bounce', { now: env.ctx.clock.now() });
    await recordDeliveryOutcome(env.ctx.db, ws, 'ok@example.com', 'delivered', { now: env.ctx.clock.now() });
    await recordDeliveryOutcome(env.ctx.db, ws, 'user@bücher.example', 'hard_bounce', { now: env.ctx.clock.now() });
    // Same address bounced in another workspace only.
    await recordDeliveryOutcome(env.ctx.db, other, 'leak@example.com', 'hard_bounce', { now: env.ctx.clock.now() });
  });

  const members = async (root: unknown): Promise<number[]> => {
    const def = validateDefinition({ version: 1, root });
    const rows = await segmentContactIds(env.ctx, ws, def).orderBy('c.id').execute();
    return rows.map((r) => Number(r.id));
  };

  it('matches the cached verdict of the contact address, whatever its case or IDN form', async () => {
    expect(await members({ verification: 'undeliverable' })).toEqual([ids['Bounced@Example.com'], ids['user@bücher.example']]);
    expect(await members({ verification: 'deliverable' })).toEqual([ids['ok@example.com']]);
  });

  it('treats a contact never verified as unknown, and does not leak verdicts from another workspace', async () => {
    expect(await members({ verification: 'unknown' })).toEqual([ids['never@example.com'], ids['leak@example.com']]);
    expect(await members({ not: { verification: 'undeliverable' } })).toEqual([ids['ok@example.com'], ids['never@example.com'], ids['leak@example.com']]);
    expect(await members({ verification: 'risky' })).toEqual([]);
  });

  it('rejects an unknown verdict name with a 400', () => {
    expect(() => validateDefinition({ version: 1, root: { verification: 'valid' } })).toThrow(/invalid segment definition/);
    expect(() => validateDefinition({ version: 1, root: { verification: 'risky', extra: 1 } })).toThrow(/invalid segment definition/);
  });
});
