// runMigrations on PostgreSQL must only look at its own schema. Kysely's Migrator checks for its
// bookkeeping tables with introspection.getTables(), which reads every schema in the database and
// calls has_schema_privilege(<schema>) and pg_get_serial_sequence('<schema>.<table>', …) per
// column. Those look names up in the current catalog, not in the scan's snapshot: when another
// test context's destroy() dropped its schema while the scan ran, the scan failed with
// `schema "t_<pid>_<random>" does not exist` — a rare CI failure in whichever suite happened to be
// opening its context (runMigrations) at that moment, naming some other suite's schema.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/db/migrate.js';
import { PG_URL, openTestContext, type TestContext } from '../helpers/context.js';

describe.skipIf(!PG_URL)('runMigrations while other schemas are dropped [postgres]', () => {
  const tag = `t_${process.pid}_drop_${Math.random().toString(36).slice(2, 8)}`;
  const others = Array.from({ length: 60 }, (_, i) => `${tag}_${i}`);
  let admin: pg.Client;
  let ctx: TestContext;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL as string });
    await admin.connect();
    // Other suites' schemas, small so that making them is cheap: the scan reads every one.
    await admin.query(others.map((s) => `CREATE SCHEMA ${s}; CREATE TABLE ${s}.items (id bigserial PRIMARY KEY, a text, b text);`).join('\n'));
    ctx = await openTestContext('postgres');
  });

  afterAll(async () => {
    await admin?.query(others.map((s) => `DROP SCHEMA IF EXISTS ${s} CASCADE;`).join('\n')).catch(() => {});
    await admin?.end();
    await ctx?.destroy();
  });

  it('migrates its own schema while other contexts drop theirs (prevents a flaky `schema "t_…" does not exist`)', async () => {
    let dropping = true;
    let runs = 0;
    const errors: string[] = [];
    // What every openTestContext does, over and over, while the other suites tear down. Before
    // the fix about half of these runs failed (tens of failures per test run).
    const migrating = (async () => {
      while (dropping || runs === 0) {
        try {
          await runMigrations(ctx.db);
        } catch (err) {
          errors.push((err as Error).message);
        }
        runs++;
      }
    })();
    try {
      for (const s of others) await admin.query(`DROP SCHEMA ${s} CASCADE`);
    } finally {
      dropping = false;
      await migrating;
    }
    expect(errors).toEqual([]);
    expect(runs).toBeGreaterThan(0);
    // The context still works after all those runs: nothing was migrated twice or elsewhere.
    expect(await ctx.db.selectFrom('workspaces').select('id').execute()).toEqual([]);
  }, 60_000);
});
