import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { addUser } from '../../src/users/index.js';
import { createTenant, describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';
import { login } from './helpers.js';

describeEachDb('users, roles, API keys and the audit log', (dialect) => {
  let admin: { authorization: string };
  const clock = new ManualClock();
  const env = useTestEnv(dialect, { clock, tenants: { t: { name: 'Roles' } } });
  const req = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    env.app.inject({ method: method as 'GET', url, headers, payload: payload as Record<string, unknown> });

  beforeAll(async () => {
    admin = await keyWithRole(env.ctx, env.t.workspace.id, 'admin');
    await addUser(env.ctx, { workspaceId: env.t.workspace.id, role: 'owner', actor: 'cli' }, { email: 'owner@roles.test', role: 'owner', password: 'owner-password' });
  });

  describe('users', () => {
    it('adds members, generating a one-time initial password when none is given', async () => {
      const res = await req('POST', '/api/v1/users', env.t.auth, { email: 'Mark@Roles.test', role: 'marketer', name: 'Mark' });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ created: true, user: { email: 'mark@roles.test', role: 'marketer', name: 'Mark' } });
      expect(typeof body.initial_password).toBe('string');
      await login(env.app, 'mark@roles.test', body.initial_password);
      const dup = await req('POST', '/api/v1/users', env.t.auth, { email: 'mark@roles.test', role: 'viewer' });
      expect(dup.statusCode).toBe(409);
      const list = (await req('GET', '/api/v1/users', env.t.auth)).json().items.map((u: { email: string }) => u.email);
      expect(list).toEqual(['owner@roles.test', 'mark@roles.test']);
    });

    it('rejects a too-short password and a malformed email with clear messages', async () => {
      const short = await req('POST', '/api/v1/users', env.t.auth, { email: 'short@roles.test', role: 'viewer', password: 'abc' });
      expect(short.statusCode).toBe(400);
      expect(short.json().error.message).toMatch(/at least 10 characters/);
      const bad = await req('POST', '/api/v1/users', env.t.auth, { email: 'not an email', role: 'viewer', password: 'long-enough-pw' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/valid email/);
    });

    it('prevents privilege escalation: an admin cannot grant owner, nor change or remove an owner', async () => {
      const grant = await req('POST', '/api/v1/users', admin, { email: 'eve@roles.test', role: 'owner', password: 'eve-password-1' });
      expect(grant.statusCode).toBe(403);
      const members = (await req('GET', '/api/v1/users', env.t.auth)).json().items as Array<{ id: number; email: string }>;
      const owner = members.find((m) => m.email === 'owner@roles.test')!;
      const mark = members.find((m) => m.email === 'mark@roles.test')!;
      expect((await req('PATCH', `/api/v1/users/${owner.id}`, admin, { role: 'viewer' })).statusCode).toBe(403);
      expect((await req('DELETE', `/api/v1/users/${owner.id}`, admin)).statusCode).toBe(403);
      expect((await req('PATCH', `/api/v1/users/${mark.id}`, admin, { role: 'owner' })).statusCode).toBe(403);
      const ok = await req('PATCH', `/api/v1/users/${mark.id}`, admin, { role: 'analyst' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().role).toBe('analyst');
    });

    it('prevents lock-out: the last owner can be neither demoted nor removed', async () => {
      const members = (await req('GET', '/api/v1/users', env.t.auth)).json().items as Array<{ id: number; email: string }>;
      const owner = members.find((m) => m.email === 'owner@roles.test')!;
      const demote = await req('PATCH', `/api/v1/users/${owner.id}`, env.t.auth, { role: 'admin' });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().error.message).toMatch(/last owner/);
      expect((await req('DELETE', `/api/v1/users/${owner.id}`, env.t.auth)).statusCode).toBe(409);
      // With a second owner, the first may step down.
      const second = await req('POST', '/api/v1/users', env.t.auth, { email: 'owner2@roles.test', role: 'owner', password: 'second-owner-pw' });
      expect(second.statusCode).toBe(201);
      expect((await req('PATCH', `/api/v1/users/${owner.id}`, env.t.auth, { role: 'admin' })).statusCode).toBe(200);
      expect((await req('DELETE', `/api/v1/users/${second.json().user.id}`, env.t.auth)).statusCode).toBe(409);
    });

    it('prevents an ownerless workspace under concurrency: demoting two owners at once leaves one', async () => {
      const w = await createTenant(env.ctx, { name: 'Race' });
      const ids: number[] = [];
      for (const email of ['o1@race.test', 'o2@race.test']) {
        ids.push((await addUser(env.ctx, { workspaceId: w.workspace.id, role: 'owner', actor: 'cli' }, { email, role: 'owner', password: 'race-password' })).member.id);
      }
      const results = await Promise.all(ids.map((id) => req('PATCH', `/api/v1/users/${id}`, w.auth, { role: 'admin' })));
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const owners = (await req('GET', '/api/v1/users', w.auth)).json().items.filter((u: { role: string }) => u.role === 'owner');
      expect(owners).toHaveLength(1);
    });

    it('applies a role change and a removal to live sessions at once', async () => {
      const created = await req('POST', '/api/v1/users', env.t.auth, { email: 'temp@roles.test', role: 'admin', password: 'temporary-pw-1' });
      const id = created.json().user.id as number;
      const s = await login(env.app, 'temp@roles.test', 'temporary-pw-1');
      expect((await env.app.inject({ url: '/api/v1/users', headers: { cookie: s.cookie } })).statusCode).toBe(200);
      await req('PATCH', `/api/v1/users/${id}`, env.t.auth, { role: 'viewer' });
      expect((await env.app.inject({ url: '/api/v1/users', headers: { cookie: s.cookie } })).statusCode).toBe(403);
      expect((await req('DELETE', `/api/v1/users/${id}`, env.t.auth)).statusCode).toBe(204);
      expect((await env.app.inject({ url: '/api/v1/auth/me', headers: { cookie: s.cookie } })).statusCode).toBe(401);
      const relogin = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'temp@roles.test', password: 'temporary-pw-1' } });
      expect(relogin.statusCode).toBe(401);
    });
  });

  describe('API keys', () => {
    it('shows a new key once, lists keys without secrets, and revokes', async () => {
      const created = await req('POST', '/api/v1/api-keys', admin, { name: 'zapier', role: 'marketer' });
      expect(created.statusCode, created.body).toBe(201);
      const { key, id, prefix } = created.json();
      expect(key).toMatch(/^pl_/);
      expect(key.startsWith(prefix)).toBe(true);
      const list = await req('GET', '/api/v1/api-keys', admin);
      expect(list.body).not.toContain(key);
      expect(list.body).not.toContain('hash');
      expect(list.json().items.map((k: { id: number }) => k.id)).toContain(id);
      expect((await req('GET', '/api/v1/workspace', { authorization: `Bearer ${key}` })).statusCode).toBe(200);
      expect((await req('DELETE', `/api/v1/api-keys/${id}`, admin)).statusCode).toBe(204);
      expect((await req('GET', '/api/v1/workspace', { authorization: `Bearer ${key}` })).statusCode).toBe(401);
      expect((await req('GET', '/api/v1/api-keys', admin)).json().items.map((k: { id: number }) => k.id)).not.toContain(id);
      const all = (await req('GET', '/api/v1/api-keys?include_revoked=true', admin)).json().items;
      expect(all.find((k: { id: number }) => k.id === id).revoked_at).not.toBeNull();
    });

    it('prevents privilege escalation: an admin key cannot mint or revoke an owner key', async () => {
      expect((await req('POST', '/api/v1/api-keys', admin, { name: 'root', role: 'owner' })).statusCode).toBe(403);
      const ownerKey = await req('POST', '/api/v1/api-keys', env.t.auth, { name: 'owner-key', role: 'owner' });
      expect((await req('DELETE', `/api/v1/api-keys/${ownerKey.json().id}`, admin)).statusCode).toBe(403);
      expect((await req('POST', '/api/v1/api-keys', admin, { name: 'bad', role: 'superuser' })).statusCode).toBe(400);
    });
  });

  describe('audit log', () => {
    it('records permission changes and pages newest-first with filters', async () => {
      const all = await req('GET', '/api/v1/audit-log?limit=500', env.t.auth);
      expect(all.statusCode).toBe(200);
      const actions = all.json().items.map((e: { action: string }) => e.action);
      for (const a of ['users.create', 'users.role_change', 'users.remove', 'api_keys.create', 'api_keys.revoke', 'auth.login']) expect(actions).toContain(a);
      const ids = all.json().items.map((e: { id: number }) => e.id);
      expect([...ids].sort((x, y) => y - x)).toEqual(ids);

      const change = (await req('GET', '/api/v1/audit-log?action=users.role_change', env.t.auth)).json().items;
      expect(change.every((e: { action: string }) => e.action === 'users.role_change')).toBe(true);
      expect(change.some((e: { details: { from: string; to: string } }) => e.details.from === 'marketer' && e.details.to === 'analyst')).toBe(true);
      const prefixed = (await req('GET', '/api/v1/audit-log?action=api_keys.*', env.t.auth)).json().items;
      expect(new Set(prefixed.map((e: { action: string }) => e.action))).toEqual(new Set(['api_keys.create', 'api_keys.revoke']));
      const byActor = (await req('GET', '/api/v1/audit-log?actor=cli', env.t.auth)).json().items;
      expect(byActor.length).toBeGreaterThan(0);
      expect(byActor.every((e: { actor: string }) => e.actor === 'cli')).toBe(true);

      // Walk every page of 3 and get the same sequence as one big page.
      const walked: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: number }>; next_cursor: string | null } =
          (await req('GET', `/api/v1/audit-log?limit=3${cursor ? `&cursor=${cursor}` : ''}`, env.t.auth)).json();
        walked.push(...page.items.map((e) => e.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(walked).toEqual(ids);
      expect((await req('GET', '/api/v1/audit-log?cursor=!!!', env.t.auth)).statusCode).toBe(400);
    });

    it('filters by time (since inclusive, until exclusive)', async () => {
      const before = clock.now();
      clock.advance(60_000);
      await req('POST', '/api/v1/api-keys', env.t.auth, { name: 'later', role: 'viewer' });
      const since = (await req('GET', `/api/v1/audit-log?since=${new Date(before + 1).toISOString()}`, env.t.auth)).json().items;
      expect(since.map((e: { action: string }) => e.action)).toEqual(['api_keys.create']);
      const until = (await req('GET', `/api/v1/audit-log?until=${before + 1}&action=api_keys.create`, env.t.auth)).json().items;
      expect(until.every((e: { created_at: string }) => Date.parse(e.created_at) <= before)).toBe(true);
      expect((await req('GET', '/api/v1/audit-log?since=yesterday', env.t.auth)).statusCode).toBe(400);
    });

    it('is readable by owners and admins only', async () => {
      for (const role of ['marketer', 'analyst', 'viewer']) {
        expect((await req('GET', '/api/v1/audit-log', await keyWithRole(env.ctx, env.t.workspace.id, role))).statusCode).toBe(403);
      }
      expect((await req('GET', '/api/v1/audit-log', admin)).statusCode).toBe(200);
    });
  });
});

describe('docs/auth.md', () => {
  it('shows the role matrix exactly as the code defines it', async () => {
    const { readFileSync } = await import('node:fs');
    const { RESOURCES, ROLES, ROLE_PERMISSIONS } = await import('../../src/auth/permissions.js');
    const doc = readFileSync(new URL('../../docs/auth.md', import.meta.url), 'utf8');
    const lines = [`| permission | ${ROLES.join(' | ')} |`, `|---|${ROLES.map(() => ':-:').join('|')}|`];
    for (const r of RESOURCES) {
      for (const a of ['read', 'write', 'send', 'run']) {
        const p = `${r}:${a}` as never;
        if (!ROLES.some((role) => ROLE_PERMISSIONS[role].has(p))) continue;
        lines.push(`| \`${r}:${a}\` | ${ROLES.map((role) => (ROLE_PERMISSIONS[role].has(p) ? '✓' : '')).join(' | ')} |`);
      }
    }
    expect(doc).toContain(lines.join('\n'));
  });
});
