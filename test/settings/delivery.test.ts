import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { createTenant, describeEachDb, keyWithRole, openTestContext, testApp, type TestContext, type Tenant } from '../helpers/context.js';

describeEachDb('GET /settings/delivery', (dialect) => {
  let ctx: TestContext;
  let app: App;
  let a: Tenant;
  beforeAll(async () => {
    ctx = await openTestContext(dialect, { config: { smtpUrl: 'smtp://relayuser:s3cret-pass@mail.example.com:2525' } });
    app = await testApp(ctx);
    a = await createTenant(ctx);
  });
  afterAll(async () => { await app.close(); await ctx.destroy(); });

  it('shows the SMTP route host and limits but never leaks the relay credentials', async () => {
    const res = await app.inject({ url: '/api/v1/settings/delivery', headers: a.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().route).toEqual({ name: 'smtp', kind: 'smtp', host: 'mail.example.com', port: 2525, secure: false, authenticated: true });
    expect(res.json().limits.concurrency).toBeGreaterThan(0);
    expect(res.body).not.toContain('s3cret-pass');
    expect(res.body).not.toContain('relayuser');
  });

  it('prevents roles without settings:read from reading the delivery setup', async () => {
    const marketer = await keyWithRole(ctx, a.workspace.id, 'marketer');
    expect((await app.inject({ url: '/api/v1/settings/delivery', headers: marketer })).statusCode).toBe(403);
  });
});

describeEachDb('GET /settings/delivery (capture)', (dialect) => {
  it('reports the capture outbox when no SMTP relay is configured', async () => {
    const ctx = await openTestContext(dialect);
    const app = await testApp(ctx);
    const a = await createTenant(ctx);
    const body = (await app.inject({ url: '/api/v1/settings/delivery', headers: a.auth })).json();
    expect(body.route).toMatchObject({ kind: 'capture', host: null, port: null });
    await app.close();
    await ctx.destroy();
  });
});
