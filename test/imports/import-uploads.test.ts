// The API's upload files (POSTLANE_DATA_DIR/imports/upload-*.tmp): removed when the import ends,
// however it ends, and swept at startup when a process died with one open.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { removeStaleUploads, STALE_UPLOAD_MS, uploadDir } from '../../src/imports/uploads.js';
import { silentLogger } from '../../src/log.js';
import { startPostlane } from '../../src/main.js';
import { createTenant, describeEachDb, testApp, testConfig, type TestContext } from '../helpers/context.js';
import { createList, failContactInsert, importTestContext, postImport } from './helpers.js';

describeEachDb('import uploads', (dialect) => {
  let ctx: TestContext;
  let app: App;
  beforeAll(async () => {
    ctx = await importTestContext(dialect);
    app = await testApp(ctx);
  });
  afterAll(async () => {
    await app.close();
    await ctx.destroy();
  });
  const uploads = () => (existsSync(uploadDir(ctx.config.dataDir)) ? readdirSync(uploadDir(ctx.config.dataDir)) : []);

  it('leaves no upload file behind when an import fails mid-way or the file is refused', async () => {
    const t = await createTenant(ctx);
    const listId = await createList(ctx, t.workspace.id, 'Uploads');
    const rows = Array.from({ length: 12_000 }, (_, i) => (i === 9_000 ? 'boom@example.com' : `u${i}@example.com`));
    const removeTrigger = await failContactInsert(ctx, 'boom_upload', 'boom@example.com');
    try {
      const failed = await postImport(app, ctx, t.workspace.id, t.auth, `email\n${rows.join('\n')}\n`, { list_id: listId });
      expect(failed.status).toBe(202);
      expect(failed.job?.status).toBe('failed');
      expect(failed.job?.error).toMatch(/simulated disk failure/);
      expect(uploads()).toEqual([]);
    } finally {
      await removeTrigger();
    }
    const refused = await postImport(app, ctx, t.workspace.id, t.auth, 'name,phone\nx,1\n', { list_id: listId });
    expect(refused.status).toBe(422);
    expect(uploads()).toEqual([]);
  }, 60_000);
});

describe('orphaned import uploads', () => {
  function seed(dataDir: string, now: number): void {
    const dir = uploadDir(dataDir);
    mkdirSync(dir, { recursive: true });
    const at = (name: string, ageMs: number) => {
      writeFileSync(join(dir, name), 'email\na@example.com\n');
      const t = (now - ageMs) / 1000;
      utimesSync(join(dir, name), t, t);
    };
    at('upload-orphaned_1.tmp', STALE_UPLOAD_MS + 60_000); // its process died a day and a minute ago
    at('upload-running_2.tmp', 60_000); // may belong to an import running in another process
    at('notes.txt', 10 * STALE_UPLOAD_MS); // not ours: never touched
  }

  it('removes upload files older than a day and keeps fresh and foreign files', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'postlane-uploads-'));
    try {
      const now = Date.now();
      seed(dataDir, now);
      expect(await removeStaleUploads(dataDir, now)).toBe(1);
      expect(readdirSync(uploadDir(dataDir)).sort()).toEqual(['notes.txt', 'upload-running_2.tmp']);
      expect(await removeStaleUploads(join(dataDir, 'missing'), now)).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('sweeps them when the web role starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'postlane-uploads-start-'));
    try {
      seed(dataDir, Date.now());
      const pl = await startPostlane(testConfig({ databaseUrl: `sqlite:${join(dataDir, 'db.sqlite')}`, dataDir, role: 'web', port: 0, host: '127.0.0.1' }), { log: silentLogger() });
      await pl.stop();
      expect(readdirSync(uploadDir(dataDir)).sort()).toEqual(['notes.txt', 'upload-running_2.tmp']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
