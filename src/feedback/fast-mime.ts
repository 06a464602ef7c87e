// A synchronous MIME splitter for the shapes feedback messages take (multipart/report, plain-text
// NDRs): top headers, text parts, report parts, embedded original headers. postal-mime builds a
// Blob per part, which caps it near 1,000 msg/s; this path is ~10x cheaper. Anything it is unsure
// of (unknown charset, odd structure) returns null and the caller falls back to postal-mime.
import { addressParser, decodeWords } from 'postal-mime';
import { headerBlock, type ParsedMessage } from './mime.js';

const MAX_DEPTH = 16;
const MAX_PARTS = 64;

interface Entity {
  headers: Array<[string, string]>;
  body: string; // latin1 string: one char per byte
}

class Unsupported extends Error {}

/** Returns null when the message needs the full parser (postal-mime). */
export function parseFast(raw: Buffer): ParsedMessage | null {
  try {
    return parseFastOrThrow(raw.toString('latin1').replace(/\r\n/g, '\n'));
  } catch (err) {
    if (err instanceof Unsupported) return null;
    return null;
  }
}

function parseFastOrThrow(text: string): ParsedMessage {
  const root = splitEntity(text);
  const headers = new Map<string, string>();
  for (const [k, v] of root.headers) if (!headers.has(k)) headers.set(k, headerText(v));
  const out: ParsedMessage = {
    headers,
    subject: headers.get('subject') ?? '',
    from: headers.get('from') ?? '',
    to: firstAddress(headers.get('to')),
    text: '',
    deliveryStatus: [],
    feedbackReport: [],
    dispositionNotification: [],
    originalHeaders: null,
    contentType: (headers.get('content-type') ?? '').toLowerCase(),
  };
  const texts: string[] = [];
  const htmls: string[] = [];
  const state = { parts: 0 };
  walk(root, 0, out, texts, htmls, state);
  out.text = texts.length ? texts.join('\n') : htmls.length ? stripTags(htmls.join('\n')) : '';
  return out;
}

function walk(e: Entity, depth: number, out: ParsedMessage, texts: string[], htmls: string[], state: { parts: number }): void {
  if (depth > MAX_DEPTH || ++state.parts > MAX_PARTS) throw new Unsupported('too deep');
  const ct = contentType(e);
  if (ct.type.startsWith('multipart/')) {
    if (!ct.boundary) throw new Unsupported('multipart without boundary');
    for (const part of splitMultipart(e.body, ct.boundary)) walk(splitEntity(part), depth + 1, out, texts, htmls, state);
    return;
  }
  const disposition = (get(e, 'content-disposition') ?? '').toLowerCase();
  switch (ct.type) {
    case 'message/delivery-status':
    case 'message/global-delivery-status':
      out.deliveryStatus.push(decodeBody(e, ct.charset));
      return;
    case 'message/feedback-report':
      out.feedbackReport.push(decodeBody(e, ct.charset));
      return;
    case 'message/disposition-notification':
      out.dispositionNotification.push(decodeBody(e, ct.charset));
      return;
    case 'message/rfc822':
    case 'message/global':
    case 'text/rfc822-headers':
    case 'message/rfc822-headers':
      if (out.originalHeaders === null) out.originalHeaders = headerBlock(decodeBody(e, ct.charset));
      return;
    case 'text/plain':
      if (!disposition.startsWith('attachment')) texts.push(decodeBody(e, ct.charset));
      return;
    case 'text/html':
      if (!disposition.startsWith('attachment')) htmls.push(decodeBody(e, ct.charset));
      return;
    default:
      return;
  }
}

function splitEntity(text: string): Entity {
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const headers: Array<[string, string]> = [];
  for (const line of head.split('\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length) {
      headers[headers.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { headers, body };
}

function get(e: Entity, name: string): string | undefined {
  for (const [k, v] of e.headers) if (k === name) return v;
  return undefined;
}

function contentType(e: Entity): { type: string; boundary: string | null; charset: string } {
  const raw = get(e, 'content-type') ?? 'text/plain';
  const type = (raw.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(raw);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(raw)?.[1]?.toLowerCase() ?? 'utf-8';
  return { type, boundary: boundary ? (boundary[1] ?? boundary[2] ?? null) : null, charset };
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | null = null;
  for (const line of body.split('\n')) {
    if (line.startsWith(delimiter)) {
      const rest = line.slice(delimiter.length).trimEnd();
      if (rest === '' || rest === '--') {
        if (current) parts.push(current.join('\n'));
        current = rest === '--' ? null : [];
        if (rest === '--') break;
        continue;
      }
    }
    current?.push(line);
  }
  if (current) parts.push(current.join('\n')); // unterminated multipart: keep what arrived
  return parts;
}

function decodeBody(e: Entity, charset: string): string {
  const cte = (get(e, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  let bytes: Buffer;
  if (cte === 'base64') bytes = Buffer.from(e.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(e.body);
  else bytes = Buffer.from(e.body, 'latin1');
  return decodeCharset(bytes, charset);
}

function decodeCharset(bytes: Buffer, charset: string): string {
  if (charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii' || charset === 'ascii') return bytes.toString('utf8');
  if (charset === 'iso-8859-1' || charset === 'latin1') return bytes.toString('latin1');
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    throw new Unsupported(`charset ${charset}`);
  }
}

function decodeQuotedPrintable(body: string): Buffer {
  const s = body.replace(/=\n/g, '');
  const out = Buffer.alloc(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61 && i + 2 < s.length + 0 && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out[n++] = parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    } else out[n++] = c & 0xff;
  }
  return out.subarray(0, n);
}

/** Header values: raw 8-bit bytes are taken as UTF-8, then RFC 2047 encoded-words are decoded. */
function headerText(value: string): string {
  const utf8 = /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  return utf8.includes('=?') ? decodeWords(utf8) : utf8;
}

function firstAddress(value: string | undefined): string | null {
  if (!value) return null;
  const list = addressParser(value, { flatten: true });
  return list[0]?.address || null;
}

function stripTags(html: string): string {
  return html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>/gi, '\n').replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
}
