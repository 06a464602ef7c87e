// A compiled fast path for the templates most campaigns are made of: literal HTML/text and
// `{{ a.b.c }}` outputs with `default`/`fallback` filters. liquidjs renders such a template per
// recipient through generators, a Context and per-output filter objects (~35 µs for the three
// parts of the send bench's message); this joins strings. Anything else — tags, other filters,
// values that are not plain data — goes to liquidjs, so the sandbox and its semantics stay theirs.
import { Output, TokenKind, type Liquid, type Template } from 'liquidjs';

interface Hole {
  path: string[];
  filters: Array<{ name: 'default' | 'fallback'; arg: string }>;
  escape: boolean;
}
type Piece = string | Hole;

/** Renders with plain data; undefined when a value needs liquidjs (the caller falls back). */
export type FastRender = (vars: Record<string, unknown>) => string | undefined;

// Property names liquidjs gives a meaning of its own (sizes, first/last elements): not fast.
const SPECIAL_KEYS = new Set(['size', 'first', 'last']);
const UNSUPPORTED = Symbol('unsupported');

interface TemplateInternals { token: { kind: number }; str?: unknown }
interface FilterInternals { name: string; args: unknown[] }
interface TokenInternals { kind: number; content?: unknown; props?: TokenInternals[] }

function holeOf(engine: Liquid, out: Output): Hole | null {
  const postfix = (out.value.initial as unknown as { postfix: TokenInternals[] }).postfix;
  const access = postfix.length === 1 ? postfix[0] : undefined;
  if (!access || access.kind !== TokenKind.PropertyAccess || !access.props?.length) return null;
  const path: string[] = [];
  for (const p of access.props) {
    if (p.kind !== TokenKind.Word || typeof p.content !== 'string' || SPECIAL_KEYS.has(p.content)) return null;
    path.push(p.content);
  }
  const filters = out.value.filters as unknown as FilterInternals[];
  // With outputEscape set, liquidjs appended its escape filter last (Output's constructor).
  const escape = engine.options.outputEscape !== undefined;
  const own = escape ? filters.slice(0, -1) : filters;
  if (escape && (filters.length === 0 || (filters[filters.length - 1] as FilterInternals).name !== String(Object.prototype.toString.call(engine.options.outputEscape)))) return null;
  const hole: Hole = { path, filters: [], escape };
  for (const f of own) {
    const arg = f.args[0] as TokenInternals | undefined;
    if ((f.name !== 'default' && f.name !== 'fallback') || f.args.length !== 1 || Array.isArray(arg) || !arg || arg.kind !== TokenKind.Quoted || typeof arg.content !== 'string') return null;
    hole.filters.push({ name: f.name, arg: arg.content });
  }
  return hole;
}

/** The fast renderer for a parsed template, or null when it uses anything beyond outputs. */
export function compileFastRender(engine: Liquid, templates: Template[]): FastRender | null {
  const pieces: Piece[] = [];
  for (const t of templates) {
    const kind = (t as unknown as TemplateInternals).token?.kind;
    const str = (t as unknown as TemplateInternals).str;
    if (kind === TokenKind.HTML && typeof str === 'string') {
      pieces.push(str);
    } else if (kind === TokenKind.Output && t instanceof Output) {
      const hole = holeOf(engine, t);
      if (!hole) return null;
      pieces.push(hole);
    } else {
      return null;
    }
  }
  return (vars) => {
    let out = '';
    for (const p of pieces) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const v = valueOf(vars, p);
      if (v === UNSUPPORTED) return undefined;
      out += v;
    }
    return out;
  };
}

/** liquidjs' readProperty with ownPropertyOnly, for plain objects only. */
function lookup(vars: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = vars;
  for (const key of path) {
    if (v === null || v === undefined) return v;
    if (typeof v !== 'object' || Array.isArray(v)) return UNSUPPORTED;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return UNSUPPORTED;
    if (typeof (v as { toLiquid?: unknown }).toLiquid === 'function') return UNSUPPORTED;
    v = Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

function valueOf(vars: Record<string, unknown>, hole: Hole): string | typeof UNSUPPORTED {
  let v = lookup(vars, hole.path);
  if (v !== null && v !== undefined && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return UNSUPPORTED;
  for (const f of hole.filters) {
    if (f.name === 'default') {
      // liquidjs: strings by length; otherwise Liquid falsiness (false, nil) — 0 is kept.
      v = typeof v === 'string' ? (v.length ? v : f.arg) : v === false || v === null || v === undefined ? f.arg : v;
    } else {
      v = v === null || v === undefined || String(v).trim() === '' ? f.arg : v;
    }
  }
  const s = v === null || v === undefined ? '' : String(v as string | number | boolean);
  return hole.escape ? escapeLikeLiquid(s) : s;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
/** liquidjs' `escape` filter, character for character (&#34; and &#39; for quotes). */
function escapeLikeLiquid(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (m) => ESCAPES[m] as string) : s;
}
