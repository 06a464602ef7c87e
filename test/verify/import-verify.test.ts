import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fromJson } from '../../src/db/dialect.js';
import { createTenant, describeEachDb, useTestEnv, type Tenant } from '../helpers/context.js';
import { contactsOf, createList, postImport } from '../imports/helpers.js';

const CSV = [
  'email,first_name',
  'jane@acme-corp.com,Jane',
  'x1@mailinator.com,Disposable',
  'info@acme-corp.com,Role',
  'joe@gmial.com,Typo',
  'bob@acme-corp.com,Bob',
].join('\n') + '\n';

describeEachDb('verification at import (verify=reject|flag|accept)', (dialect) => {
  // Imports spool uploads under dataDir, as importTestContext (test/imports/helpers.ts) sets it up.
  const env = useTestEnv(dialect, { config: { dataDir: mkdtempSync(join(tmpdir(), 'postlane-imports-')) } });
  const run = async (verify: string | null): Promise<{ t: Tenant; job: NonNullable<Awaited<ReturnType<typeof postImport>>['job']> }> => {
    const t = await createTenant(env.ctx);
    const listId = await createList(env.ctx, t.workspace.id, 'main');
    const q: Record<string, string | number> = { list_id: listId };
    if (verify) q.verify = verify;
    const r = await postImport(env.app, env.ctx, t.workspace.id, t.auth, CSV, q);
    expect(r.status).toBe(202);
    return { t, job: r.job! };
  };

  it('reject: only deliverable rows are imported; the others are rejected with the verdict reason', async () => {
    const { t, job } = await run('reject');
    expect(job.result).toMatchObject({ imported: 2, invalid: 3, invalid_reasons: { risky_email: 3 } });
    expect((await contactsOf(env.ctx, t.workspace.id)).map((c) => c.email)).toEqual(['jane@acme-corp.com', 'bob@acme-corp.com']);
    expect(job.result!.rejections.map((r) => [r.line, r.reason])).toEqual([[3, 'risky_email'], [4, 'risky_email'], [5, 'risky_email']]);
    expect(job.result!.rejections[0]!.detail).toContain('disposable');
  });

  it('flag: every row is imported and non-deliverable ones carry the email_verdict attribute', async () => {
    const { t, job } = await run('flag');
    expect(job.result).toMatchObject({ imported: 5, invalid: 0 });
    const byEmail = Object.fromEntries((await contactsOf(env.ctx, t.workspace.id)).map((c) => [c.email, fromJson<Record<string, unknown>>(c.attributes, {})]));
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
    const t = await createTenant(env.ctx);
    const listId = await createList(env.ctx, t.workspace.id, 'main');
    expect((await postImport(env.app, env.ctx, t.workspace.id, t.auth, CSV, { list_id: listId, verify: 'maybe' })).status).toBe(400);
  });
});
