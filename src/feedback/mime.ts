// Turns raw bytes into the parts a feedback parser needs (postal-mime does the MIME work): top-level
// headers, the human-readable text, report parts and the embedded original. Stops at MIME.
import PostalMime from 'postal-mime';
import { parseFast } from './fast-mime.js';

export interface ParsedMessage {
  headers: Map<string, string>;
  subject: string;
  from: string;
  to: string | null;
  text: string;
  /** Bodies of message/delivery-status and message/global-delivery-status parts. */
  deliveryStatus: string[];
  /** Bodies of message/feedback-report parts. */
  feedbackReport: string[];
  /** Body of message/disposition-notification parts (read receipts). */
  dispositionNotification: string[];
  /** Header block of the embedded original (message/rfc822 or text/rfc822-headers), if any. */
  originalHeaders: string | null;
  contentType: string;
}

/** Bounces carry the interesting parts near the top; the returned original can be huge. */
export const MAX_PARSE_BYTES = 2 * 1024 * 1024;

/**
 * Lone CR line endings (old Mac tools, some mailbox exports) are invisible to MIME parsers that
 * split on LF: rewrite them to CRLF byte-for-byte (latin1 keeps every byte as-is).
 */
export function normaliseLineEndings(raw: Buffer): Buffer {
  const cr = raw.indexOf(13);
  if (cr === -1) return raw;
  let lone = false;
  for (let i = cr; i < raw.length; i++) {
    if (raw[i] === 13 && raw[i + 1] !== 10) { lone = true; break; }
  }
  if (!lone) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r\n?/g, '\r\n'), 'latin1');
}

export async function parseMessage(input: Buffer | string, options: { fast?: boolean } = {}): Promise<ParsedMessage> {
  let raw = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (raw.length > MAX_PARSE_BYTES) raw = raw.subarray(0, MAX_PARSE_BYTES);
  raw = normaliseLineEndings(raw);
  if (options.fast !== false) {
    const fast = parseFast(raw);
    if (fast) return fast;
  }
  return parseWithPostalMime(raw);
}

/** The reference parser: every message the fast path declines goes through postal-mime. */
export async function parseWithPostalMime(raw: Buffer): Promise<ParsedMessage> {
  const email = await PostalMime.parse(raw, {
    forceRfc822Attachments: true,
    attachmentEncoding: 'utf8',
    maxNestingDepth: 32,
    maxRfc822NestingDepth: 2,
  });
  const headers = new Map<string, string>();
  for (const h of email.headers) if (!headers.has(h.key)) headers.set(h.key, h.value);
  const out: ParsedMessage = {
    headers,
    subject: email.subject ?? '',
    from: addressText(email.from),
    to: email.to?.[0] && 'address' in email.to[0] && email.to[0].address ? email.to[0].address : null,
    text: email.text ?? (email.html ? stripHtml(email.html) : ''),
    deliveryStatus: [],
    feedbackReport: [],
    dispositionNotification: [],
    originalHeaders: null,
    contentType: (headers.get('content-type') ?? '').toLowerCase(),
  };
  for (const a of email.attachments) {
    const body = typeof a.content === 'string' ? a.content : Buffer.from(a.content as ArrayBuffer).toString('utf8');
    const type = a.mimeType.toLowerCase();
    if (type === 'message/delivery-status' || type === 'message/global-delivery-status') out.deliveryStatus.push(body);
    else if (type === 'message/feedback-report') out.feedbackReport.push(body);
    else if (type === 'message/disposition-notification') out.dispositionNotification.push(body);
    else if ((type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/global' || type === 'message/rfc822-headers') && out.originalHeaders === null) {
      out.originalHeaders = headerBlock(body);
    }
  }
  return out;
}

function addressText(addr: { name?: string; address?: string } | undefined): string {
  if (!addr) return '';
  return `${addr.name ?? ''} <${addr.address ?? ''}>`;
}

function stripHtml(html: string): string {
  return html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>/gi, '\n').replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** The header section of a message (up to the first blank line), line endings normalised to LF. */
export function headerBlock(message: string): string {
  const text = message.replace(/\r\n?/g, '\n');
  const end = text.search(/\n\s*\n/);
  return end === -1 ? text : text.slice(0, end);
}

/**
 * Parses "Name: value" fields with RFC 5322 folding. Used for DSN and ARF bodies, which are
 * header-shaped but not headers of the message. Names are lower-cased; repeated names keep all values.
 */
export function parseFields(block: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line) && out.length) {
      out[out.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)$/.exec(line);
    if (m) out.push([m[1]!.toLowerCase(), m[2]!.trim()]);
  }
  return out;
}

/** First value of a header in a raw header block (folded lines joined). */
export function headerValue(block: string | null, name: string): string | null {
  if (!block) return null;
  const lower = name.toLowerCase();
  for (const [k, v] of parseFields(block)) if (k === lower) return v;
  return null;
}

const ADDRESS = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/;

/** Extracts one plausible mailbox from "rfc822; <a@b>", "Name <a@b>" and similar forms. */
export function cleanAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  const v = value.replace(/^\s*(rfc822|utf-8|x-[a-z0-9-]+)\s*;/i, '');
  const m = ADDRESS.exec(v);
  return m ? m[0].replace(/^[.'`]+|[.'`]+$/g, '') : null;
}
