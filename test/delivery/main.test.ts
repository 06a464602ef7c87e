import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startPostlane } from '../../src/main.js';
import { createTenant, testConfig } from '../helpers/context.js';
import { sendThroughRunningWorker } from './helpers.js';

const root = join(import.meta.dirname, '../..');

describe('postlane start (role all) runs the delivery worker', () => {
  it('delivers a started campaign into the capture outbox by itself, and stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-main-'));
    const pl = await startPostlane(testConfig({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`, role: 'all' }), { log: silentLogger() });
    try {
      const t = await createTenant(pl.ctx);
      const { campaignId, status } = await sendThroughRunningWorker(pl.ctx, t.workspace.id, 3);
      expect(status).toBe('finished');
      const captured = await pl.ctx.db.selectFrom('captured_messages').select('id').where('campaign_id', '=', campaignId).execute();
      expect(captured).toHaveLength(3);
    } finally {
      await pl.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('postlane start: one of each background service per process', () => {
  it('starts exactly one delivery worker (prevents two send loops competing inside one process)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-main-'));
    const pl = await startPostlane(testConfig({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`, role: 'worker' }), { log: silentLogger() });
    try {
      expect(pl.services.filter((n) => n === 'delivery-worker')).toEqual(['delivery-worker']);
      expect(pl.services).toContain('verify');
    } finally {
      await pl.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('postlane start: return-mail warnings in the log', () => {
  async function startupWarnings(overrides: Parameters<typeof testConfig>[0]): Promise<Array<{ code?: string; msg: string }>> {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-main-'));
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const pl = await startPostlane(testConfig({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`, role: 'worker', ...overrides }), { log });
    try {
      return lines.map((l) => JSON.parse(l) as { code?: string; msg: string }).filter((l) => l.code);
    } finally {
      await pl.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('warns at start that messages carry no unsubscribe mailto and bounces are not received without a bounce domain', async () => {
    expect((await startupWarnings({})).map((l) => l.code)).toEqual(['unsubscribe_mailto_omitted', 'bounces_not_received']);
  });

  it('warns about nothing once a bounce domain is set', async () => {
    expect(await startupWarnings({ bounceDomain: 'bounces.example.com' })).toEqual([]);
  });
});

describe('postlane start --role worker as a process', () => {
  it('loads neither the HTTP stack nor the inbound listeners (prevents them sitting in every worker heap, which V8 lets grow to a multiple of what is live)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-main-'));
    const log = join(dir, 'modules.log');
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, POSTLANE_LOG_LEVEL: 'warn', POSTLANE_DATA_DIR: dir, MODULE_LOG: log };
    delete env.POSTLANE_DATABASE_URL;
    delete env.POSTLANE_FEEDBACK_IMAP_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', join(root, 'test/fixtures/log-modules.mjs'), join(root, 'src/cli/main.ts'), 'start', '--role', 'worker'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let stderr = '';
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('started (services:')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
      });
      expect(stderr).toContain('Postlane worker started (services: delivery-worker, verify; database: sqlite)');
      const loaded = readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith('file:'));
      expect(loaded.some((u) => u.includes('/src/delivery/worker.ts'))).toBe(true);
      expect(loaded.filter((u) => /\/src\/http\/|\/node_modules\/(fastify|@fastify|smtp-server|imapflow)\//.test(u))).toEqual([]);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
