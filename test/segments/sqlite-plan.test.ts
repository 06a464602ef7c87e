// SQLite query shape of segments with several relational conditions: the regression test for the
// cross-product probe (two AND-ed `c.id IN (…)` sets bound to id and rowid of contacts_ws_id_idx,
// |A| x |B| lookups: 5.8 s for one segment count at 500,000 contacts in bench/ui.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ingestEvents } from '../../src/events/index.js';
import { segmentContactIds, validateDefinition } from '../../src/segments/index.js';
import { useTestEnv } from '../helpers/context.js';
import { addList } from '../compliance/fixtures.js';

describe('segment SQL on SQLite', () => {
  let list: number;
  const env = useTestEnv('sqlite', { clock: new ManualClock(Date.UTC(2026, 0, 10)), app: false, tenants: { a: {} } });
  beforeAll(async () => {
    const batch = ['a', 'b', 'c', 'd'].flatMap((x, i) => [
      { type: 'identify' as const, email: `${x}@example.com`, attributes: { country: i % 2 ? 'FR' : 'DE' } },
      ...(i < 3 ? [{ type: 'track' as const, email: `${x}@example.com`, event: 'purchase', timestamp: '2026-01-09T00:00:00Z' }] : []),
    ]);
    expect((await ingestEvents(env.ctx, env.a.workspace.id, batch)).rejected).toEqual([]);
    const ids = (await env.ctx.db.selectFrom('contacts').select('id').where('email_lower', 'in', ['a@example.com', 'b@example.com', 'd@example.com']).execute()).map((r) => Number(r.id));
    list = await addList(env.ctx, env.a.workspace.id, 'Beta', ids);
  });

  const definition = () => validateDefinition({ version: 1, root: { all: [
    { list }, { attribute: 'country', op: 'eq', value: 'DE' }, { event: 'purchase', within_days: 30 }, { not: { tag: 'vip' } },
  ] } });

  it('prevents probing every pair of two contact sets: only the first set drives the lookup', async () => {
    const q = segmentContactIds(env.ctx, env.a.workspace.id, definition()).compile();
    const plan = env.ctx.dbHandle.sqlite!.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>;
    const contactsStep = plan.map((r) => r.detail).find((d) => /^(SEARCH|SCAN) c\b/.test(d));
    expect(contactsStep).toMatch(/id=\?/);
    expect(contactsStep).not.toMatch(/rowid=\?/);
  });

  it('still selects exactly the contacts every condition holds for', async () => {
    const rows = await segmentContactIds(env.ctx, env.a.workspace.id, definition()).execute();
    const emails = await env.ctx.db.selectFrom('contacts').select('email').where('id', 'in', rows.map((r) => r.id)).execute();
    expect(emails.map((r) => r.email)).toEqual(['a@example.com']);
  });
});
