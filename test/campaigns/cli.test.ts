import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/campaigns/index.js';
import { createTenant, useTestEnv } from '../helpers/context.js';
import { seedAudience } from '../delivery/helpers.js';

describe('postlane campaign CLI [sqlite]', () => {
  const env = useTestEnv('sqlite', { app: false });

  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'campaign', ...args], {
    env: { ...process.env, DATABASE_URL: env.ctx.config.databaseUrl, POSTLANE_LOG_LEVEL: 'silent' }, encoding: 'utf8',
  });

  it('sends a campaign by id (--json on stdout) and fails non-zero with a message for a bad id', async () => {
    const t = await createTenant(env.ctx);
    const { listId } = await seedAudience(env.ctx, t.workspace.id, 2);
    const c = await createCampaign(env.ctx, t.workspace.id, { name: 'cli', subject: 'Hi', from_email: 'n@example.com', html: '<p>x</p>', list_ids: [listId] });
    const ok = cli('send', String(c.id), '--json', '--workspace', t.workspace.slug);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ id: c.id, status: 'sending', counts: { eligible: 2 } });
    // No bounce domain in this environment: the send says so on stderr, never in the JSON.
    expect(ok.stderr).toMatch(/^postlane: warning: No bounce domain is configured .*no unsubscribe by email/m);
    const bad = cli('send', '999999', '--workspace', t.workspace.slug);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/campaign not found/);
  }, 60_000);
});
