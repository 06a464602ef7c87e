// Shapes shared by the verification checks and surfaces (API, CLI, jobs, cache).
import type { DiagnosisCode, SyntaxPolicy } from './diagnosis.js';

export const CHECKS = ['syntax', 'dns', 'smtp'] as const;
export type Check = (typeof CHECKS)[number];

export type Verdict = 'deliverable' | 'risky' | 'undeliverable' | 'unknown';

/**
 * ok: MX records; fallback: no MX but A/AAAA (RFC 5321 §5.1 implicit MX); null_mx: RFC 7505;
 * nxdomain: the domain does not exist; no_mail_host: exists but neither MX nor A/AAAA;
 * servfail/timeout/error: the DNS could not answer (never a reason to call an address undeliverable).
 */
export type DnsStatus = 'ok' | 'fallback' | 'null_mx' | 'nxdomain' | 'no_mail_host' | 'servfail' | 'timeout' | 'error';

export interface DnsFacts {
  status: DnsStatus;
  /** Mail hosts in preference order (the domain itself for the implicit-MX fallback). */
  mx: string[];
}

export type SmtpStatus =
  | 'accepted' | 'catch_all' | 'unknown_user' | 'disabled' | 'full' | 'rejected'
  | 'greylisted' | 'unreachable' | 'timeout' | 'error';

export interface SmtpFacts {
  status: SmtpStatus;
  /** The server accepts any local part (a random one was accepted too). */
  catch_all: boolean | null;
  host: string | null;
  code: number | null;
  enhanced: string | null;
  message: string | null;
}

export type DeliveryOutcome = 'hard_bounce' | 'delivered';

/** One verification, exactly the object a CLI line and POST /api/v1/verify return. */
export interface VerifyResult {
  email: string;
  verdict: Verdict;
  /** Risk score: 0 = safe to send, 100 = certain to fail. */
  score: number;
  reasons: string[];
  normalized: string | null;
  syntax: { valid: boolean; diagnosis: DiagnosisCode };
  domain: string | null;
  mx: string[] | null;
  disposable: boolean | null;
  role: boolean | null;
  free: boolean | null;
  suggestion: string | null;
  smtp: SmtpFacts | null;
}

export interface VerifyOptions {
  checks?: readonly Check[];
  policy?: SyntaxPolicy;
}
