// Workspace B's credentials can never read or change workspace A's users, keys or audit entries.
import { beforeAll, expect, it } from 'vitest';
import { addUser } from '../../src/users/index.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { login } from './helpers.js';

describeEachDb('tenant isolation of users, API keys and the audit log', (dialect) => {
  let aliceId: number;
  let aKeyId: number;
  let aKey: string;

  const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' }, b: { name: 'Beta' } } });
  beforeAll(async () => {
    const alice = await addUser(env.ctx, { workspaceId: env.a.workspace.id, role: 'owner', actor: 'cli' }, { email: 'alice@alpha.test', role: 'owner', password: 'alice-password' });
    aliceId = alice.member.id;
    await addUser(env.ctx, { workspaceId: env.b.workspace.id, role: 'owner', actor: 'cli' }, { email: 'bob@beta.test', role: 'owner', password: 'bob-password-1' });
    const k = (await env.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: env.a.auth, payload: { name: 'alpha-integration', role: 'admin' } })).json();
    aKeyId = k.id;
    aKey = k.key;
  });

  it("B cannot see or change A's members", async () => {
    const list = (await env.app.inject({ url: '/api/v1/users', headers: env.b.auth })).json().items.map((u: { email: string }) => u.email);
    expect(list).toEqual(['bob@beta.test']);
    expect((await env.app.inject({ url: `/api/v1/users/${aliceId}`, headers: env.b.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'PATCH', url: `/api/v1/users/${aliceId}`, headers: env.b.auth, payload: { role: 'viewer' } })).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'DELETE', url: `/api/v1/users/${aliceId}`, headers: env.b.auth })).statusCode).toBe(404);
    const still = (await env.app.inject({ url: `/api/v1/users/${aliceId}`, headers: env.a.auth })).json();
    expect(still.role).toBe('owner');
  });

  it("B cannot list or revoke A's API keys", async () => {
    const list = await env.app.inject({ url: '/api/v1/api-keys', headers: env.b.auth });
    expect(list.json().items.map((k: { id: number }) => k.id)).not.toContain(aKeyId);
    expect((await env.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${aKeyId}`, headers: env.b.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ url: '/api/v1/workspace', headers: { authorization: `Bearer ${aKey}` } })).json().name).toBe('Alpha');
  });

  it("B never sees A's audit entries", async () => {
    const aIds = new Set((await env.app.inject({ url: '/api/v1/audit-log?limit=500', headers: env.a.auth })).json().items.map((e: { id: number }) => e.id));
    expect(aIds.size).toBeGreaterThan(0);
    const bItems = (await env.app.inject({ url: '/api/v1/audit-log?limit=500', headers: env.b.auth })).json().items as Array<{ id: number; details: unknown }>;
    expect(bItems.filter((e) => aIds.has(e.id))).toEqual([]);
    expect(JSON.stringify(bItems)).not.toContain('alice@alpha.test');
    // A cursor is only a position: pointing it past A's ids still yields B's rows only.
    const cursor = Buffer.from(String(Math.max(...[...aIds] as number[]) + 1)).toString('base64url');
    const paged = (await env.app.inject({ url: `/api/v1/audit-log?cursor=${cursor}`, headers: env.b.auth })).json().items as Array<{ id: number }>;
    expect(paged.filter((e) => aIds.has(e.id))).toEqual([]);
  });

  it("a session is bound to one workspace: A's owner signed in cannot act in B, nor choose B at sign-in", async () => {
    const s = await login(env.app, 'alice@alpha.test', 'alice-password');
    expect((await env.app.inject({ url: '/api/v1/workspace', headers: { cookie: s.cookie } })).json().name).toBe('Alpha');
    const users = (await env.app.inject({ url: '/api/v1/users', headers: { cookie: s.cookie } })).json().items.map((u: { email: string }) => u.email);
    expect(users).not.toContain('bob@beta.test');
    const chooseB = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'alice@alpha.test', password: 'alice-password', workspace: env.b.workspace.slug } });
    expect(chooseB.statusCode).toBe(403);
  });

  it('a member of both workspaces gets the role of the workspace signed into', async () => {
    await addUser(env.ctx, { workspaceId: env.b.workspace.id, role: 'owner', actor: 'cli' }, { email: 'alice@alpha.test', role: 'viewer' });
    const inB = await env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'alice@alpha.test', password: 'alice-password', workspace: env.b.workspace.slug } });
    expect(inB.statusCode).toBe(200);
    expect(inB.json()).toMatchObject({ role: 'viewer', workspace: { name: 'Beta' } });
    const cookie = String(inB.headers['set-cookie']).split(';')[0] as string;
    expect((await env.app.inject({ url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(403);
  });
});
