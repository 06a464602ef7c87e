// Campaign content: Liquid templates (sandboxed), MJML, the automatic text part and the
// compliance footer. compileContent() does every expensive step once per campaign variant;
// the returned render() is synchronous and does no I/O, so the send loop calls it per recipient.
import type { Liquid, Template } from 'liquidjs';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { loadFragmentBodies } from './fragments.js';
import { ensureHtmlCompliance, ensureTextCompliance } from './footer.js';
import { liquidIssue, parseOrIssue, sandboxedLiquid, templateError, type TemplateIssue } from './liquid.js';
import { compileFastRender, type FastRender } from './fast-render.js';
import { compileMjml } from './mjml.js';
import { htmlToText } from './text.js';

export { deleteFragment, getFragment, getFragmentVersion, listFragments, restoreFragmentVersion, saveFragment, type FragmentDetail, type FragmentSummary } from './fragments.js';
export type { TemplateIssue } from './liquid.js';

export interface ContentSource { subject: string; html?: string | null; text?: string | null; mjml?: string | null }
export interface RenderVars {
  contact: { id: number; email: string; first_name: string | null; last_name: string | null; timezone: string | null; [attr: string]: unknown };
  campaign: { id: number; name: string };
  workspace: { name: string; postal_address: string };
  unsubscribe_url: string;
  [key: string]: unknown;
}
export interface RenderedContent { subject: string; html: string; text: string }
export interface CompiledContent { render(vars: RenderVars): RenderedContent }

/*
 * Attribute names that are members of Object.prototype (toString, valueOf, hasOwnProperty,
 * constructor, __proto__, …). As own data properties they break JS's own conversions: liquidjs
 * printing the object, or our `fallback` filter testing it, call String(contact), which throws
 * when `toString` is a string, and that recipient's render failed. Imports and the events API
 * accept such names, so they are left out of the template variables (stored data is untouched).
 */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** A contact's template variables: its attributes, then the core fields (which attributes cannot shadow). */
export function templateContact(
  core: { id: number; email: string; first_name: string | null; last_name: string | null; timezone: string | null },
  attributes: unknown,
): RenderVars['contact'] {
  const out: Record<string, unknown> = {};
  if (attributes && typeof attributes === 'object' && !Array.isArray(attributes)) {
    for (const key of Object.keys(attributes)) if (!PROTOTYPE_NAMES.has(key)) out[key] = (attributes as Record<string, unknown>)[key];
  }
  out.id = core.id;
  out.email = core.email;
  out.first_name = core.first_name;
  out.last_name = core.last_name;
  out.timezone = core.timezone;
  return out as RenderVars['contact'];
}

/** Variables for previews and the compile-time trial render. */
export function sampleVars(workspace: { name: string; postal_address: string }, unsubscribeUrl = 'https://example.invalid/u/preview'): RenderVars {
  return {
    contact: { id: 0, email: 'jane@example.com', first_name: 'Jane', last_name: 'Doe', timezone: null },
    campaign: { id: 0, name: 'Preview' },
    workspace,
    unsubscribe_url: unsubscribeUrl,
  };
}

/** A parsed template, with its compiled fast path when it has one (see fast-render.ts). */
interface Part { engine: Liquid; tpl: Template[]; fast: FastRender | null }

function parsedPart(engine: Liquid, tpl: Template[]): Part {
  return { engine, tpl, fast: compileFastRender(engine, tpl) };
}

interface Parts {
  html: Part | null;
  text: Part | null;
  subject: Part;
  /** The derived text template failed to parse: convert the rendered html per recipient (slower). */
  textFromRenderedHtml: boolean;
}

