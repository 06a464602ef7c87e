// The Liquid sandbox: every test is named after the escape it prevents.
import { expect, it } from 'vitest';
import { compileContent, type RenderVars } from '../../src/content/index.js';
import { AppError } from '../../src/errors.js';
import { describeEachDb, useTestEnv } from '../helpers/context.js';

const vars = (): RenderVars => ({
  contact: { id: 1, email: 'a@example.com', first_name: 'Ann', last_name: null, timezone: null },
  campaign: { id: 1, name: 'c' },
  workspace: { name: 'w', postal_address: 'addr' },
  unsubscribe_url: 'https://x.example/u/t',
});

describeEachDb('template sandbox', (dialect) => {
  const env = useTestEnv(dialect, { app: false, tenants: { t: {} } });

  const render = async (html: string) => (await compileContent(env.ctx, env.t.workspace.id, { subject: 's', html }, { ensureCompliance: false })).render(vars()).html;
  const rejects = async (html: string, pattern?: RegExp) => {
    const err = await compileContent(env.ctx, env.t.workspace.id, { subject: 's', html }, { ensureCompliance: false }).then(() => null, (e: unknown) => e);
    expect(err, html).toBeInstanceOf(AppError);
    if (pattern) expect((err as AppError).message).toMatch(pattern);
  };

  it('prevents reaching constructors and prototypes through variables', async () => {
    for (const expr of [
      '{{ contact.constructor }}', '{{ contact.constructor.constructor }}', "{{ contact['constructor'] }}", '{{ contact.__proto__ }}',
      '{{ contact.email.constructor }}', '{{ contact.hasOwnProperty }}', '{{ contact.toString }}', '{{ campaign.valueOf }}',
      "{% assign f = contact['__proto__'] %}{{ f }}", '{{ contact.constructor.constructor("return process")().env }}',
    ]) {
      let out: string | null = null;
      try {
        out = await render(expr);
      } catch (err) {
        expect(err, expr).toBeInstanceOf(AppError);
        continue;
      }
      expect(out, expr).toBe('');
    }
  });

  it('prevents using JavaScript built-ins as filters', async () => {
    for (const f of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) await rejects(`{{ "" | ${f} }}`, /undefined filter/);
  });

  it('prevents reading files through include, render or layout', async () => {
    for (const tag of ["{% include '/etc/passwd' %}", "{% render '/etc/passwd' %}", "{% include '../../../etc/passwd' %}", "{% layout '/etc/hostname' %}",
      "{% include 'package.json' %}", "{% render 'src/config/schema.ts' %}", '{% include "file:///etc/passwd" %}']) {
      await rejects(tag);
    }
  });

  it('prevents reaching process or environment variables', async () => {
    for (const expr of ['{{ process.env.HOME }}', '{{ env }}', '{{ global.process }}', '{{ globalThis }}', '{{ require }}']) expect(await render(expr), expr).toBe('');
  });

  it('prevents unbounded loops and output from exhausting the process', async () => {
    const err = await compileContent(env.ctx, env.t.workspace.id, { subject: 's', html: '{% for i in (1..100000000) %}xxxxxxxxxx{% endfor %}' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/limit/i);
  });

  it('prevents header injection through the subject: rendered CR/LF become spaces', async () => {
    const c = await compileContent(env.ctx, env.t.workspace.id, { subject: 'Hi {{ contact.first_name }}', html: '<p>x</p>' });
    const v = vars();
    v.contact.first_name = 'Ann\r\nBcc: victim@example.com';
    expect(c.render(v).subject).toBe('Hi Ann Bcc: victim@example.com');
  });

  it('prevents contact data from injecting markup into the html part', async () => {
    const c = await compileContent(env.ctx, env.t.workspace.id, { subject: 's', html: '<p title="{{ contact.first_name }}">{{ contact.first_name }}</p>' });
    const v = vars();
    v.contact.first_name = '"><script>alert(1)</script>';
    expect(c.render(v).html).toContain('<p title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">');
  });

  it('prevents a huge template from being parsed', async () => {
    await rejects(`<p>${'x'.repeat(1_100_000)}</p>`, /limit/i);
  });
});
