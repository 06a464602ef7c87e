// A lean RFC 5322 / MIME builder for one-recipient marketing messages (multipart/alternative,
// base64 bodies, RFC 2047 headers). It stops at bytes: signing is dkim.ts, sending is transports/.
import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { AppError } from '../errors.js';

const CRLF = '\r\n';

/**
 * Header-injection guard, used where a value that will reach a header or an SMTP command is
 * ASSIGNED (campaign create/update, test-send addresses, builder inputs). A CR or LF would
 * start a new header (Bcc: …) or a new SMTP command; NUL and other C0 controls are refused too.
 */
export function assertHeaderSafe(field: string, value: string): void {
   
  if (/[\r\n\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw new AppError('bad_request', `${field} must not contain line breaks or control characters`, [{ field, message: 'control characters are not allowed' }]);
  }
}

// A pragmatic addr-spec check: no whitespace, no brackets/commas/quotes that could add a second
// recipient or close the angle-addr, exactly one @, a domain with a dot or an IP literal.
const ADDRESS_RE = /^[^\s<>(),;:"[\]\\@]+@[^\s<>(),;:"[\]\\@]+$/;

/** Validates an address as assigned; returns it with the domain in ASCII (IDNA) form. */
export function assertAddress(field: string, value: string): string {
  assertHeaderSafe(field, value);
  if (value.length > 320 || !ADDRESS_RE.test(value)) {
    throw new AppError('bad_request', `${field} is not a valid email address`, [{ field, message: 'invalid address' }]);
  }
  const at = value.lastIndexOf('@');
  const domain = value.slice(at + 1);
  const ascii = /^[\x20-\x7e]*$/.test(domain) ? domain.toLowerCase() : domainToASCII(domain);
  if (!ascii) throw new AppError('bad_request', `${field} has an invalid domain`, [{ field, message: 'invalid domain' }]);
  return `${value.slice(0, at)}@${ascii}`;
}

// Per-process random prefix + counter: unique without a syscall per message.
const idPrefix = randomBytes(8).toString('hex');
let idCounter = 0;

/** A unique Message-ID (with angle brackets) on the given domain. */
export function newMessageId(domain: string): string {
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `<${idCounter.toString(36)}.${idPrefix}@${domain}>`;
}

/** RFC 5322 date-time in UTC ("Fri, 27 Nov 2026 04:20:11 +0000"). */
export function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

 
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * RFC 2047 B-encoding in chunks of at most 45 bytes (encoded words ≤ 75 chars), never
 * splitting a UTF-8 sequence, folded with CRLF SP. Used for any header text that is not
 * plain printable ASCII, so rendered per-contact text can never carry a raw CR/LF.
 */
export function encodeWords(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const words: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + 45, bytes.length);
    // step back off UTF-8 continuation bytes (10xxxxxx)
    while (end < bytes.length && end > start && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    words.push(`=?UTF-8?B?${bytes.subarray(start, end).toString('base64')}?=`);
    start = end;
  }
  return words.join(`${CRLF} `);
}

/** Unstructured header text (Subject): plain ASCII as is (folded at spaces), else encoded words. */
export function headerText(value: string): string {
  if (PLAIN_ASCII.test(value)) return value.length <= 900 ? value : encodeWords(value);
  return encodeWords(value);
}

/** A mailbox: `"Name" <addr>` with the display name quoted or encoded. */
export function mailbox(address: string, name?: string | null): string {
  if (!name) return `<${address}>`;
  if (PLAIN_ASCII.test(name) && name.length < 200) return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `${encodeWords(name)} <${address}>`;
}

/** Base64 wrapped at 76 characters per line (RFC 2045). */
export function base64Lines(content: string): string {
  const b64 = Buffer.from(content, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

export interface MessageInput {
  from: { address: string; name?: string | null };
  /** Exactly one recipient: marketing mail is never multi-recipient. */
  to: { address: string; name?: string | null };
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
  messageId: string;
  date: number;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post, X-…) already in final form. */
  headers?: ReadonlyArray<readonly [string, string]>;
}

export interface BuiltMessage {
  /** The header block, each line ending in CRLF, without the blank separator line. */
  head: string;
  /** The body (after the blank line), lines ending in CRLF. */
  body: string;
  /** The top-level header fields as emitted (name, value) — lets the signer skip re-parsing. */
  fields?: Array<[string, string]>;
  /**
   * The body is already in DKIM relaxed form (no tab, no run of spaces, no space before a line
   * end): true for what buildMessage emits (base64 lines, part headers), so the signer skips that scan.
   */
  bodyRelaxed?: boolean;
}

/** Joins head and body (and an optional signature header first) into the wire form. */
export function toRaw(m: BuiltMessage, signatureHeader = ''): string {
  return `${signatureHeader}${m.head}${CRLF}${m.body}`;
}

/**
 * Builds the message. Header values that come from data rendered per contact (subject,
 * names) are encoded; addresses and extra headers are checked, so no input can add a header
 * or a recipient.
 */
export function buildMessage(input: MessageInput): BuiltMessage {
  for (const [name, value] of input.headers ?? []) {
    if (!/^[A-Za-z0-9-]+$/.test(name)) throw new AppError('bad_request', `invalid header name ${JSON.stringify(name)}`);
    assertHeaderSafe(name, value);
  }
  assertHeaderSafe('to', input.to.address);
  assertHeaderSafe('from', input.from.address);
   
  const subject = input.subject.replace(/[\r\n\u0000-\u001f\u007f]+/g, ' ');
  const fields: Array<[string, string]> = [
    ['From', mailbox(input.from.address, input.from.name)],
    ['To', mailbox(input.to.address, input.to.name)],
    ['Subject', headerText(subject)],
    ['Date', rfc5322Date(input.date)],
    ['Message-ID', input.messageId],
  ];
  if (input.replyTo) {
    assertHeaderSafe('reply_to', input.replyTo);
    fields.push(['Reply-To', `<${input.replyTo}>`]);
  }
  for (const [name, value] of input.headers ?? []) fields.push([name, value]);
  fields.push(['MIME-Version', '1.0']);

  const textPart = `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64Lines(input.text)}${CRLF}`;
  if (!input.html) {
    fields.push(['Content-Type', 'text/plain; charset=utf-8'], ['Content-Transfer-Encoding', 'base64']);
    return { head: joinFields(fields), body: `${base64Lines(input.text)}${CRLF}`, fields, bodyRelaxed: true };
  }
  // "=_" never occurs in base64 bodies, so a per-process unique boundary needs no randomness per message.
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  const boundary = `=_pl_${idPrefix}_${idCounter.toString(36)}`;
  fields.push(['Content-Type', `multipart/alternative; boundary="${boundary}"`]);
  const body =
    `--${boundary}${CRLF}${textPart}` +
    `--${boundary}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64Lines(input.html)}${CRLF}` +
    `--${boundary}--${CRLF}`;
  return { head: joinFields(fields), body, fields, bodyRelaxed: true };
}

function joinFields(fields: ReadonlyArray<readonly [string, string]>): string {
  let head = '';
  for (const [name, value] of fields) head += `${name}: ${value}${CRLF}`;
  return head;
}
