import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, staticZone, type DnsServer } from '../helpers/dns-server.js';

const run = promisify(execFile);

describe('postlane verify (CLI)', () => {
  let dns: DnsServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dns = await startDnsServer(staticZone({ 'good.example': { mx: [[10, 'mx.good.example']] }, 'nullmx.example': { mx: [[0, '.']] } }));
    dir = mkdtempSync(join(tmpdir(), 'pl-cli-'));
    env = { ...process.env, POSTLANE_DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, POSTLANE_VERIFY_DNS_SERVERS: dns.server, POSTLANE_LOG_LEVEL: 'silent' };
  });
  afterAll(() => dns.close());
  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, timeout: 60_000 });

  it('prints one JSON object per input line, in order, including lines that are not addresses', async () => {
    const file = join(dir, 'list.txt');
    writeFileSync(file, 'b@nullmx.example\r\nnot an address\n\u0001\u0000junk\nc@good.example\n');
    const { stdout } = await cli('verify', 'a@good.example', '--file', file, '--checks', 'syntax,dns', '--concurrency', '3', '--json');
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.email, l.verdict])).toEqual([
      ['a@good.example', 'deliverable'], ['b@nullmx.example', 'undeliverable'], ['not an address', 'undeliverable'],
      ['\u0001\u0000junk', 'undeliverable'], ['c@good.example', 'deliverable'],
    ]);
    expect(lines[0]).toMatchObject({ mx: ['mx.good.example'], smtp: null, syntax: { valid: true, diagnosis: 'valid' } });
    expect(lines[2].syntax.diagnosis).toBe('no_at');
  }, 60_000);

  it('exits non-zero on bad options; update-lists installs a list from --file', async () => {
    await expect(cli('verify', '--checks', 'ping', 'x@y.z')).rejects.toMatchObject({ code: 1 });
    const list = join(dir, 'domains.txt');
    writeFileSync(list, Array.from({ length: 12 }, (_, i) => `junk${i}.example`).join('\n'));
    const { stdout } = await cli('verify', 'update-lists', '--file', list, '--json');
    expect(JSON.parse(stdout)).toMatchObject({ domains: 12, source: `file:${list}` });
    expect(JSON.parse(readFileSync(join(dir, 'verify', 'disposable-domains.json'), 'utf8')).domains).toHaveLength(12);
    const { stdout: v } = await cli('verify', '--checks', 'syntax', '--json', 'x@junk3.example');
    expect(JSON.parse(v)).toMatchObject({ disposable: true, verdict: 'risky' });
  }, 60_000);
});
