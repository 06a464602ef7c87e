// HTML escaping shared by server-rendered pages and template footers. Matches liquidjs'
// `escape` filter so an escaped value can be found again in rendered output.
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** Index of the last </body> (any case) without lower-casing the whole document; -1 if none. */
export function lastBodyClose(html: string): number {
  const exact = html.lastIndexOf('</body>');
  if (exact !== -1) return exact;
  let last = -1;
  for (const m of html.matchAll(/<\/body\s*>/gi)) last = m.index;
  return last;
}
