import { expect, it } from 'vitest';
import { describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

describeEachDb('GET /settings/delivery', (dialect) => {
  const env = useTestEnv(dialect, { config: { smtpUrl: 'smtp://relayuser:s3cret-pass@mail.example.com:2525' }, tenants: { a: {} } });

  it('shows the SMTP route host and limits but never leaks the relay credentials', async () => {
    const res = await env.app.inject({ url: '/api/v1/settings/delivery', headers: env.a.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().route).toEqual({ name: 'smtp', kind: 'smtp', host: 'mail.example.com', port: 2525, secure: false, authenticated: true });
    expect(res.json().limits.concurrency).toBeGreaterThan(0);
    expect(res.body).not.toContain('s3cret-pass');
    expect(res.body).not.toContain('relayuser');
  });

  it('prevents roles without settings:read from reading the delivery setup', async () => {
    const marketer = await keyWithRole(env.ctx, env.a.workspace.id, 'marketer');
    expect((await env.app.inject({ url: '/api/v1/settings/delivery', headers: marketer })).statusCode).toBe(403);
  });
});

describeEachDb('GET /settings/delivery (capture)', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: {} } });
  it('reports the capture outbox when no SMTP relay is configured', async () => {
    const body = (await env.app.inject({ url: '/api/v1/settings/delivery', headers: env.a.auth })).json();
    expect(body.route).toMatchObject({ kind: 'capture', host: null, port: null });
  });
});
