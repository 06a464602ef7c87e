// Browser test of the admin pages beyond the main path: deliverability (suppress then remove with
// an audited reason, feed, verification, sending domain records), settings (postal address, an API
// key shown once), templates (a fragment error pointed at by line and column, preview in a
// script-less sandbox) and the dashboard charts. Screenshots go to artifacts/screenshots/ (w2-*).
import { beforeAll, describe, expect, it } from 'vitest';
import { skipBrowserTests, useAdminBrowser } from './browser.js';

describe.skipIf(skipBrowserTests)('admin UI: deliverability, settings, templates, dashboard', () => {
  const ui = useAdminBrowser({ tmpPrefix: 'postlane-ui2-', shotPrefix: 'w2-', overrides: { inboundSmtpPort: 0 } });
  const pageErrors = ui.errors;
  const shot = ui.shot;
  // The tests share one page, signed in as the owner of a fresh install.
  beforeAll(async () => {
    await ui.page.goto(ui.base);
    await ui.page.getByLabel('Email').fill('owner@example.org');
    await ui.page.getByLabel('Password').fill('correct horse battery');
    await ui.page.getByLabel('Organisation').fill('Acme Books');
    await ui.page.getByRole('button', { name: 'Create owner account' }).click();
    await ui.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }, 60_000);

  const nav = async (label: string) => { await ui.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click(); };

  it('dashboard warns about the missing postal address and sending domain and draws seven charts', async () => {
    await expect.poll(() => ui.page.getByRole('img', { name: /in 30 days/ }).count()).toBe(7);
    await ui.page.getByText('No postal address is set').waitFor();
    await ui.page.getByText('No sending domain is set up').waitFor();
    await shot('dashboard');
  });

  it('suppresses an address and removes it again with a reason', async () => {
    await nav('Deliverability');
    await ui.page.getByText('No address is suppressed yet.').waitFor();
    await ui.page.getByLabel('Email address').fill('Gone@Example.com');
    await ui.page.getByRole('button', { name: 'Suppress', exact: true }).click();
    await ui.page.getByRole('cell', { name: 'gone@example.com', exact: true }).waitFor();
    await ui.page.getByRole('button', { name: 'Remove gone@example.com from the suppression list' }).click();
    await ui.page.getByLabel('Why are you removing it?').fill('Opted in again by phone');
    await shot('suppressions');
    await ui.page.getByRole('button', { name: 'Remove from suppression list' }).click();
    await ui.page.getByText('was removed from the suppression list').waitFor();
    await ui.page.getByText('No address is suppressed yet.').waitFor();
    await ui.page.getByRole('link', { name: 'Bounces and complaints' }).click();
    await ui.page.getByText('No bounce or complaint has been received.').waitFor();
  });

  it('explains a verification verdict and lists a sending domain with its DNS records', async () => {
    await ui.page.getByRole('link', { name: 'Verification' }).click();
    await ui.page.getByLabel('Email address').fill('not an address');
    await ui.page.getByRole('button', { name: 'Check', exact: true }).click();
    await ui.page.getByText('Do not email: messages to this address will bounce.').waitFor();
    await shot('verification');
    await ui.page.getByRole('link', { name: 'Sending domains' }).click();
    await ui.page.getByLabel('Domain you send from').fill('news.acme.example');
    await ui.page.getByRole('button', { name: 'Add domain' }).click();
    await ui.page.getByRole('button', { name: 'Copy value: DKIM record value' }).waitFor();
    await expect(ui.page.getByText('_dmarc.news.acme.example')).toBeTruthy();
    await shot('domains');
  });

  it('saves the postal address and shows a new API key exactly once', async () => {
    await nav('Settings');
    await ui.page.getByLabel('Postal address').fill('1 Main Street, Springfield');
    await ui.page.getByRole('button', { name: 'Save changes' }).click();
    await ui.page.getByText('Saved.').waitFor();
    await ui.page.getByRole('link', { name: 'API keys' }).click();
    await ui.page.getByLabel('What is it for?').fill('Website form');
    await ui.page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await ui.page.locator('.secret').textContent()) ?? '';
    expect(secret).toMatch(/^pl_/);
    await ui.page.getByText('This is the only time it is shown.').waitFor();
    await shot('api-keys');
    await ui.page.getByRole('button', { name: 'I have stored it safely' }).click();
    await ui.page.getByRole('cell', { name: 'Website form', exact: true }).waitFor();
    expect(await ui.page.content()).not.toContain(secret);
    await ui.page.getByRole('link', { name: 'Sending route' }).click();
    await ui.page.getByText('Capture (outbox)').waitFor();
  });

  it('points at a template error by line and column and previews in a script-less sandbox', async () => {
    await nav('Templates');
    await ui.page.getByRole('button', { name: 'New fragment' }).click();
    await ui.page.getByLabel('Name', { exact: true }).fill('footer');
    await ui.page.getByRole('button', { name: 'Save new version' }).click();
    await ui.page.getByText('Version 1 (current)', { exact: false }).waitFor();
    await ui.page.getByLabel('Body (HTML with Liquid)').fill('<p>Hi</p>\n<p>{% if x %} open</p>');
    await ui.page.getByRole('button', { name: /Line 2, column \d+/ }).waitFor();
    await ui.page.getByLabel('Body (HTML with Liquid)').fill('<p>Hello <script>parent.document.title="owned"</script>{{ workspace.name }}</p>');
    const frame = ui.page.locator('iframe.preview-frame');
    await expect.poll(async () => frame.getAttribute('srcdoc')).toContain('Hello');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await ui.page.title()).not.toBe('owned');
    await shot('templates');
    // Versions: save a second one, read version 1 read-only, restore it as version 3.
    await ui.page.getByLabel('Body (HTML with Liquid)').fill('<p>Second {{ workspace.name }}</p>');
    await ui.page.getByRole('button', { name: 'Save new version' }).click();
    await ui.page.getByText('Version 2 (current)', { exact: false }).waitFor();
    await ui.page.getByRole('button', { name: 'View version 1' }).click();
    const v1 = ui.page.getByRole('region', { name: 'Version 1 of footer' });
    await expect.poll(() => ui.page.locator(':focus').textContent()).toMatch(/^Version 1/); // focus moves to what was opened
    await expect.poll(() => v1.locator('pre').textContent()).toContain('{{ workspace.name }}');
    await shot('templates-version');
    await v1.getByRole('button', { name: 'Restore as new version' }).click();
    await ui.page.getByText('Restored as version 3.').waitFor();
    await ui.page.getByText('Version 3 (current)', { exact: false }).waitFor();
    await expect.poll(() => ui.page.getByLabel('Body (HTML with Liquid)').inputValue()).not.toContain('Second');
    expect(pageErrors).toEqual([]);
  });
});
