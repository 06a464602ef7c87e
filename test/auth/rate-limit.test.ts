import { beforeAll, beforeEach, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS } from '../../src/auth/login-limit.js';
import { ManualClock } from '../../src/clock.js';
import { fromJson } from '../../src/db/dialect.js';
import { buildApp, type App } from '../../src/http/app.js';
import { addUser } from '../../src/users/index.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { createWorkspace } from '../../src/workspaces/index.js';

describeEachDb('login rate limiting', (dialect) => {
  const clock = new ManualClock();
  const PASSWORD = 'the right password';
  const env = useTestEnv(dialect, { clock });
  const attempt = (email: string, password: string, ip: string, on: App = env.app) =>
    on.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });

  beforeAll(async () => {
    const ws = await createWorkspace(env.ctx.db, clock, { name: 'Limits' });
    const owner = { workspaceId: ws.id, role: 'owner', actor: 'cli' };
    await addUser(env.ctx, owner, { email: 'victim@example.com', role: 'owner', password: PASSWORD });
  });
  beforeEach(async () => {
    clock.advance(60 * 60_000);
    await env.ctx.db.deleteFrom('login_failures').execute();
  });

  it('prevents password guessing on one account: 5 failures lock the email for 15 minutes, even from many IPs and with the right password', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await attempt('victim@example.com', `guess-number-${i}`, `10.0.0.${i + 1}`)).statusCode).toBe(401);
      clock.advance(10_000);
    }
    const locked = await attempt('Victim@Example.com', PASSWORD, '10.0.1.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('rate_limited');
    // The first failure leaves the window 15 minutes after it was made: 50 s have passed.
    expect(locked.headers['retry-after']).toBe(String(15 * 60 - 50));
    const audited = await env.ctx.db.selectFrom('audit_log').select('details').where('action', '=', 'auth.login_failed').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(fromJson<{ reason?: string }>(audited.details, {}).reason).toBe('rate_limited');
    clock.advance(15 * 60_000 - 50_000 - 1000);
    expect((await attempt('victim@example.com', PASSWORD, '10.0.1.1')).statusCode).toBe(429);
    clock.advance(1000);
    expect((await attempt('victim@example.com', PASSWORD, '10.0.1.1')).statusCode).toBe(200);
  });

  it('prevents password spraying from one IP: N failures block that IP, not others', async () => {
    // A lower per-IP limit than the default 20 keeps this test fast (each attempt runs scrypt).
    env.ctx.loginLimits = { ...DEFAULT_LOGIN_LIMITS, perIp: 7 };
    for (let i = 0; i < 7; i++) expect((await attempt(`user${i}@example.com`, 'wrong-password', '192.0.2.7')).statusCode).toBe(401);
    const blocked = await attempt('victim@example.com', PASSWORD, '192.0.2.7');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt('victim@example.com', PASSWORD, '192.0.2.8')).statusCode).toBe(200);
    env.ctx.loginLimits = undefined;
  });

  it('holds across processes: the count lives in the database, not in one app instance', async () => {
    const other = await buildApp(env.ctx);
    await other.ready();
    try {
      for (let i = 0; i < 3; i++) expect((await attempt('victim@example.com', 'wrong-password', '10.9.0.1')).statusCode).toBe(401);
      for (let i = 0; i < 2; i++) expect((await attempt('victim@example.com', 'wrong-password', '10.9.0.1', other)).statusCode).toBe(401);
      expect((await attempt('victim@example.com', PASSWORD, '10.9.0.2', other)).statusCode).toBe(429);
      expect((await attempt('victim@example.com', PASSWORD, '10.9.0.2')).statusCode).toBe(429);
    } finally {
      await other.close();
    }
  });

  it('forgives an account its typos after a successful sign-in', async () => {
    for (let i = 0; i < 4; i++) await attempt('victim@example.com', 'typo-typo-typo', '10.8.0.1');
    expect((await attempt('victim@example.com', PASSWORD, '10.8.0.1')).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await attempt('victim@example.com', 'typo-typo-typo', '10.8.0.1')).statusCode).toBe(401);
    expect((await attempt('victim@example.com', PASSWORD, '10.8.0.1')).statusCode).toBe(200);
  });

  it('keeps the failure table to one window (expired rows are pruned)', async () => {
    await attempt('victim@example.com', 'wrong-password', '10.7.0.1');
    clock.advance(16 * 60_000);
    await attempt('victim@example.com', 'wrong-password', '10.7.0.1');
    const rows = await env.ctx.db.selectFrom('login_failures').select('created_at').execute();
    expect(rows.every((r) => Number(r.created_at) === clock.now())).toBe(true);
    expect(rows.length).toBe(2); // one email row and one IP row, both from the latest attempt
  });
});
