// Workspace B's credentials can never read or change workspace A's users, keys or audit entries.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { addUser } from '../../src/users/index.js';
import { createTenant, describeEachDb, openTestContext, testApp, type Tenant, type TestContext } from '../helpers/context.js';
import { login } from './helpers.js';

describeEachDb('tenant isolation of users, API keys and the audit log', (dialect) => {
  let ctx: TestContext;
  let app: App;
  let a: Tenant;
  let b: Tenant;
  let aliceId: number;
  let aKeyId: number;
  let aKey: string;

  beforeAll(async () => {
    ctx = await openTestContext(dialect);
    app = await testApp(ctx);
    a = await createTenant(ctx, { name: 'Alpha' });
    b = await createTenant(ctx, { name: 'Beta' });
    const alice = await addUser(ctx, { workspaceId: a.workspace.id, role: 'owner', actor: 'cli' }, { email: 'alice@alpha.test', role: 'owner', password: 'alice-password' });
    aliceId = alice.member.id;
    await addUser(ctx, { workspaceId: b.workspace.id, role: 'owner', actor: 'cli' }, { email: 'bob@beta.test', role: 'owner', password: 'bob-password-1' });
    const k = (await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: a.auth, payload: { name: 'alpha-integration', role: 'admin' } })).json();
    aKeyId = k.id;
    aKey = k.key;
  });
  afterAll(async () => {
    await app.close();
    await ctx.destroy();
  });

  it("B cannot see or change A's members", async () => {
    const list = (await app.inject({ url: '/api/v1/users', headers: b.auth })).json().items.map((u: { email: string }) => u.email);
    expect(list).toEqual(['bob@beta.test']);
    expect((await app.inject({ url: `/api/v1/users/${aliceId}`, headers: b.auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PATCH', url: `/api/v1/users/${aliceId}`, headers: b.auth, payload: { role: 'viewer' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/users/${aliceId}`, headers: b.auth })).statusCode).toBe(404);
    const still = (await app.inject({ url: `/api/v1/users/${aliceId}`, headers: a.auth })).json();
    expect(still.role).toBe('owner');
  });

  it("B cannot list or revoke A's API keys", async () => {
    const list = await app.inject({ url: '/api/v1/api-keys', headers: b.auth });
    expect(list.json().items.map((k: { id: number }) => k.id)).not.toContain(aKeyId);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${aKeyId}`, headers: b.auth })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/workspace', headers: { authorization: `Bearer ${aKey}` } })).json().name).toBe('Alpha');
  });

  it("B never sees A's audit entries", async () => {
    const aIds = new Set((await app.inject({ url: '/api/v1/audit-log?limit=500', headers: a.auth })).json().items.map((e: { id: number }) => e.id));
    expect(aIds.size).toBeGreaterThan(0);
    const bItems = (await app.inject({ url: '/api/v1/audit-log?limit=500', headers: b.auth })).json().items as Array<{ id: number; details: unknown }>;
    expect(bItems.filter((e) => aIds.has(e.id))).toEqual([]);
    expect(JSON.stringify(bItems)).not.toContain('alice@alpha.test');
    // A cursor is only a position: pointing it past A's ids still yields B's rows only.
    const cursor = Buffer.from(String(Math.max(...[...aIds] as number[]) + 1)).toString('base64url');
    const paged = (await app.inject({ url: `/api/v1/audit-log?cursor=${cursor}`, headers: b.auth })).json().items as Array<{ id: number }>;
    expect(paged.filter((e) => aIds.has(e.id))).toEqual([]);
  });

  it("a session is bound to one workspace: A's owner signed in cannot act in B, nor choose B at sign-in", async () => {
    const s = await login(app, 'alice@alpha.test', 'alice-password');
    expect((await app.inject({ url: '/api/v1/workspace', headers: { cookie: s.cookie } })).json().name).toBe('Alpha');
    const users = (await app.inject({ url: '/api/v1/users', headers: { cookie: s.cookie } })).json().items.map((u: { email: string }) => u.email);
    expect(users).not.toContain('bob@beta.test');
    const chooseB = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'alice@alpha.test', password: 'alice-password', workspace: b.workspace.slug } });
    expect(chooseB.statusCode).toBe(403);
  });

  it('a member of both workspaces gets the role of the workspace signed into', async () => {
    await addUser(ctx, { workspaceId: b.workspace.id, role: 'owner', actor: 'cli' }, { email: 'alice@alpha.test', role: 'viewer' });
    const inB = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'alice@alpha.test', password: 'alice-password', workspace: b.workspace.slug } });
    expect(inB.statusCode).toBe(200);
    expect(inB.json()).toMatchObject({ role: 'viewer', workspace: { name: 'Beta' } });
    const cookie = String(inB.headers['set-cookie']).split(';')[0] as string;
    expect((await app.inject({ url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(403);
  });
});
