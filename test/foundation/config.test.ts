import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

describe('config', () => {
  it('applies defaults: port 8080, SQLite under ./data, public URL from the port', () => {
    const c = loadConfig({ env: {} });
    expect(c.port).toBe(8080);
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.databaseUrl).toMatch(/^sqlite:.*data\/postlane\.db$/);
  });

  it('reads env vars and lets env win over the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ port: 9000, postalAddress: 'From file' }));
    const c = loadConfig({ env: { PORT: '9100', POSTLANE_DATA_DIR: dir }, file });
    expect(c.port).toBe(9100);
    expect(c.postalAddress).toBe('From file');
    expect(c.publicUrl).toBe('http://localhost:9100');
    expect(c.databaseUrl).toBe(`sqlite:${join(dir, 'postlane.db')}`);
  });

  it('lists every bad key in one error', () => {
    let err: unknown;
    try {
      loadConfig({ env: { PORT: 'eighty', DATABASE_URL: 'mysql://x', POSTLANE_SMTP_URL: 'http://relay', POSTLANE_SECRET: 'short' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const key of ['PORT', 'DATABASE_URL', 'POSTLANE_SMTP_URL', 'POSTLANE_SECRET']) expect(problems).toContain(key);
    expect((err as ConfigError).problems).toHaveLength(4);
  });

  it('reads POSTLANE_DKIM_THREADS as a thread count (default: the adaptive pool) and refuses 0', () => {
    expect(loadConfig({ env: {} }).dkimThreads).toBeNull();
    expect(loadConfig({ env: { POSTLANE_DKIM_THREADS: '3' } }).dkimThreads).toBe(3);
    expect(() => loadConfig({ env: { POSTLANE_DKIM_THREADS: '0' } })).toThrow(/POSTLANE_DKIM_THREADS.*between 1 and 16/);
  });

  it('rejects unknown keys in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: {}, file })).toThrow(/prot \(config file\): unknown key/);
  });
});
