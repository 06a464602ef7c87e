// Server-rendered unsubscribe pages: plain HTML, every dynamic value escaped, no script, and a
// CSP that allows only the one inline stylesheet (by hash) and form posts to this origin.
import { createHash } from 'node:crypto';
import { escapeHtml } from '../lib/html.js';

const STYLE = 'body{font-family:system-ui,Arial,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.5}'
  + 'button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0;cursor:pointer}.muted{color:#666;font-size:.9rem}';

export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
    + `<meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The GET page: explains and offers buttons; rendering it changes nothing (link scanners prefetch GETs). */
export function confirmPage(p: { workspaceName: string; listNames: string[]; email: string }): string {
  const what = p.listNames.length > 0
    ? `from ${p.listNames.map((n) => `<strong>${escapeHtml(n)}</strong>`).join(', ')}`
    : `from all email from <strong>${escapeHtml(p.workspaceName)}</strong>`;
  const all = p.listNames.length > 0 ? '<button type="submit" name="scope" value="all">Unsubscribe from all email</button>' : '';
  return page('Unsubscribe', `<h1>Unsubscribe</h1><p>Unsubscribe <strong>${escapeHtml(p.email)}</strong> ${what}?</p>`
    // No action attribute: the form posts to this very URL, wherever Postlane is mounted.
    + `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">`
    + `<button type="submit" name="scope" value="lists">Unsubscribe</button>${all}</form>`
    + `<p class="muted">Sent by ${escapeHtml(p.workspaceName)}.</p>`);
}

export function donePage(p: { workspaceName: string; listNames: string[]; scope: 'lists' | 'all' }): string {
  const what = p.scope === 'lists' && p.listNames.length > 0 ? p.listNames.map((n) => escapeHtml(n)).join(', ') : `all email from ${escapeHtml(p.workspaceName)}`;
  return page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will no longer receive ${what}.</p>`);
}

export function invalidPage(): string {
  return page('Link not valid', '<h1>This link is not valid</h1><p>The unsubscribe link is incomplete or has been altered. Please use the link from the most recent email.</p>');
}
