// Turns check facts into a verdict, a risk score and reasons. Rules decide the verdict (a hard
// failure beats everything, an inconclusive network check gives unknown); the score grades it.
import type { OfflineFacts } from './offline.js';
import type { DeliveryOutcome, DnsFacts, SmtpFacts, Verdict, VerifyResult } from './types.js';

export interface VerdictInput {
  email: string;
  facts: OfflineFacts;
  dns: DnsFacts | null;
  smtp: SmtpFacts | null;
  /** The last real delivery outcome recorded for this address, if any. */
  outcome: DeliveryOutcome | null;
}

const clamp = (n: number): number => Math.max(0, Math.min(100, Math.round(n)));

export function decideVerdict(input: VerdictInput): VerifyResult {
  const { facts, dns, smtp, outcome } = input;
  const reasons: string[] = [];
  let hard = false;
  let inconclusive = false;
  let risky = false;
  // Fewer checks, less confidence: the base risk shrinks as DNS and SMTP confirm more.
  let score = smtp ? 5 : dns ? 15 : 30;

  if (!facts.syntax.valid) {
    reasons.push(`syntax:${facts.syntax.diagnosis}`);
    hard = true;
  } else {
    if (facts.syntax.diagnosis !== 'valid') reasons.push(`syntax:${facts.syntax.diagnosis}`);
    if (facts.disposable) { reasons.push('disposable'); risky = true; score += 50; }
    if (facts.role) { reasons.push('role_account'); risky = true; score += 20; }
    if (facts.suggestion) { reasons.push('possible_typo'); risky = true; score += 35; }
    if (facts.unknownTld) { reasons.push('unknown_tld'); risky = true; score += 35; }
    if ((facts.gibberish ?? 0) >= 0.8) { reasons.push('gibberish_local_part'); risky = true; score += 20; }
    if (facts.free) reasons.push('free_provider');
  }

  if (dns) {
    switch (dns.status) {
      case 'ok': break;
      case 'fallback': reasons.push('no_mx_uses_a_record'); score += 10; break;
      case 'null_mx': reasons.push('null_mx'); hard = true; break;
      case 'nxdomain': reasons.push('domain_not_found'); hard = true; break;
      case 'no_mail_host': reasons.push('no_mail_host'); hard = true; break;
      default: reasons.push(`dns_${dns.status}`); inconclusive = true; score += 20;
    }
  }

  if (smtp) {
    switch (smtp.status) {
      case 'accepted': score -= 5; break;
      case 'catch_all': reasons.push('catch_all'); risky = true; score += 30; break;
      case 'unknown_user': reasons.push('mailbox_not_found'); hard = true; break;
      case 'disabled': reasons.push('mailbox_disabled'); hard = true; break;
      case 'full': reasons.push('mailbox_full'); risky = true; score += 40; break;
      case 'rejected': reasons.push('smtp_rejected'); inconclusive = true; score += 25; break;
      default: reasons.push(`smtp_${smtp.status}`); inconclusive = true; score += 20;
    }
  }

  if (outcome === 'hard_bounce') { reasons.push('hard_bounced'); hard = true; }
  if (outcome === 'delivered' && !hard) { reasons.push('delivered_before'); score -= 20; }

  let verdict: Verdict;
  if (hard) { verdict = 'undeliverable'; score = 100; }
  else if (inconclusive) verdict = 'unknown';
  else if (risky) verdict = 'risky';
  else verdict = 'deliverable';
  if (verdict === 'risky') score = Math.max(score, 40);
  if (verdict === 'deliverable') score = Math.min(score, 35);

  return {
    email: input.email,
    verdict,
    score: clamp(score),
    reasons,
    normalized: facts.syntax.normalized,
    syntax: { valid: facts.syntax.valid, diagnosis: facts.syntax.diagnosis },
    domain: facts.domain ?? facts.syntax.domain,
    mx: dns ? dns.mx : null,
    disposable: facts.disposable,
    role: facts.role,
    free: facts.free,
    suggestion: facts.suggestion ? `${facts.syntax.local}@${facts.suggestion}` : null,
    smtp,
  };
}
