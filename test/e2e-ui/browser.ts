// A real Postlane server (SQLite in a temp dir, port 0, capture transport) and Debian's Chromium
// driven by playwright-core, for the browser tests of the admin SPA. Stops at the signed-out start
// page: each test file walks its own path from there.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { startPostlane, type Postlane } from '../../src/main.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'artifacts', 'screenshots');

/** Without Chromium the browser suites are skipped, except under CI=true where they must run. */
export const skipBrowserTests = !existsSync(CHROMIUM) && process.env.CI !== 'true';

export interface AdminBrowser {
  readonly page: Page;
  /** The server's base URL (http://127.0.0.1:PORT). */
  readonly base: string;
  /** Errors seen in the page: uncaught exceptions, and console errors too when asked for. */
  readonly errors: string[];
  /** Saves a full-page screenshot as artifacts/screenshots/<prefix><name>.png. */
  shot(name: string): Promise<Buffer>;
}

/**
 * Registers the hooks that start the server and the browser (beforeAll) and stop them (afterAll);
 * the returned fields are filled in by beforeAll. Call it in a describe body.
 */
export function useAdminBrowser(opts: { tmpPrefix: string; shotPrefix?: string; consoleErrors?: boolean; overrides?: Partial<Config> }): AdminBrowser {
  let dir: string | undefined;
  let server: Postlane | undefined;
  let browser: BrowserContext | undefined;
  let page: Page | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/debian-packages does it in CI)`);
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
      throw new Error('web/dist/index.html is missing: the admin UI is not built. Run `npm run build` (npm ci runs it through prepare).');
    }
    dir = mkdtempSync(join(tmpdir(), opts.tmpPrefix));
    mkdirSync(SHOTS, { recursive: true });
    const config = loadConfig({
      env: {}, file: null,
      overrides: { port: 0, host: '127.0.0.1', dataDir: dir, databaseUrl: `sqlite:${join(dir, 'postlane.db')}`, logLevel: 'warn', publicUrl: 'http://127.0.0.1', ...opts.overrides },
    });
    server = await startPostlane(config);
    browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 860 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(15_000);
    if (opts.consoleErrors) page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const started = <T>(name: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`useAdminBrowser: ${name} is read before beforeAll started the browser`);
    return value;
  };
  return {
    get page() { return started('page', page); },
    get base() { return started('base', server?.url as string | undefined); },
    errors,
    shot: (name) => started('page', page).screenshot({ path: join(SHOTS, `${opts.shotPrefix ?? ''}${name}.png`), fullPage: true }),
  };
}
