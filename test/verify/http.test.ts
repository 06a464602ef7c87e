import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemResolver } from '../../src/verify/mx.js';
import { createVerifyJob, getVerifyJob } from '../../src/verify/jobs.js';
import { jobRunnerFor, reverifyStale, startVerifyService } from '../../src/verify/service.js';
import { ManualClock } from '../../src/clock.js';
import { describeEachDb, keyWithRole, useTestEnv } from '../helpers/context.js';
import { startDnsServer, staticZone, type DnsServer } from '../helpers/dns-server.js';

describeEachDb('verify HTTP API', (dialect) => {
  let dns: DnsServer;
  const clock = new ManualClock();
  beforeAll(async () => {
    dns = await startDnsServer(staticZone({ 'good.example': { mx: [[10, 'mx.good.example']] }, 'broken.example': { rcode: 2 } }));
  });
  // Registered before the env, so it runs after the env is torn down.
  afterAll(async () => {
    await dns.close();
  });
  const env = useTestEnv(dialect, {
    clock,
    prepare: (ctx) => { ctx.verify = { resolver: systemResolver({ servers: [dns.server], timeoutMs: 200 }) }; },
    tenants: { a: {}, b: {} },
  });
  const verify = (payload: unknown, headers = env.a.auth) => env.app.inject({ method: 'POST', url: '/api/v1/verify', headers, payload: payload as object });

  it('verifies one address and returns the CLI line shape', async () => {
    const res = await verify({ email: 'Jane@good.example' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'Jane@good.example', verdict: 'deliverable', normalized: 'Jane@good.example', mx: ['mx.good.example'], smtp: null });
    expect((await verify({ email: 'x@nope.example', checks: ['syntax'] })).json().mx).toBeNull();
    expect((await verify({ email: '"q"@good.example', policy: 'rfc' })).json().syntax).toEqual({ valid: true, diagnosis: 'quoted_local_part' });
  });

  it('never answers 500 to hostile strings: lone surrogates, control characters, newlines, huge input', async () => {
    const hostile = ['\ud800', 'a\udc00@good.example', '\u0000', 'a@good.example\r\nBcc: x@y.z', '\u001b[31m@x.com', '\n', '', 'x'.repeat(100_000), '@'.repeat(5000), '"'.repeat(999)];
    for (const email of hostile) {
      // JSON.stringify escapes lone surrogates, so this is the exact string a client sends.
      const res = await env.app.inject({ method: 'POST', url: '/api/v1/verify', headers: { ...env.a.auth, 'content-type': 'application/json' }, payload: JSON.stringify({ email }) });
      expect(res.statusCode, JSON.stringify(email).slice(0, 40)).toBe(200);
      const body = res.json();
      expect(body.verdict).toBe('undeliverable');
      expect(body.syntax.valid).toBe(false);
      expect(typeof body.syntax.diagnosis).toBe('string');
    }
    // Raw bytes that are not valid UTF-8 are decoded with replacement characters, still no 500.
    const raw = Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('@b.example"}')]);
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/verify', headers: { ...env.a.auth, 'content-type': 'application/json' }, payload: raw });
    expect(res.statusCode).toBeLessThan(500);
  });

  it('rejects a non-string email and unknown checks with 400, not 500', async () => {
    expect((await verify({ email: 42 })).statusCode).toBeLessThan(500);
    expect((await verify({})).statusCode).toBe(400);
    expect((await verify({ email: 'a@b.example', checks: ['ping'] })).statusCode).toBe(400);
  });

  it('requires verify:run to verify and verify:read to read jobs (a viewer can do neither)', async () => {
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    expect((await verify({ email: 'a@good.example' }, viewer)).statusCode).toBe(403);
    const analyst = await keyWithRole(env.ctx, env.a.workspace.id, 'analyst');
    expect((await verify({ email: 'a@good.example' }, analyst)).statusCode).toBe(403);
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/verify' , payload: { email: 'x' } })).statusCode).toBe(401);
  });

  it('runs a bulk job from JSON with progress and returns results as JSON and formula-safe CSV', async () => {
    const created = await env.app.inject({ method: 'POST', url: '/api/v1/verify/jobs', headers: env.a.auth, payload: { emails: ['ok@good.example', 'bad', 'x@broken.example', '=cmd@good.example', '\u0000nul'], checks: ['syntax', 'dns'] } });
    expect(created.statusCode).toBe(202);
    const id = created.json().id;
    await jobRunnerFor(env.ctx).idle();
    const job = (await env.app.inject({ url: `/api/v1/verify/jobs/${id}`, headers: env.a.auth })).json();
    expect(job).toMatchObject({ status: 'succeeded', progress: { processed: 5, total: 5, verdicts: { deliverable: 2, undeliverable: 2, unknown: 1 } } });
    const json = (await env.app.inject({ url: `/api/v1/verify/jobs/${id}/results`, headers: env.a.auth })).json();
    expect(json.results.map((r: { verdict: string }) => r.verdict)).toEqual(['deliverable', 'undeliverable', 'unknown', 'deliverable', 'undeliverable']);
    expect(json.results[4].email).toBe('\u0000nul');
    const csv = await env.app.inject({ url: `/api/v1/verify/jobs/${id}/results?format=csv`, headers: env.a.auth });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^email,verdict,score,reasons/);
    expect(lines).toHaveLength(6);
    expect(lines[4]).toMatch(/^'=cmd@good\.example,/);
  });

  it('accepts a CSV body (email column) and keeps jobs inside their workspace', async () => {
    const created = await env.app.inject({
      method: 'POST', url: '/api/v1/verify/jobs?checks=syntax', headers: { ...env.a.auth, 'content-type': 'text/csv' },
      payload: 'name,Email\nJane,jane@good.example\nBob,bob@@good.example\n',
    });
    expect(created.statusCode).toBe(202);
    const id = created.json().id;
    await jobRunnerFor(env.ctx).idle();
    const json = (await env.app.inject({ url: `/api/v1/verify/jobs/${id}/results`, headers: env.a.auth })).json();
    expect(json.results.map((r: { email: string }) => r.email)).toEqual(['jane@good.example', 'bob@@good.example']);
    expect((await env.app.inject({ url: `/api/v1/verify/jobs/${id}`, headers: env.b.auth })).statusCode).toBe(404);
    expect((await env.app.inject({ url: `/api/v1/verify/jobs/${id}/results`, headers: env.b.auth })).statusCode).toBe(404);
    const viewer = await keyWithRole(env.ctx, env.a.workspace.id, 'viewer');
    expect((await env.app.inject({ url: `/api/v1/verify/jobs/${id}`, headers: viewer })).statusCode).toBe(403);
  });

  it('re-verifies stale cached results', async () => {
    await verify({ email: 'stale@good.example' });
    clock.advance(31 * 86_400_000);
    const n = await reverifyStale(env.ctx, { workspaceId: env.a.workspace.id });
    expect(n).toBeGreaterThanOrEqual(1);
    const row = await env.ctx.db.selectFrom('verifications').select('checked_at').where('workspace_id', '=', env.a.workspace.id).where('email_key', '=', 'stale@good.example').executeTakeFirstOrThrow();
    expect(Number(row.checked_at)).toBe(clock.now());
    expect(await reverifyStale(env.ctx, { workspaceId: env.a.workspace.id })).toBe(0);
  });

  it('the background service resumes a job left unfinished by a restart', async () => {
    const job = await createVerifyJob(env.ctx, env.a.workspace.id, 'test', ['r1@good.example', 'r2@good.example'], { checks: ['syntax'], policy: 'deliverable' });
    await env.ctx.db.updateTable('jobs').set({ status: 'running' }).where('id', '=', job.id).execute();
    const service = startVerifyService(env.ctx, { intervalMs: 3_600_000 });
    // The service enqueues asynchronously; wait for the runner to pick the job up and finish.
    for (let i = 0; i < 200 && (await getVerifyJob(env.ctx, env.a.workspace.id, job.id))!.status !== 'succeeded'; i++) await jobRunnerFor(env.ctx).idle().then(() => new Promise((r) => setImmediate(r)));
    expect((await getVerifyJob(env.ctx, env.a.workspace.id, job.id))!.progress.processed).toBe(2);
    await service.stop();
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await env.app.inject('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/verify', '/api/v1/verify/jobs', '/api/v1/verify/jobs/{id}', '/api/v1/verify/jobs/{id}/results']));
  });
});
