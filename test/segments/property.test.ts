// The compiled SQL and the in-memory evaluator must select the same contacts for random worlds
// and random trees, on SQLite and PostgreSQL.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { segmentContactIds } from '../../src/segments/compile.js';
import { evaluateSegment } from '../../src/segments/evaluate.js';
import { validateDefinition } from '../../src/segments/schema.js';
import { createWorkspace } from '../../src/workspaces/index.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';
import { bindTree, treeArb } from './trees.js';
import { insertWorld, worldArb } from './world.js';

// Bounded so the suite stays fast; raise SEGMENT_PROPERTY_RUNS for a deeper search.
const RUNS = Number(process.env.SEGMENT_PROPERTY_RUNS ?? 0) || undefined;

describeEachDb('segment compiler agrees with the evaluator', (dialect) => {
  const env = useTestEnv(dialect, { app: false });

  it('selects the same contacts for random worlds and trees', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(worldArb, fc.array(treeArb, { minLength: 4, maxLength: 4 }), async (world, trees) => {
      const ws = await createWorkspace(env.ctx.db, env.ctx.clock, { name: `P${n++}`, postalAddress: null });
      const inserted = await insertWorld(env.ctx.db, ws.id, world);
      for (const raw of trees) {
        const def = validateDefinition(bindTree(raw, inserted.listIds));
        const rows = await segmentContactIds(env.ctx.db, ws.id, def, { now: inserted.env.now }).orderBy('c.id').execute();
        const fromSql = rows.map((r) => Number(r.id));
        const expected = inserted.people.filter((p) => evaluateSegment(def, p, inserted.env)).map((p) => p.contact.id).sort((x, y) => x - y);
        expect(fromSql, JSON.stringify(def)).toEqual(expected);
      }
    }), { numRuns: RUNS ?? (dialect === 'postgres' ? 40 : 80), seed: process.env.SEGMENT_PROPERTY_SEED ? Number(process.env.SEGMENT_PROPERTY_SEED) : undefined });
  }, 120_000);
});
