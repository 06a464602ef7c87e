// The syntax diagnosis catalogue and the two written-down policies (docs/verification.md).
// A code is an error (invalid under every policy), or a form only the `rfc` policy accepts.

export const SYNTAX_POLICIES = ['deliverable', 'rfc'] as const;
export type SyntaxPolicy = (typeof SYNTAX_POLICIES)[number];

export function isSyntaxPolicy(v: unknown): v is SyntaxPolicy {
  return v === 'deliverable' || v === 'rfc';
}

/** 'rfc': valid per RFC 5321/5322 but not what real mail systems accept; 'deprecated': obsolete RFC 5322 syntax. */
type Severity = 'valid' | 'rfc' | 'deprecated' | 'error';

const CATALOGUE = {
  valid: ['valid', 'The address is valid.'],
  // Accepted by the rfc policy, rejected by deliverable.
  quoted_local_part: ['rfc', 'The local part is a quoted string: RFC 5321 allows it, most mail systems and forms reject it.'],
  domain_literal: ['rfc', 'The domain is an address literal in brackets instead of a domain name.'],
  comment: ['rfc', 'The address contains a comment in parentheses (RFC 5322 CFWS), which SMTP does not carry.'],
  folding_whitespace: ['rfc', 'The address contains folding whitespace (RFC 5322 CFWS), which SMTP does not carry.'],
  single_label_domain: ['rfc', 'The domain has no dot (like user@io): valid per RFC 5321, not deliverable in practice.'],
  numeric_tld: ['rfc', 'The top-level domain is all digits, which no real top-level domain is.'],
  obsolete_local_part: ['deprecated', 'The local part uses the obsolete RFC 5322 form (quoted and unquoted words mixed, or whitespace around dots).'],
  obsolete_domain: ['deprecated', 'The domain has whitespace or comments around its dots (obsolete RFC 5322 form).'],
  obsolete_text: ['deprecated', 'A quoted string, comment or literal contains control characters or escapes that RFC 5322 marks obsolete.'],
  cfws_near_at: ['deprecated', 'Comments or whitespace surround the @ sign (deprecated by RFC 5322).'],
  ipv6_deprecated: ['deprecated', 'The IPv6 literal uses :: for a single group of zeros (RFC 5952 advises against it).'],
  // Invalid under every policy.
  not_a_string: ['error', 'The address is not a string.'],
  empty: ['error', 'The address is empty.'],
  no_at: ['error', 'The address has no @ sign.'],
  multiple_at: ['error', 'The address has more than one @ sign outside a quoted string.'],
  empty_local: ['error', 'There is nothing before the @ sign.'],
  empty_domain: ['error', 'There is nothing after the @ sign.'],
  local_too_long: ['error', 'The local part is longer than 64 octets (RFC 5321 §4.5.3.1.1).'],
  domain_too_long: ['error', 'The domain is longer than 255 octets (RFC 5321 §4.5.3.1.2).'],
  address_too_long: ['error', 'The address is longer than 254 octets (RFC 5321 path limit, RFC 3696 erratum 1690).'],
  label_too_long: ['error', 'A domain label is longer than 63 octets (RFC 1035).'],
  dot_start: ['error', 'The local part starts with a dot.'],
  dot_end: ['error', 'The local part ends with a dot.'],
  consecutive_dots: ['error', 'The local part contains two consecutive dots.'],
  domain_dot_start: ['error', 'The domain starts with a dot.'],
  domain_dot_end: ['error', 'The domain ends with a dot.'],
  domain_consecutive_dots: ['error', 'The domain contains two consecutive dots (an empty label).'],
  label_hyphen_start: ['error', 'A domain label starts with a hyphen (RFC 1035, RFC 5891).'],
  label_hyphen_end: ['error', 'A domain label ends with a hyphen (RFC 1035, RFC 5891).'],
  invalid_char_local: ['error', 'The local part contains a character that is not allowed outside quotes (or a space between words).'],
  invalid_char_domain: ['error', 'The domain contains a character that is not allowed in a host name (letters, digits, hyphens, dots).'],
  unclosed_quote: ['error', 'A quoted string is not closed.'],
  unclosed_comment: ['error', 'A comment is not closed.'],
  unclosed_domain_literal: ['error', 'A domain literal ([…]) is not closed.'],
  invalid_domain_literal: ['error', 'The domain literal is not an IPv4 address, an IPv6: address or a tagged SMTP address literal.'],
  control_char: ['error', 'The address contains a control character (NUL, a bare CR or LF, or another C0/C1 control).'],
  bad_line_break: ['error', 'The address contains a line break that is not folding whitespace (CRLF must be followed by a space or tab).'],
  invalid_unicode: ['error', 'The address contains malformed Unicode (a lone surrogate).'],
  invalid_idn: ['error', 'The internationalised domain cannot be converted to an ASCII (punycode) name.'],
  text_after_address: ['error', 'Characters follow the end of the address.'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type DiagnosisCode = keyof typeof CATALOGUE;

export function diagnosisMessage(code: DiagnosisCode): string {
  return CATALOGUE[code][1];
}

export function diagnosisSeverity(code: DiagnosisCode): Severity {
  return CATALOGUE[code][0];
}

export const DIAGNOSIS_CODES = Object.keys(CATALOGUE) as DiagnosisCode[];
