// DKIM signing (RFC 6376, relaxed/relaxed) with node:crypto: rsa-sha256 and ed25519-sha256
// (RFC 8463). Keys are KeyObjects made once per campaign; signing runs on signer threads.
import { createHash, type KeyObject } from 'node:crypto';
import { signOnSignerThread } from './dkim-signer.js';
import type { BuiltMessage } from './mime.js';

/** The headers every signature covers (listed even when absent, so they cannot be added later). */
export const SIGNED_HEADERS = [
  'from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'list-unsubscribe', 'list-unsubscribe-post',
] as const;

export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: 'rsa' | 'ed25519';
  privateKey: KeyObject;
}

/** Relaxed body canonicalisation (§3.4.4). Our builder emits no trailing spaces, so the fast path is common. */
export function canonicalBodyRelaxed(body: string, knownRelaxed = false): string {
  let b = body;
  if (!knownRelaxed && /[ \t]\r\n|[ \t]{2,}|\t/.test(b)) b = b.replace(/[ \t]+\r\n/g, '\r\n').replace(/[ \t]+/g, ' ');
  // Trailing empty lines by hand: /(\r\n)+$/ tried a match at every CRLF of a 7 KB body.
  let end = b.length;
  while (end >= 2 && b.charCodeAt(end - 1) === 10 && b.charCodeAt(end - 2) === 13) end -= 2;
  if (end === 0) return '';
  return end === b.length - 2 ? b : `${b.slice(0, end)}\r\n`;
}

/** Relaxed header canonicalisation of one header (§3.4.2): name lower-cased, value unfolded. */
function canonicalHeader(name: string, value: string): string {
  // Most values need nothing (no fold, tab, double or edge space): one test instead of three passes.
  const v = /[\r\n\t]| {2}|^ | $/.test(value) ? value.replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim() : value;
  return `${name.toLowerCase()}:${v}`;
}

/** Splits a header block into [name, value] pairs, folding continuation lines into their header. */
export function parseHeaders(head: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of head.split('\r\n')) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && out.length) {
      const last = out[out.length - 1] as [string, string];
      last[1] += `\r\n${line}`;
    } else {
      const i = line.indexOf(':');
      out.push([line.slice(0, i), line.slice(i + 1)]);
    }
  }
  return out;
}

/** The data to sign and the unsigned DKIM-Signature header, for one key. */
function signingInput(m: BuiltMessage, key: DkimKey, bodyHash: string, timestamp: number): { data: string; header: string } {
  const headers = m.fields ?? parseHeaders(m.head);
  // Signers take the last instance of each listed header (§5.4.2); we emit each at most once.
  const byName = new Map<string, string>();
  for (const [n, v] of headers) byName.set(n.toLowerCase(), canonicalHeader(n, v));
  const present = SIGNED_HEADERS.filter((h) => byName.has(h));
  let data = '';
  for (const h of present) data += `${byName.get(h)}\r\n`;
  // Listing absent headers too "over-signs" them: a relay cannot add them without breaking the signature.
  const h = [...present, ...SIGNED_HEADERS.filter((x) => !byName.has(x))].join(':');
  const a = key.algorithm === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256';
  const header = `DKIM-Signature: v=1; a=${a}; c=relaxed/relaxed; d=${key.domain}; s=${key.selector};\r\n t=${Math.floor(timestamp / 1000)}; h=${h};\r\n bh=${bodyHash}; b=`;
  data += canonicalHeader('DKIM-Signature', header.slice('DKIM-Signature:'.length));
  return { data, header };
}

/** The signature in base64. */
function signData(key: DkimKey, data: string): Promise<string> {
  // ed25519 takes no digest name and signs the SHA-256 of the data (RFC 8463); RSA signs a SHA-256 digest.
  return key.algorithm === 'rsa'
    ? signOnSignerThread(key.privateKey, 'sha256', data, 'utf8')
    : signOnSignerThread(key.privateKey, null, createHash('sha256').update(data, 'utf8').digest('base64'), 'base64');
}

function foldB(b64: string): string {
  const parts: string[] = [];
  for (let i = 0; i < b64.length; i += 72) parts.push(b64.slice(i, i + 72));
  return parts.join('\r\n ');
}

/**
 * Returns the DKIM-Signature header lines (one per key, each ending in CRLF) to prepend to the
 * message. Several keys (RSA + Ed25519) each sign independently, like Postfix/OpenDKIM do.
 */
export async function dkimSign(m: BuiltMessage, keys: readonly DkimKey[], timestamp: number): Promise<string> {
  if (keys.length === 0) return '';
  const bodyHash = createHash('sha256').update(canonicalBodyRelaxed(m.body, m.bodyRelaxed === true)).digest('base64');
  // One key is the common case: no Promise.all and no closure per key on the send path.
  if (keys.length === 1) return signatureHeader(m, keys[0] as DkimKey, bodyHash, timestamp);
  const sigs = await Promise.all(keys.map((key) => signatureHeader(m, key, bodyHash, timestamp)));
  return sigs.join('');
}

/** One key's DKIM-Signature header line, ending in CRLF. */
async function signatureHeader(m: BuiltMessage, key: DkimKey, bodyHash: string, timestamp: number): Promise<string> {
  const { data, header } = signingInput(m, key, bodyHash, timestamp);
  return `${header}${foldB(await signData(key, data))}\r\n`;
}
