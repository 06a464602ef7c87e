import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, useTestEnv } from '../helpers/context.js';

const run = promisify(execFile);

describe('postlane domain (CLI)', () => {
  const env = useTestEnv('sqlite', { app: false });
  beforeAll(async () => {
    await createTenant(env.ctx);
  });

  const cli = (...args: string[]) => run('npx', ['tsx', 'src/cli/main.ts', 'domain', ...args], {
    env: { ...process.env, DATABASE_URL: env.ctx.config.databaseUrl, POSTLANE_LOG_LEVEL: 'silent' }, timeout: 60_000,
  });

  it('adds a domain, prints the DNS records as JSON and lists it', async () => {
    const added = JSON.parse((await cli('add', 'cli.example', '--algorithm', 'ed25519', '--json')).stdout);
    expect(added).toMatchObject({ domain: 'cli.example', algorithm: 'ed25519', status: 'pending' });
    expect(added.records[0].value).toMatch(/^v=DKIM1; k=ed25519; p=/);
    const human = (await cli('list')).stdout;
    expect(human).toContain('TXT postlane._domainkey.cli.example');
    const failed = await cli('add', 'not a domain').then(() => null, (e: { code: number; stderr: string }) => e);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/fully qualified domain name/);
  }, 120_000);
});
