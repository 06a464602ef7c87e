// Graceful shutdown: stopping the process lets imports it is running finish, instead of closing the
// database under them (which failed a half-written import and left its job to go stale).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { startImport } from '../../src/imports/index.js';
import { silentLogger } from '../../src/log.js';
import { startPostlane } from '../../src/main.js';
import { createTenant, testConfig } from '../helpers/context.js';
import { createList } from './helpers.js';

describe('postlane stop with an import running', () => {
  it('waits for the import to finish (prevents a shutdown failing a half-written import)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'postlane-import-stop-'));
    const dbUrl = `sqlite:${join(dataDir, 'db.sqlite')}`;
    try {
      const pl = await startPostlane(testConfig({ databaseUrl: dbUrl, dataDir, role: 'web', port: 0, host: '127.0.0.1' }), { log: silentLogger() });
      const t = await createTenant(pl.ctx);
      const listId = await createList(pl.ctx, t.workspace.id, 'Shutdown');
      const file = join(dataDir, 'people.csv');
      const rows = 30_000;
      writeFileSync(file, `email,first_name\n${Array.from({ length: rows }, (_, i) => `p${i}@example.com,P${i}`).join('\n')}\n`);
      const { job } = await startImport(pl.ctx, { workspaceId: t.workspace.id, actor: 'cli', path: file, listId });
      await pl.stop(); // right away: the import has barely started

      const reopened = openDatabase(dbUrl);
      try {
        const row = await reopened.db.selectFrom('jobs').select(['status', 'error']).where('id', '=', job.id).executeTakeFirstOrThrow();
        expect(row).toEqual({ status: 'succeeded', error: null });
        const n = await reopened.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', t.workspace.id).executeTakeFirstOrThrow();
        expect(Number(n.n)).toBe(rows);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