async function compileParts(ctx: AppContext, workspaceId: number, src: ContentSource, issues: TemplateIssue[]): Promise<Parts | null> {
  const fragments = await loadFragmentBodies(ctx, workspaceId);
  const htmlEngine = sandboxedLiquid(fragments, true);
  const textEngine = sandboxedLiquid(fragments, false);
  if (typeof src.subject !== 'string' || src.subject.trim() === '') issues.push({ field: 'subject', line: null, col: null, message: 'subject is required' });
  const subjectTpl = parseOrIssue(textEngine, 'subject', src.subject ?? '', issues);

  let htmlSource: string | null = src.html ?? null;
  let htmlField: 'html' | 'mjml' = 'html';
  if (src.mjml) {
    htmlField = 'mjml';
    // Liquid errors are reported against the MJML the user wrote, before MJML reshapes it.
    const before = issues.length;
    parseOrIssue(htmlEngine, 'mjml', src.mjml, issues);
    htmlSource = issues.length === before ? await compileMjml(src.mjml, issues) : null;
  }
  const htmlTpl = htmlSource ? parseOrIssue(htmlEngine, htmlField, htmlSource, issues) : null;

  let textTpl: Template[] | null = null;
  let textFromRenderedHtml = false;
  if (src.text) {
    textTpl = parseOrIssue(textEngine, 'text', src.text, issues);
  } else if (htmlSource && htmlTpl) {
    try {
      textTpl = textEngine.parse(htmlToText(htmlSource));
    } catch {
      textFromRenderedHtml = true;
    }
  }
  if (!src.html && !src.mjml && !src.text) issues.push({ field: 'html', line: null, col: null, message: 'html, mjml or text is required' });
  if (issues.length > 0 || !subjectTpl) return null;
  return {
    subject: parsedPart(textEngine, subjectTpl),
    html: htmlTpl ? parsedPart(htmlEngine, htmlTpl) : null,
    text: textTpl ? parsedPart(textEngine, textTpl) : null,
    textFromRenderedHtml,
  };
}

function renderField(p: Part, field: TemplateIssue['field'], vars: RenderVars): string {
  const fast = p.fast?.(vars);
  if (fast !== undefined) return fast;
  try {
    return p.engine.renderSync(p.tpl, vars) as string;
  } catch (err) {
    throw templateError([liquidIssue(field, err)]);
  }
}

function renderParts(parts: Parts, vars: RenderVars, ensureCompliance: boolean, htmlField: TemplateIssue['field']): RenderedContent {
  // A header value never spans lines: folding is the MIME builder's job, CR/LF would inject headers.
  const subject = renderField(parts.subject, 'subject', vars).replace(/[\r\n\t]+/g, ' ').trim();
  let html = parts.html ? renderField(parts.html, htmlField, vars) : '';
  let text = parts.text ? renderField(parts.text, 'text', vars) : parts.textFromRenderedHtml ? htmlToText(html) : '';
  if (ensureCompliance) {
    const address = vars.workspace?.postal_address ?? '';
    if (html !== '') html = ensureHtmlCompliance(html, vars.unsubscribe_url, address);
    text = ensureTextCompliance(text, vars.unsubscribe_url, address);
  }
  return { subject, html, text };
}

/**
 * Compiles once per campaign variant: Liquid parse, MJML → HTML, fragments from the database,
 * the text template, then a trial render with sample values so render-time errors (an unknown
 * fragment) surface before a send starts. Throws AppError('unprocessable', …, TemplateIssue[]).
 */
export async function compileContent(ctx: AppContext, workspaceId: number, src: ContentSource, opts: { ensureCompliance?: boolean } = {}): Promise<CompiledContent> {
  const issues: TemplateIssue[] = [];
  const parts = await compileParts(ctx, workspaceId, src, issues);
  if (!parts) throw templateError(issues);
  const ensureCompliance = opts.ensureCompliance ?? true;
  const htmlField = src.mjml ? 'mjml' : 'html';
  const trialIssues: TemplateIssue[] = [];
  for (const [field, part] of [['subject', parts.subject], [htmlField, parts.html], ['text', parts.text]] as const) {
    if (!part) continue;
    try {
      part.engine.renderSync(part.tpl, sampleVars({ name: 'Sample', postal_address: 'Sample address' }));
    } catch (err) {
      trialIssues.push(liquidIssue(field, err));
    }
  }
  if (trialIssues.length > 0) throw templateError(trialIssues);
  return { render: (vars) => renderParts(parts, vars, ensureCompliance, htmlField) };
}

/** For callers that want issues instead of an exception (the preview endpoint). */
export function issuesOf(err: unknown): TemplateIssue[] | null {
  return err instanceof AppError && err.code === 'unprocessable' && Array.isArray(err.details) ? (err.details as TemplateIssue[]) : null;
}
