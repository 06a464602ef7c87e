// The Liquid sandbox: no filesystem (partials come only from the workspace's fragments), no
// prototype or constructor access, bounded parse/render time and memory. Errors carry line/col.
import { Liquid, type Template } from 'liquidjs';
import { AppError } from '../errors.js';

export type ContentField = 'subject' | 'html' | 'text' | 'mjml';

export interface TemplateIssue {
  field: ContentField;
  line: number | null;
  col: number | null;
  message: string;
}

/** Limits per template: source length, render time (ms) and allocated output (characters). */
export const LIQUID_LIMITS = { parseLimit: 1_000_000, renderLimit: 500, memoryLimit: 20_000_000 } as const;

/**
 * One engine per compile: `templates` maps fragment names to their bodies, which also
 * replaces liquidjs' filesystem lookups entirely (an include of '/etc/passwd' or
 * '../x' is just an unknown fragment). `escapeOutput` HTML-escapes every `{{ }}` in html.
 */
export function sandboxedLiquid(fragments: Record<string, string>, escapeOutput: boolean): Liquid {
  const engine = new Liquid({
    templates: fragments,
    relativeReference: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    outputEscape: escapeOutput ? 'escape' : undefined,
    cache: true,
    jsTruthy: false,
    ...LIQUID_LIMITS,
  });
  registerOwnFilters(engine);
  return engine;
}

// Our own filters beyond liquidjs' standard set (which touches neither I/O nor prototypes).
function registerOwnFilters(engine: Liquid): void {
  // `{{ contact.first_name | fallback: "there" }}` also treats whitespace-only values as empty.
  engine.registerFilter('fallback', (v: unknown, alt: unknown) => (v === null || v === undefined || String(v).trim() === '' ? alt : v));
}

interface LiquidLikeError {
  message: string;
  token?: { getPosition?: () => number[] };
  errors?: LiquidLikeError[];
}

/** Maps a liquidjs error (which knows its token position) to an issue with line and column. */
export function liquidIssue(field: ContentField, err: unknown, lineOffset = 0): TemplateIssue {
  const e = err as LiquidLikeError;
  const first = Array.isArray(e.errors) && e.errors[0] ? e.errors[0] : e;
  const pos = first.token?.getPosition?.();
  const message = String(first.message ?? err).replace(/, line:\d+, col:\d+$/, '').replace(/ in "\.?"$/, '');
  return {
    field,
    line: pos && typeof pos[0] === 'number' ? pos[0] + lineOffset : null,
    col: pos && typeof pos[1] === 'number' ? pos[1] : null,
    message,
  };
}

export function parseOrIssue(engine: Liquid, field: ContentField, source: string, issues: TemplateIssue[]): Template[] | null {
  try {
    return engine.parse(source);
  } catch (err) {
    issues.push(liquidIssue(field, err));
    return null;
  }
}

export function templateError(issues: TemplateIssue[]): AppError {
  const first = issues[0];
  const where = first && first.line !== null ? ` (${first.field} line ${first.line}, col ${first.col})` : first ? ` (${first.field})` : '';
  return new AppError('unprocessable', `template error${where}: ${first?.message ?? 'invalid template'}`, issues);
}
