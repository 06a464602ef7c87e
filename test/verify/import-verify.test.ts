import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { fromJson } from '../../src/db/dialect.js';
import { createTenant, describeEachDb, testApp, type Tenant, type TestContext } from '../helpers/context.js';
import { contactsOf, createList, importTestContext, postImport } from '../imports/helpers.js';

const CSV = [
  'email,first_name',
  'jane@acme-corp.com,Jane',
  'x1@mailinator.com,Disposable',
  'info@acme-corp.com,Role',
  'joe@gmial.com,Typo',
  'bob@acme-corp.com,Bob',
].join('\n') + '\n';

describeEachDb('verification at import (verify=reject|flag|accept)', (dialect) => {
  let ctx: TestContext;
  let app: App;
  beforeAll(async () => {
    ctx = await importTestContext(dialect);
    app = await testApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await ctx.destroy();
  });
  const run = async (verify: string | null): Promise<{ t: Tenant; job: NonNullable<Awaited<ReturnType<typeof postImport>>['job']> }> => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'main');
    const q: Record<string, string | number> = { list_id: listId };
    if (verify) q.verify = verify;
    const r = await postImport(app, ctx, t.workspace.id, t.auth, CSV, q);
    expect(r.status).toBe(202);
    return { t, job: r.job! };
  };

  it('reject: only deliverable rows are imported; the others are rejected with the verdict reason', async () => {
    const { t, job } = await run('reject');
    expect(job.result).toMatchObject({ imported: 2, invalid: 3, invalid_reasons: { risky_email: 3 } });
    expect((await contactsOf(ctx, t.workspace.id)).map((c) => c.email)).toEqual(['jane@acme-corp.com', 'bob@acme-corp.com']);
    expect(job.result!.rejections.map((r) => [r.line, r.reason])).toEqual([[3, 'risky_email'], [4, 'risky_email'], [5, 'risky_email']]);
    expect(job.result!.rejections[0]!.detail).toContain('disposable');
  });

  it('flag: every row is imported and non-deliverable ones carry the email_verdict attribute', async () => {
    const { t, job } = await run('flag');
    expect(job.result).toMatchObject({ imported: 5, invalid: 0 });
    const byEmail = Object.fromEntries((await contactsOf(ctx, t.workspace.id)).map((c) => [c.email, fromJson<Record<string, unknown>>(c.attributes, {})]));
    expect(byEmail['x1@mailinator.com']).toEqual({ email_verdict: 'risky' });
    expect(byEmail['info@acme-corp.com']).toEqual({ email_verdict: 'risky' });
    expect(byEmail['jane@acme-corp.com']).toEqual({});
  });

  it('accept (the default): rows are imported without verification', async () => {
    const { job } = await run(null);
    expect(job.result).toMatchObject({ imported: 5, invalid: 0 });
    const { job: explicit } = await run('accept');
    expect(explicit.result).toMatchObject({ imported: 5, invalid: 0 });
  });

  it('refuses an unknown verify mode', async () => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'main');
    expect((await postImport(app, ctx, t.workspace.id, t.auth, CSV, { list_id: listId, verify: 'maybe' })).status).toBe(400);
  });
});
