// contacts_ws_status_idx is partial (status <> 'active'). Filtering by another status must repeat
// that predicate, or SQLite walks every contact of the workspace by id instead of the index.
import { expect, it } from 'vitest';
import { statusIs } from '../../src/contacts/model.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';

describeEachDb('status filter and the partial status index', (dialect) => {
  const env = useTestEnv(dialect, { app: false });

  const plan = async (where: ReturnType<typeof statusIs>): Promise<string> => {
    const q = env.ctx.db.selectFrom('contacts').selectAll().where('workspace_id', '=', 1).where('id', '>', 0).where(where).orderBy('id').limit(100).compile();
    // EXPLAIN with bound parameters goes through the driver (PostgreSQL plans with the values).
    return dialect === 'sqlite'
      ? JSON.stringify(env.ctx.dbHandle.sqlite!.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])))
      : JSON.stringify((await env.ctx.dbHandle.pgPool!.query(`EXPLAIN ${q.sql}`, q.parameters as unknown[])).rows);
  };

  it('lets a non-active status filter use the partial index instead of scanning every contact', async () => {
    expect(await plan(statusIs('status', 'bounced'))).toContain('contacts_ws_status_idx');
  });

  it('keeps active contacts off the partial index (they are not in it)', async () => {
    expect(await plan(statusIs('status', 'active'))).not.toContain('contacts_ws_status_idx');
  });
});
