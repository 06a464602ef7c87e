// A hand-written equivalent of `html.replace(LINK_ATTR, fn)` for the per-recipient rewrite.
//
// Why: the regex starts a match attempt at every whitespace character of the document (its first
// atom is [\s/"']), several hundred per message, and the send bench spent ~6 % of its event loop
// in that replace. An attribute needs an "=", and a marketing body has a few dozen: this scanner
// jumps from "=" to "=" (indexOf) and checks the name behind it and the value after it.
//
// It must find exactly the regex's matches, or an unsafe link could slip through the
// neutralisation in trackHtml: test/tracking/link-scan.test.ts compares both on random documents
// built from the characters that matter (separators, quotes, every \s, case variants, and the
// non-ASCII letters that fold to ASCII under /i in unicode mode but not here).
//
// The regex, for reference (links.ts, LINK_ATTR):
//   ([\s/"'](?:href|xlink:href|action|formaction)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))  /gi

export type LinkAttrReplacer = (whole: string, prefix: string, dq: string | undefined, sq: string | undefined, bare: string | undefined, offset: number) => string;

/** JS's \s (WhiteSpace and LineTerminator), by code unit. */
export function isJsSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const NAMES = ['href', 'xlink:href', 'action', 'formaction'];

/** The name that ends just before `end` (exclusive), ASCII case-insensitively; its start or -1. */
function nameStartBefore(html: string, end: number): number {
  // "href" is a suffix of "xlink:href" and "action" of "formaction", so each name is tried; at
  // most one can have a separator before it (":" and "m" are not separators).
  for (const name of NAMES) {
    const start = end - name.length;
    if (start < 1) continue;
    let ok = true;
    for (let i = 0; i < name.length; i++) {
      const c = html.charCodeAt(start + i);
      const n = name.charCodeAt(i);
      // Only ASCII letters fold (non-unicode /i never maps a non-ASCII unit to ASCII).
      if (c !== n && !(n >= 0x61 && n <= 0x7a && c === n - 0x20)) {
        ok = false;
        break;
      }
    }
    if (ok && isSeparator(html.charCodeAt(start - 1))) return start;
  }
  return -1;
}

function isSeparator(c: number): boolean {
  return c === 0x2f || c === 0x22 || c === 0x27 || isJsSpace(c);
}

/** End (exclusive) of a bare value starting at `from`: [^\s"'=<>`]+ — `from` itself when empty. */
function bareEnd(html: string, from: number): number {
  let i = from;
  for (; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === 0x22 || c === 0x27 || c === 0x3d || c === 0x3c || c === 0x3e || c === 0x60 || isJsSpace(c)) break;
  }
  return i;
}

/** `html.replace(LINK_ATTR, fn)`, same matches, same arguments, same result. */
export function replaceLinkAttributes(html: string, fn: LinkAttrReplacer): string {
  let out = '';
  let copied = 0; // html[0, copied) is in `out`
  let searchFrom = 0; // where the regex would resume: matches never overlap
  for (let eq = html.indexOf('='); eq !== -1; eq = html.indexOf('=', eq + 1)) {
    // The name, with only \s between it and this "=".
    let nameEnd = eq;
    while (nameEnd > 0 && isJsSpace(html.charCodeAt(nameEnd - 1))) nameEnd--;
    const nameStart = nameStartBefore(html, nameEnd);
    if (nameStart === -1 || nameStart - 1 < searchFrom) continue;
    // The value after \s*; a quote must close, a bare value must be non-empty (else no match
    // starts here: giving back whitespace to \s* leaves a value starting with \s, which no
    // alternative accepts).
    let v = eq + 1;
    while (v < html.length && isJsSpace(html.charCodeAt(v))) v++;
    const q = html.charCodeAt(v);
    let dq: string | undefined;
    let sq: string | undefined;
    let bare: string | undefined;
    let end: number;
    if (q === 0x22 || q === 0x27) {
      const close = html.indexOf(q === 0x22 ? '"' : "'", v + 1);
      if (close === -1) continue;
      if (q === 0x22) dq = html.slice(v + 1, close);
      else sq = html.slice(v + 1, close);
      end = close + 1;
    } else {
      end = bareEnd(html, v);
      if (end === v) continue;
      bare = html.slice(v, end);
    }
    const start = nameStart - 1;
    out += html.slice(copied, start) + fn(html.slice(start, end), html.slice(start, v), dq, sq, bare, start);
    copied = end;
    searchFrom = end;
    // The next "=" worth looking at is past this value (an "=" inside it cannot start a match).
    eq = end - 1;
  }
  return copied === 0 ? html : out + html.slice(copied);
}
