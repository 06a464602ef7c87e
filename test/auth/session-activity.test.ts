// Session activity: last_seen_at follows use at most once a minute, the member list shows it, and
// the optional idle timeout (POSTLANE_SESSION_IDLE_MINUTES) ends sessions unused for too long.
import { beforeEach, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { login, type BrowserSession } from './helpers.js';

const OWNER = { email: 'ada@example-corp.io', password: 'correct horse battery' };
const MIN = 60_000;

describeEachDb('session activity', (dialect) => {
  const clock = new ManualClock();
  beforeEach(() => clock.set(Date.UTC(2026, 0, 1)));
  const env = useTestEnv(dialect, { each: true, clock });
  beforeEach(async () => {
    const setup = await env.app.inject({ method: 'POST', url: '/api/v1/setup', payload: OWNER });
    expect(setup.statusCode, setup.body).toBe(201);
  });

  const lastSeen = async (s: BrowserSession) => {
    const row = await env.ctx.db.selectFrom('sessions').select('last_seen_at').where('id', '=', sha256Hex(decodeURIComponent(s.cookie.split('=')[1]!))).executeTakeFirst();
    return row ? Number(row.last_seen_at) : null;
  };
  const me = (s: BrowserSession) => env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: s.cookie } });

  it('updates last_seen_at on use, at most once a minute per session (prevents a write on every request)', async () => {
    const s = await login(env.app, OWNER.email, OWNER.password);
    const t0 = clock.now();
    expect(await lastSeen(s)).toBe(t0);
    clock.advance(59_000);
    expect((await me(s)).statusCode).toBe(200);
    expect(await lastSeen(s)).toBe(t0); // inside the minute: no write
    clock.advance(2_000);
    // A page load fires several requests at once: all succeed, one timestamp results.
    const burst = await Promise.all(Array.from({ length: 5 }, () => me(s)));
    expect(burst.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await lastSeen(s)).toBe(t0 + 61_000);
  });

  it("shows each member's latest session activity in the member list", async () => {
    const a = await login(env.app, OWNER.email, OWNER.password);
    clock.advance(10 * MIN);
    await login(env.app, OWNER.email, OWNER.password); // a second browser, idle since sign-in
    clock.advance(5 * MIN);
    await me(a);
    const list = await env.app.inject({ url: '/api/v1/users', headers: { cookie: a.cookie } });
    expect(list.statusCode, list.body).toBe(200);
    const [member] = (list.json() as { items: Array<{ last_seen_at: string | null; last_login_at: string | null }> }).items;
    expect(member!.last_seen_at).toBe(new Date(clock.now()).toISOString());
    expect(member!.last_login_at).toBe(new Date(clock.now() - 5 * MIN).toISOString());
  });

  it('ends a session idle longer than POSTLANE_SESSION_IDLE_MINUTES (prevents an abandoned signed-in browser staying usable for 7 days)', async () => {
    env.ctx.config.sessionIdleMinutes = 30;
    const s = await login(env.app, OWNER.email, OWNER.password);
    clock.advance(29 * MIN);
    expect((await me(s)).statusCode).toBe(200); // used: the idle period restarts
    clock.advance(29 * MIN);
    expect((await me(s)).statusCode).toBe(200);
    clock.advance(31 * MIN);
    expect((await me(s)).statusCode).toBe(401);
    expect(await lastSeen(s)).toBeNull(); // the row is gone, not just refused
  });

  it('without an idle timeout a session unused for days lives until its 7-day expiry', async () => {
    const s = await login(env.app, OWNER.email, OWNER.password);
    clock.advance(6 * 24 * 60 * MIN);
    expect((await me(s)).statusCode).toBe(200);
    clock.advance(24 * 60 * MIN);
    expect((await me(s)).statusCode).toBe(401);
  });
});

it('POSTLANE_SESSION_IDLE_MINUTES is minutes, at least 5', () => {
  expect(loadConfig({ env: { POSTLANE_SESSION_IDLE_MINUTES: '30' }, file: null }).sessionIdleMinutes).toBe(30);
  expect(loadConfig({ env: {}, file: null }).sessionIdleMinutes).toBeNull();
  expect(() => loadConfig({ env: { POSTLANE_SESSION_IDLE_MINUTES: '2' }, file: null })).toThrow(/POSTLANE_SESSION_IDLE_MINUTES/);
});
