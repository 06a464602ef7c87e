// useTestEnv's contract, which every suite relies on: fields exist only while a test runs, `each`
// gives every test its own database, and tenants are created in order with their options.
import { afterAll, describe, expect, it } from 'vitest';
import { describeEachDb, useTestEnv, type TestContext } from './context.js';

describeEachDb('useTestEnv', (dialect) => {
  describe('per describe', () => {
    const env = useTestEnv(dialect, { tenants: { a: { name: 'Alpha' }, b: { name: 'Beta', role: 'viewer', postalAddress: null } } });
    let early: unknown;
    try {
      void env.ctx; // collection time: no hook has run yet
    } catch (err) {
      early = err;
    }

    it('names the mistake when a field is read before the hooks ran', () => {
      expect(String(early)).toMatch(/env\.ctx is read outside the test's lifetime/);
    });

    it('creates the tenants in order with their name, role and postal address', async () => {
      expect([env.a.workspace.name, env.b.workspace.name]).toEqual(['Alpha', 'Beta']);
      expect(env.a.workspace.id).toBeLessThan(env.b.workspace.id);
      expect(env.b.workspace.postalAddress).toBeNull();
      const viewerWrite = await env.app.inject({ method: 'POST', url: '/api/v1/lists', headers: env.b.auth, payload: { name: 'x' } });
      expect(viewerWrite.statusCode).toBe(403);
      expect((await env.app.inject({ method: 'POST', url: '/api/v1/lists', headers: env.a.auth, payload: { name: 'x' } })).statusCode).toBe(201);
    });
  });

  describe('each: true', () => {
    const env = useTestEnv(dialect, { each: true, app: false });
    const seen: TestContext[] = [];
    afterAll(() => expect(seen[0]).not.toBe(seen[1]));

    for (const n of [1, 2]) {
      it(`starts test ${n} on an empty database of its own`, async () => {
        seen.push(env.ctx);
        expect(await env.ctx.db.selectFrom('workspaces').select('id').execute()).toEqual([]);
        await env.ctx.db.insertInto('workspaces').values({ name: `W${n}`, slug: `w${n}`, postal_address: null, settings: '{}', created_at: 0, updated_at: 0 }).execute();
        expect(() => env.app).toThrow(/app: false/);
      });
    }
  });
});
