// MJML → HTML, once per variant. Liquid markup passes through MJML untouched; mj-include and
// .mjmlconfig are disabled so a template can neither read files nor load components.
import { type TemplateIssue } from './liquid.js';

export async function compileMjml(source: string, issues: TemplateIssue[]): Promise<string | null> {
  const { default: mjml2html } = await import('mjml');
  try {
    const out = await mjml2html(source, {
      validationLevel: 'soft',
      ignoreIncludes: true,
      useMjmlConfigOptions: false,
      keepComments: false,
    });
    for (const e of out.errors ?? []) issues.push({ field: 'mjml', line: typeof e.line === 'number' ? e.line : null, col: null, message: `${e.tagName}: ${e.message}` });
    return out.html;
  } catch (err) {
    issues.push({ field: 'mjml', line: null, col: null, message: `MJML could not be parsed: ${(err as Error).message}` });
    return null;
  }
}
