import { expect, it } from 'vitest';
import { describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';

describeEachDb('http foundation', (dialect) => {
  const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' }, b: { name: 'Beta', postalAddress: null } } });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await env.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await env.app.inject('/readyz')).statusCode).toBe(200);
    expect((await env.app.inject('/metrics')).body).toContain('postlane_process_cpu');
    const doc = (await env.app.inject('/api/v1/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/v1/workspace');
  });

  it('rejects requests without or with a bad API key in the error shape', async () => {
    const none = await env.app.inject('/api/v1/workspace');
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const bad = await env.app.inject({ url: '/api/v1/workspace', headers: { authorization: 'Bearer pl_nope' } });
    expect(bad.statusCode).toBe(401);
  });

  it('binds an API key to its own workspace only', async () => {
    expect((await env.app.inject({ url: '/api/v1/workspace', headers: env.a.auth })).json().name).toBe('Alpha');
    expect((await env.app.inject({ url: '/api/v1/workspace', headers: env.b.auth })).json().name).toBe('Beta');
  });

  it('checks the role permission: a viewer cannot change settings, an owner can and it is audited', async () => {
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    const denied = await env.app.inject({ method: 'PATCH', url: '/api/v1/workspace', headers: viewer, payload: { postal_address: 'x' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    const ok = await env.app.inject({ method: 'PATCH', url: '/api/v1/workspace', headers: env.a.auth, payload: { postal_address: '2 Main St' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().postal_address).toBe('2 Main St');
    const audit = await env.ctx.db.selectFrom('audit_log').selectAll().where('workspace_id', '=', env.a.workspace.id).execute();
    expect(audit.map((r) => r.action)).toContain('settings.update');
  });

  it('returns validation errors as bad_request with details', async () => {
    const res = await env.app.inject({ method: 'PATCH', url: '/api/v1/workspace', headers: env.a.auth, payload: { name: '' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
    expect(Array.isArray(res.json().error.details)).toBe(true);
  });
});
