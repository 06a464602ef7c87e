// Compliance footer: every marketing message carries a visible unsubscribe link and the
// workspace's postal address (CAN-SPAM, RFC 8058 companions). Appended only when missing.
import { escapeHtml } from '../lib/html.js';

function insertBeforeBodyEnd(html: string, snippet: string): string {
  const idx = html.toLowerCase().lastIndexOf('</body>');
  return idx === -1 ? html + snippet : html.slice(0, idx) + snippet + html.slice(idx);
}

export function ensureHtmlCompliance(html: string, unsubscribeUrl: string, postalAddress: string): string {
  const url = escapeHtml(unsubscribeUrl);
  const address = escapeHtml(postalAddress.trim());
  const needLink = unsubscribeUrl !== '' && !html.includes(url);
  const needAddress = address !== '' && !html.includes(address);
  if (!needLink && !needAddress) return html;
  const parts: string[] = [];
  if (needAddress) parts.push(address.replace(/\r?\n/g, '<br>'));
  if (needLink) parts.push(`<a href="${url}" style="color:#666666">Unsubscribe</a>`);
  const snippet = `<div class="postlane-footer" style="font-family:Arial,sans-serif;font-size:12px;line-height:18px;color:#666666;text-align:center;padding:16px">${parts.join('<br>')}</div>`;
  return insertBeforeBodyEnd(html, snippet);
}

export function ensureTextCompliance(text: string, unsubscribeUrl: string, postalAddress: string): string {
  const address = postalAddress.trim();
  const lines: string[] = [];
  if (address !== '' && !text.includes(address)) lines.push(address);
  if (unsubscribeUrl !== '' && !text.includes(unsubscribeUrl)) lines.push(`Unsubscribe: ${unsubscribeUrl}`);
  if (lines.length === 0) return text;
  return `${text.replace(/\s+$/, '')}\n\n--\n${lines.join('\n')}\n`;
}
