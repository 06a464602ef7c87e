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

  it('says unsubscribe by email is off and bounces are not received when no bounce domain is set', async () => {
    const body = (await env.app.inject({ url: '/api/v1/settings/delivery', headers: env.a.auth })).json();
    expect(body.unsubscribe_mailto).toBeNull();
    expect(body.warnings).toEqual([expect.stringMatching(/no unsubscribe by email/), expect.stringMatching(/Bounces are not processed/)]);
  });

  it('prevents roles without settings:read from reading the delivery setup', async () => {
    const marketer = await keyWithRole(env.ctx, env.a.workspace.id, 'marketer');
    expect((await env.app.inject({ url: '/api/v1/settings/delivery', headers: marketer })).statusCode).toBe(403);
  });
});

describeEachDb('GET /settings/delivery (bounce domain)', (dialect) => {
  const env = useTestEnv(dialect, { config: { bounceDomain: 'bounces.example.com' }, tenants: { a: {} } });
  it('names the unsubscribe mailto at the bounce domain and warns about nothing', async () => {
    const body = (await env.app.inject({ url: '/api/v1/settings/delivery', headers: env.a.auth })).json();
    expect(body).toMatchObject({ bounce_domain: 'bounces.example.com', unsubscribe_mailto: 'unsubscribe@bounces.example.com', warnings: [] });
  });
});

describeEachDb('GET /settings/delivery (IMAP mailbox, no bounce domain)', (dialect) => {
  const env = useTestEnv(dialect, { config: { feedbackImapUrl: 'imaps://u:p@imap.example.com/INBOX' }, tenants: { a: {} } });
  it('still leaves the mailto out (nothing says unsubscribe@ the From domain reaches the mailbox) but bounces are received', async () => {
    const body = (await env.app.inject({ url: '/api/v1/settings/delivery', headers: env.a.auth })).json();
    expect(body.unsubscribe_mailto).toBeNull();
    expect(body.warnings).toEqual([expect.stringMatching(/no unsubscribe by email/)]);
  });
});

describeEachDb('GET /settings/delivery (capture)', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: {} } });
  it('reports the capture outbox when no SMTP relay is configured', async () => {
    const body = (await env.app.inject({ url: '/api/v1/settings/delivery', headers: env.a.auth })).json();
    expect(body.route).toMatchObject({ kind: 'capture', host: null, port: null });
  });
});
