// Template preview for the editor: compile + render with a real contact (or a sample) and
// return either the rendered parts or the issues with line/column, never a stack trace.
import type { AppContext } from '../context.js';
import { fromJson } from '../db/dialect.js';
import { notFound } from '../errors.js';
import { getWorkspace } from '../workspaces/index.js';
import { compileContent, issuesOf, sampleVars, templateContact, type ContentSource, type RenderedContent, type RenderVars } from './index.js';
import type { TemplateIssue } from './liquid.js';

/** The render variables of a stored contact: attributes first, so core fields cannot be shadowed. */
export async function contactVars(ctx: AppContext, workspaceId: number, contactId: number): Promise<RenderVars['contact']> {
  const c = await ctx.db.selectFrom('contacts').select(['id', 'email', 'first_name', 'last_name', 'timezone', 'attributes'])
    .where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!c) throw notFound('contact');
  return templateContact({ id: Number(c.id), email: c.email, first_name: c.first_name, last_name: c.last_name, timezone: c.timezone }, fromJson<unknown>(c.attributes, {}));
}

export async function previewContent(
  ctx: AppContext,
  workspaceId: number,
  src: ContentSource,
  contactId?: number | null,
): Promise<{ ok: true; rendered: RenderedContent } | { ok: false; issues: TemplateIssue[] }> {
  const ws = await getWorkspace(ctx.db, workspaceId);
  if (!ws) throw notFound('workspace');
  const vars = sampleVars({ name: ws.name, postal_address: ws.postalAddress ?? '' }, `${ctx.config.publicUrl.replace(/\/+$/, '')}/u/preview`);
  if (contactId) vars.contact = await contactVars(ctx, workspaceId, contactId);
  try {
    const compiled = await compileContent(ctx, workspaceId, src);
    return { ok: true, rendered: compiled.render(vars) };
  } catch (err) {
    const issues = issuesOf(err);
    if (issues) return { ok: false, issues };
    throw err;
  }
}
