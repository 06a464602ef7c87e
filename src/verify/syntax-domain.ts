// Domain-side syntax checks: address literals (IPv4, IPv6: per RFC 5321 §4.1.3) and host names
// (LDH labels, lengths, hyphens, IDN via punycode, TLD rules). Used by the scanner in syntax.ts.
import { isIPv6 } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import type { DiagnosisCode } from './diagnosis.js';

/** Thrown inside the scanner and caught once at its boundary: checkSyntax never throws. */
export class ParseError {
  constructor(readonly code: DiagnosisCode) {}
}

type Warn = (code: DiagnosisCode) => void;

const isLdh = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || (c >= 65 && c <= 90);

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIPv4(text: string): boolean {
  const m = IPV4.exec(text);
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

export function checkAddressLiteral(text: string, warn: Warn): void {
  if (isIPv4(text)) return;
  if (/^ipv6:/i.test(text)) {
    const addr = text.slice(5);
    if (!isIPv6(addr) || addr.includes('%')) throw new ParseError('invalid_domain_literal');
    if (addr.includes('::')) {
      const groups = addr.split(':').filter((g) => g !== '');
      const count = groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
      if (count === 7) warn('ipv6_deprecated');
    }
    return;
  }
  // RFC 5321 General-address-literal needs an IANA-registered tag; none but IPv6 exists.
  throw new ParseError('invalid_domain_literal');
}

/** Converts and checks a host name; returns the lower-case ASCII form. */
export function checkHostname(domain: string, nonAscii: boolean, warn: Warn): string {
  let ascii: string;
  // domainToASCII also validates punycode in ASCII input ("xn--zz" is not decodable).
  if (nonAscii || domain.includes('xn--') || domain.includes('XN--')) {
    ascii = domainToASCII(domain);
    if (ascii === '') throw new ParseError('invalid_idn');
    // A hyphen at the edge of a U-label hides inside its A-label (ü- → xn----dha): check the Unicode form.
    for (const label of domainToUnicode(ascii).split('.')) {
      if (label.startsWith('-')) throw new ParseError('label_hyphen_start');
      if (label.endsWith('-')) throw new ParseError('label_hyphen_end');
    }
  } else {
    ascii = domain.toLowerCase();
  }
  if (ascii.length > 255) throw new ParseError('domain_too_long');
  let labelStart = 0;
  let labels = 0;
  let lastNumeric = true;
  for (let i = 0; i <= ascii.length; i++) {
    const c = i < ascii.length ? ascii.charCodeAt(i) : 46;
    if (c !== 46) {
      if (!isLdh(c)) throw new ParseError('invalid_char_domain');
      continue;
    }
    const len = i - labelStart;
    if (len === 0) throw new ParseError(labels === 0 ? 'domain_dot_start' : i === ascii.length ? 'domain_dot_end' : 'domain_consecutive_dots');
    if (len > 63) throw new ParseError('label_too_long');
    if (ascii.charCodeAt(labelStart) === 45) throw new ParseError('label_hyphen_start');
    if (ascii.charCodeAt(i - 1) === 45) throw new ParseError('label_hyphen_end');
    lastNumeric = /^[0-9]+$/.test(ascii.slice(labelStart, i));
    labels++;
    labelStart = i + 1;
  }
  if (labels === 1) warn('single_label_domain');
  else if (lastNumeric) warn('numeric_tld');
  return ascii;
}
