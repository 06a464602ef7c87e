// Browser test of the admin pages beyond the main path: deliverability (suppress then remove with
// an audited reason, feed, verification, sending domain records), settings (postal address, an API
// key shown once), templates (a fragment error pointed at by line and column, preview in a
// script-less sandbox) and the dashboard charts. Screenshots go to artifacts/screenshots/ (w2-*).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startPostlane, type Postlane } from '../../src/main.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'artifacts', 'screenshots');
const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium && process.env.CI !== 'true')('admin UI: deliverability, settings, templates, dashboard', () => {
  let dir: string;
  let server: Postlane;
  let browser: BrowserContext;
  let page: Page;
  let base: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: install Debian's chromium`);
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist/index.html is missing: run `npm run build`.');
    dir = mkdtempSync(join(tmpdir(), 'postlane-ui2-'));
    mkdirSync(SHOTS, { recursive: true });
    const config = loadConfig({
      env: {}, file: null,
      overrides: { port: 0, host: '127.0.0.1', dataDir: dir, databaseUrl: `sqlite:${join(dir, 'postlane.db')}`, logLevel: 'warn', publicUrl: 'http://127.0.0.1', inboundSmtpPort: 0 },
    });
    server = await startPostlane(config);
    base = server.url as string;
    browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 860 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(base);
    await page.getByLabel('Email').fill('owner@example.org');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('Organisation').fill('Acme Books');
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `w2-${name}.png`), fullPage: true });
  const nav = async (label: string) => { await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click(); };

  it('dashboard warns about the missing postal address and sending domain and draws seven charts', async () => {
    await expect.poll(() => page.getByRole('img', { name: /in 30 days/ }).count()).toBe(7);
    await page.getByText('No postal address is set').waitFor();
    await page.getByText('No sending domain is set up').waitFor();
    await shot('dashboard');
  });

  it('suppresses an address and removes it again with a reason', async () => {
    await nav('Deliverability');
    await page.getByText('No address is suppressed yet.').waitFor();
    await page.getByLabel('Email address').fill('Gone@Example.com');
    await page.getByRole('button', { name: 'Suppress', exact: true }).click();
    await page.getByRole('cell', { name: 'gone@example.com', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove gone@example.com from the suppression list' }).click();
    await page.getByLabel('Why are you removing it?').fill('Opted in again by phone');
    await shot('suppressions');
    await page.getByRole('button', { name: 'Remove from suppression list' }).click();
    await page.getByText('was removed from the suppression list').waitFor();
    await page.getByText('No address is suppressed yet.').waitFor();
    await page.getByRole('link', { name: 'Bounces and complaints' }).click();
    await page.getByText('No bounce or complaint has been received.').waitFor();
  });

  it('explains a verification verdict and lists a sending domain with its DNS records', async () => {
    await page.getByRole('link', { name: 'Verification' }).click();
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByText('Do not email: messages to this address will bounce.').waitFor();
    await shot('verification');
    await page.getByRole('link', { name: 'Sending domains' }).click();
    await page.getByLabel('Domain you send from').fill('news.acme.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('button', { name: 'Copy value: DKIM record value' }).waitFor();
    await expect(page.getByText('_dmarc.news.acme.example')).toBeTruthy();
    await shot('domains');
  });

  it('saves the postal address and shows a new API key exactly once', async () => {
    await nav('Settings');
    await page.getByLabel('Postal address').fill('1 Main Street, Springfield');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('What is it for?').fill('Website form');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('.secret').textContent()) ?? '';
    expect(secret).toMatch(/^pl_/);
    await page.getByText('This is the only time it is shown.').waitFor();
    await shot('api-keys');
    await page.getByRole('button', { name: 'I have stored it safely' }).click();
    await page.getByRole('cell', { name: 'Website form', exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('link', { name: 'Sending route' }).click();
    await page.getByText('Capture (outbox)').waitFor();
  });

  it('points at a template error by line and column and previews in a script-less sandbox', async () => {
    await nav('Templates');
    await page.getByRole('button', { name: 'New fragment' }).click();
    await page.getByLabel('Name', { exact: true }).fill('footer');
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByText('Version 1 (current)', { exact: false }).waitFor();
    await page.getByLabel('Body (HTML with Liquid)').fill('<p>Hi</p>\n<p>{% if x %} open</p>');
    await page.getByRole('button', { name: /Line 2, column \d+/ }).waitFor();
    await page.getByLabel('Body (HTML with Liquid)').fill('<p>Hello <script>parent.document.title="owned"</script>{{ workspace.name }}</p>');
    const frame = page.locator('iframe.preview-frame');
    await expect.poll(async () => frame.getAttribute('srcdoc')).toContain('Hello');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await page.title()).not.toBe('owned');
    await shot('templates');
    // Versions: save a second one, read version 1 read-only, restore it as version 3.
    await page.getByLabel('Body (HTML with Liquid)').fill('<p>Second {{ workspace.name }}</p>');
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByText('Version 2 (current)', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'View version 1' }).click();
    const v1 = page.getByRole('region', { name: 'Version 1 of footer' });
    await expect.poll(() => page.locator(':focus').textContent()).toMatch(/^Version 1/); // focus moves to what was opened
    await expect.poll(() => v1.locator('pre').textContent()).toContain('{{ workspace.name }}');
    await shot('templates-version');
    await v1.getByRole('button', { name: 'Restore as new version' }).click();
    await page.getByText('Restored as version 3.').waitFor();
    await page.getByText('Version 3 (current)', { exact: false }).waitFor();
    await expect.poll(() => page.getByLabel('Body (HTML with Liquid)').inputValue()).not.toContain('Second');
    expect(pageErrors).toEqual([]);
  });
});
