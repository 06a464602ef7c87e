// Finding and classifying link attributes in HTML. Browsers decode entities and drop tabs/newlines
// before reading a URL scheme, so `&#106;avascript:` and `java\tscript:` are caught here too.

/**
 * href-like attributes that navigate; src= is not matched (images are not rewritten). HTML
 * parsers also start an attribute after "/" or a closing quote (`<a/href=…>`, `title="x"href=…`).
 */
export const LINK_ATTR = /([\s/"'](?:href|xlink:href|action|formaction)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', colon: ':', tab: '\t', newline: '\n', sol: '/', period: '.' };

export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));?/gi, (m, dec?: string, hex?: string, name?: string) => {
    const cp = dec ? Number(dec) : hex ? parseInt(hex, 16) : null;
    if (cp !== null) return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    return NAMED[(name as string).toLowerCase()] ?? m;
  });
}

export type LinkKind = 'http' | 'keep' | 'unsafe';

/** The target as a browser would read it, and whether it may be emitted. */
export function classifyLink(rawAttrValue: string): { kind: LinkKind; url: string } {
  const url = decodeEntities(rawAttrValue).replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'keep', url }; // relative, #anchor, liquid output without scheme
  if (scheme === 'http' || scheme === 'https') return { kind: 'http', url };
  if (scheme === 'mailto' || scheme === 'tel' || scheme === 'sms') return { kind: 'keep', url };
  return { kind: 'unsafe', url };
}

/** Distinct http(s) targets of the navigating attributes of an HTML document. */
export function extractHttpLinks(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(LINK_ATTR)) {
    const c = classifyLink(m[2] ?? m[3] ?? m[4] ?? '');
    if (c.kind === 'http' && isTrackableUrl(c.url)) out.add(c.url);
  }
  return [...out];
}

/** Only absolute, parseable, reasonably sized http(s) URLs without Liquid markup are stored. */
export function isTrackableUrl(url: string): boolean {
  if (url.length > 8192 || /\{\{|\{%/.test(url)) return false;
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
