// `npm run bench -- render [--n 20000]`: per-recipient render throughput of a compiled campaign
// (subject + html + derived text + compliance footer), link tracking on top, and as baseline a
// bare liquidjs renderSync of the same html in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
import { ManualClock } from '../src/clock.js';
import { defaultConfig } from '../src/config/schema.js';
import { compileContent, saveFragment, type RenderVars } from '../src/content/index.js';
import type { AppContext } from '../src/context.js';
import { openDatabase } from '../src/db/index.js';
import { loadInstanceSecret, runMigrations } from '../src/db/migrate.js';
import { silentLogger } from '../src/log.js';
import { registerCampaignLinks, trackHtml } from '../src/tracking/index.js';
import { createWorkspace } from '../src/workspaces/index.js';
import { machineLine } from './_machine.js';

const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 20000;
const dir = mkdtempSync(join(tmpdir(), 'postlane-bench-render-'));
const handle = openDatabase(`sqlite:${join(dir, 'b.db')}`);
await runMigrations(handle.db);
const ctx: AppContext = {
  db: handle.db, dialect: 'sqlite', dbHandle: handle, log: silentLogger(), clock: new ManualClock(),
  config: { ...defaultConfig(), publicUrl: 'https://mail.example.com', databaseUrl: 'sqlite:x' }, secret: await loadInstanceSecret(handle.db, null),
};
const ws = await createWorkspace(ctx.db, ctx.clock, { name: 'Bench', postalAddress: '1 Bench Road, Berlin' });
await saveFragment(ctx, { workspaceId: ws.id, actor: 'cli' }, 'footer', '<p style="color:#999">Sent to {{ contact.email }} by {{ workspace.name }}. <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>');

const article = (i: number) => `<tr><td style="padding:12px;font-family:Arial"><h2>Story ${i}</h2><p>${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(6)}</p>`
  + `<a href="https://shop.example.com/item/${i}?utm_source=newsletter&amp;utm_medium=email">Read more</a></td></tr>`;
const html = `<!doctype html><html><body><table width="600">`
  + `<tr><td><h1>Hello {{ contact.first_name | default: "there" }}!</h1><p>Your plan: {{ contact.plan | default: "free" }}</p></td></tr>`
  + Array.from({ length: 12 }, (_, i) => article(i)).join('')
  + `<tr><td>{% render 'footer', contact: contact, workspace: workspace, unsubscribe_url: unsubscribe_url %}</td></tr></table></body></html>`;
const subject = '{{ contact.first_name | default: "Friend" }}, your weekly digest';

const vars = (i: number): RenderVars => ({
  contact: { id: i, email: `user${i}@example.com`, first_name: i % 5 ? `Name${i}` : null, last_name: null, timezone: null, plan: i % 3 ? 'gold' : null },
  campaign: { id: 1, name: 'Weekly' }, workspace: { name: 'Bench', postal_address: '1 Bench Road, Berlin' },
  unsubscribe_url: `https://mail.example.com/u/token${i}.mac`,
});

let t0 = performance.now();
const compiled = await compileContent(ctx, ws.id, { subject, html });
const compileMs = performance.now() - t0;

function rate(label: string, fn: (i: number) => unknown): number {
  for (let i = 0; i < 500; i++) fn(i); // warm-up
  t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const perSec = n / ((performance.now() - t0) / 1000);
  process.stdout.write(`${label.padEnd(48)} ${Math.round(perSec).toString().padStart(8)} /s  (${(1e6 / perSec).toFixed(1)} µs each)\n`);
  return perSec;
}

const bare = new Liquid({ templates: { footer: '<p style="color:#999">Sent to {{ contact.email }} by {{ workspace.name }}. <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' } });
const bareTpl = bare.parse(html);
const baseline = rate('baseline: bare liquidjs html renderSync', (i) => bare.renderSync(bareTpl, vars(i)));
const full = rate('compiled render (subject+html+text+footer)', (i) => compiled.render(vars(i)));
await ctx.db.insertInto('campaigns').values({
  workspace_id: ws.id, name: 'b', status: 'sending', subject, from_email: 'a@b.c', from_name: null, reply_to: null, html, text: null, mjml: null, list_ids: '[]', segment_ids: '[]',
  send_at: null, started_at: null, finished_at: null, paused_reason: null, parent_campaign_id: null, derived_kind: null, track_opens: 1, track_clicks: 1, rate_limit: null, settings: '{}', created_at: 0, updated_at: 0,
}).execute();
const links = await registerCampaignLinks(ctx, ws.id, 1, compiled.render(vars(1)).html);
const rendered = compiled.render(vars(1)).html;
const tracked = rate('trackHtml (13 links + pixel)', (i) => trackHtml(links, rendered, { deliveryId: i + 1, trackingConsent: true, trackOpens: true, trackClicks: true }));
const both = rate('render + trackHtml', (i) => trackHtml(links, compiled.render(vars(i)).html, { deliveryId: i + 1, trackingConsent: true, trackOpens: true, trackClicks: true }));

process.stdout.write(`\ninputs: ${n} recipients, html ${(html.length / 1024).toFixed(1)} KB source / ${(rendered.length / 1024).toFixed(1)} KB rendered, 3 personalised fields, 1 fragment, 13 links\n`);
process.stdout.write(`compileContent: ${compileMs.toFixed(0)} ms (once per variant)\n`);
process.stdout.write(`ratio compiled render / bare liquidjs: ${(full / baseline).toFixed(2)}; trackHtml ${Math.round(tracked)}/s; render+track ${Math.round(both)}/s\n`);
process.stdout.write(`${machineLine()}\n`);
await handle.close();
rmSync(dir, { recursive: true, force: true });
