import { describe, expect, it } from 'vitest';
import { compileContent, saveFragment, templateContact, type RenderVars } from '../../src/content/index.js';
import { AppError } from '../../src/errors.js';
import { createTenant, describeEachDb, openTestContext, useTestEnv } from '../helpers/context.js';

export function vars(over: Partial<RenderVars['contact']> = {}): RenderVars {
  return {
    contact: { id: 7, email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee', timezone: null, ...over },
    campaign: { id: 3, name: 'Spring' },
    workspace: { name: 'Acme', postal_address: '1 Test Street, Berlin' },
    unsubscribe_url: 'https://mail.example.com/u/tok.en',
  };
}

async function issues(p: Promise<unknown>): Promise<Array<{ field: string; line: number | null; col: number | null; message: string }>> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('unprocessable');
    return (err as AppError).details as never;
  }
  throw new Error('expected a template error');
}

describeEachDb('content compile', (dialect) => {
  const env = useTestEnv(dialect, { app: false, tenants: { t: {} } });
  const ws = () => env.t.workspace.id;

  it('personalises with fallbacks and escapes contact data in html but not in text', async () => {
    const c = await compileContent(env.ctx, ws(), {
      subject: 'Hi {{ contact.first_name | default: "there" }}',
      html: '<p>Hello {{ contact.first_name | default: "there" }} {{ contact.company }}</p>',
    });
    expect(c.render(vars()).subject).toBe('Hi Ann');
    const r = c.render(vars({ first_name: null, company: '<script>x</script>' }));
    expect(r.subject).toBe('Hi there');
    expect(r.html).toContain('Hello there &lt;script&gt;x&lt;/script&gt;');
    expect(r.text).toContain('Hello there <script>x</script>');
    const blank = await compileContent(env.ctx, ws(), { subject: 'Hi {{ contact.first_name | fallback: "friend" }}', text: 'x' });
    expect(blank.render(vars({ first_name: '   ' })).subject).toBe('Hi friend');
  });

  it('renders contacts with attributes named toString, valueOf, hasOwnProperty, constructor or __proto__ (prevents such an imported column from failing the recipient)', async () => {
    const c = await compileContent(env.ctx, ws(), {
      subject: 'Hi {{ contact.first_name | fallback: "there" }}',
      html: '<p>{{ contact | fallback: "x" }} {{ contact.city }} {{ contact.toString | default: "-" }}</p>',
    });
    const attributes = JSON.parse('{"toString":"t","valueOf":"v","hasOwnProperty":"h","constructor":"c","__proto__":{"polluted":1},"city":"Köln"}') as unknown;
    const contact = templateContact({ id: 7, email: 'ann@example.com', first_name: 'Ann', last_name: null, timezone: null }, attributes);
    const r = c.render({ ...vars(), contact });
    expect(r.subject).toBe('Hi Ann');
    expect(r.html).toContain('[object Object] Köln -');
    expect(Object.getPrototypeOf(contact)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Core fields win over attributes of the same name.
    expect(templateContact({ id: 1, email: 'a@example.com', first_name: 'A', last_name: null, timezone: null }, { email: 'spoof@example.com' }).email).toBe('a@example.com');
  });

  it('derives the text part from the html template once, rendered per recipient', async () => {
    const c = await compileContent(env.ctx, ws(), { subject: 's', html: '<h1>Welcome {{ contact.first_name }}</h1><p>See <a href="https://example.com/a?x=1&amp;y=2">our shop</a></p>' });
    const r = c.render(vars());
    expect(r.text).toContain('Welcome Ann');
    expect(r.text).toContain('our shop [https://example.com/a?x=1&y=2]');
  });

  it('appends the unsubscribe link and postal address when the template lacks them, in both parts', async () => {
    const c = await compileContent(env.ctx, ws(), { subject: 's', html: '<html><body><p>x</p></body></html>', text: 'plain' });
    const r = c.render(vars());
    expect(r.html).toMatch(/<a href="https:\/\/mail\.example\.com\/u\/tok\.en"[^>]*>Unsubscribe<\/a>.*<\/body><\/html>$/s);
    expect(r.html).toContain('1 Test Street, Berlin');
    expect(r.text).toContain('Unsubscribe: https://mail.example.com/u/tok.en');
    expect(r.text).toContain('1 Test Street, Berlin');
    const own = await compileContent(env.ctx, ws(), { subject: 's', html: '<p><a href="{{ unsubscribe_url }}">Leave</a> {{ workspace.postal_address }}</p>', text: 'Leave: {{ unsubscribe_url }} {{ workspace.postal_address }}' });
    const r2 = own.render(vars());
    expect(r2.html).not.toContain('postlane-footer');
    expect(r2.text).not.toContain('--');
    const off = await compileContent(env.ctx, ws(), { subject: 's', html: '<p>x</p>' }, { ensureCompliance: false });
    expect(off.render(vars()).html).toBe('<p>x</p>');
  });

  it('reports template errors with field, line and column', async () => {
    const found = await issues(compileContent(env.ctx, ws(), { subject: 'ok', html: '<p>\n  {{ contact.first_name | nosuchfilter }}</p>' }));
    expect(found[0]).toMatchObject({ field: 'html', line: 2, col: 3 });
    expect(found[0]?.message).toMatch(/undefined filter: nosuchfilter/);
    const subj = await issues(compileContent(env.ctx, ws(), { subject: 'Hi {% if %}', html: '<p>x</p>' }));
    expect(subj[0]).toMatchObject({ field: 'subject', line: 1 });
    const unclosed = await issues(compileContent(env.ctx, ws(), { subject: 's', text: 'a\nb\n{% for x in y %}' }));
    expect(unclosed[0]).toMatchObject({ field: 'text', line: 3 });
  });

  it('renders versioned fragments from the database, latest version wins', async () => {
    await saveFragment(env.ctx, { workspaceId: ws(), actor: 'cli' }, 'footer', '<p>v1 {{ contact.first_name }}</p>');
    await saveFragment(env.ctx, { workspaceId: ws(), actor: 'cli' }, 'footer', '<p>v2 {{ contact.first_name }}</p>');
    const c = await compileContent(env.ctx, ws(), { subject: 's', html: "<div>{% render 'footer', contact: contact %}</div>" });
    expect(c.render(vars()).html).toContain('<p>v2 Ann</p>');
    const missing = await issues(compileContent(env.ctx, ws(), { subject: 's', html: "x\n{% render 'nope' %}" }));
    expect(missing[0]).toMatchObject({ field: 'html', line: 2 });
  });

  it('does not see fragments of another workspace', async () => {
    const other = await createTenant(env.ctx);
    await saveFragment(env.ctx, { workspaceId: other.workspace.id, actor: 'cli' }, 'secret-footer', 'other tenant');
    await issues(compileContent(env.ctx, ws(), { subject: 's', html: "{% render 'secret-footer' %}" }));
  });

  it('compiles MJML once and keeps Liquid working inside it', async () => {
    const c = await compileContent(env.ctx, ws(), {
      subject: 's',
      mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name | default: "there" }}</mj-text><mj-button href="{{ unsubscribe_url }}">Unsubscribe</mj-button></mj-column></mj-section></mj-body></mjml>',
    });
    const r = c.render(vars());
    expect(r.html).toMatch(/^<!doctype html>/i);
    expect(r.html).toContain('Hi Ann');
    expect(r.html).toContain('href="https://mail.example.com/u/tok.en"');
    expect(r.text).toContain('Hi Ann');
  });

  it('reports MJML validation errors with their line', async () => {
    const found = await issues(compileContent(env.ctx, ws(), { subject: 's', mjml: '<mjml><mj-body><mj-section><mj-column>\n<mj-texx>bad</mj-texx>\n</mj-column></mj-section></mj-body></mjml>' }));
    expect(found[0]).toMatchObject({ field: 'mjml', line: 2 });
  });
});

describe('content compile without a database', () => {
  it('requires some body', async () => {
    const ctx = await openTestContext('sqlite');
    const t = await createTenant(ctx);
    await expect(compileContent(ctx, t.workspace.id, { subject: 'x' })).rejects.toThrow(/html, mjml or text is required/);
    await ctx.destroy();
  });
});
