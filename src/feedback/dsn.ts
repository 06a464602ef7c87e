// RFC 3464 delivery status notifications: one entry per recipient, in the order the report lists
// them. Stops at the report fields; reasons come from reasons.ts.
import { cleanAddress, parseFields } from './mime.js';
import { classifyRecipient } from './reasons.js';
import type { RecipientResult } from './types.js';

interface DsnRecipient {
  address: string;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
}

/** Splits a delivery-status body into per-recipient field groups (blank lines separate groups). */
export function parseDeliveryStatus(body: string): DsnRecipient[] {
  const out: DsnRecipient[] = [];
  for (const block of body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    let current: Array<[string, string]> = [];
    for (const field of parseFields(block)) {
      // Some MTAs omit the blank line between recipients: a second Final-Recipient starts a new group.
      if (field[0] === 'final-recipient' && current.some(([n]) => n === 'final-recipient')) {
        pushRecipient(out, current);
        current = [];
      }
      current.push(field);
    }
    pushRecipient(out, current);
  }
  return out;
}

function pushRecipient(out: DsnRecipient[], fields: Array<[string, string]>): void {
  const r = recipientFrom(fields);
  if (r) out.push(r);
}

function recipientFrom(fields: Array<[string, string]>): DsnRecipient | null {
  const get = (n: string) => fields.find(([k]) => k === n)?.[1] ?? null;
  // Original-Recipient is the address we sent to; Final-Recipient may be a forwarding target.
  const original = get('original-recipient');
  const address = cleanAddress(original && /^\s*rfc822\s*;/i.test(original) ? original : null)
    ?? cleanAddress(get('final-recipient')) ?? cleanAddress(get('x-actual-recipient'));
  if (!address) return null;
  const diagnostic = get('diagnostic-code')?.replace(/^\s*(smtp|x-[a-z0-9-]+|x400)\s*;\s*/i, '') ?? null;
  return { address, action: get('action'), status: get('status'), diagnostic };
}

/**
 * Classifies each DSN recipient. When the report has no Diagnostic-Code (Exchange often omits it),
 * the human-readable part is searched for the line that mentions the recipient.
 */
export function dsnRecipients(bodies: string[], humanText: string): RecipientResult[] {
  const results: RecipientResult[] = [];
  for (const body of bodies) {
    for (const r of parseDeliveryStatus(body)) {
      const diagnostic = r.diagnostic || diagnosticFromText(humanText, r.address);
      results.push(classifyRecipient({ address: r.address, action: r.action, status: r.status, diagnostic }));
    }
  }
  return results;
}

/** The paragraph of the human-readable report about one address (or the only one there is). */
export function diagnosticFromText(text: string, address: string): string | null {
  if (!text) return null;
  const t = text.replace(/\r\n?/g, '\n');
  const lower = t.toLowerCase();
  const at = lower.indexOf(address.toLowerCase());
  const from = at === -1 ? 0 : at;
  const tail = t.slice(from, from + 1500);
  const said = /(?:Remote Server returned|Remote host said:|said:|returned|reason:)\s*'?([^\n']{6,400})/i.exec(tail);
  if (said) return said[1]!.trim();
  const smtp = /\b[245]\d\d[ -][^\n]{4,300}/.exec(tail);
  if (smtp) return smtp[0].trim();
  const para = tail.split(/\n\s*\n/).slice(0, 2).join(' ').trim();
  return para.length > 0 ? para.slice(0, 500) : null;
}
