// Turns check facts into a verdict, a risk score and reasons. Rules decide the verdict (a hard
// failure beats everything, an inconclusive network check gives unknown); the score grades it.
import type { OfflineFacts } from './offline.js';
import type { DeliveryOutcome, DnsFacts, SmtpFacts, Verdict, VerifyResult } from './types.js';

export interface VerdictInput {
  email: string;
  facts: OfflineFacts;
  dns: DnsFacts | null;
  smtp: SmtpFacts | null;
}

const clamp = (n: number): number => Math.max(0, Math.min(100, Math.round(n)));

export function decideVerdict(input: VerdictInput): VerifyResult {
  const { facts, dns, smtp } = input;
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
    // An unlisted TLD is suspicious until DNS shows the domain has a mail host (internal TLDs do).
    if (facts.unknownTld && !(dns && (dns.status === 'ok' || dns.status === 'fallback'))) { reasons.push('unknown_tld'); risky = true; score += 35; }
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

/**
 * Corrects a result with what real mail did: a hard bounce makes the address undeliverable;
 * a delivered message turns "unknown" into "deliverable" and lowers the risk score.
 */
export function applyOutcome(result: VerifyResult, outcome: DeliveryOutcome | null): VerifyResult {
  if (!outcome) return result;
  const reasons = result.reasons.filter((r) => r !== 'hard_bounced' && r !== 'delivered_before');
  if (outcome === 'hard_bounce') return { ...result, verdict: 'undeliverable', score: 100, reasons: [...reasons, 'hard_bounced'] };
  if (!result.syntax.valid) return result;
  const verdict: Verdict = result.verdict === 'unknown' || result.verdict === 'undeliverable' ? 'deliverable' : result.verdict;
  const score = verdict === 'deliverable' ? Math.min(clamp(result.score - 20), 15) : clamp(result.score - 20);
  return { ...result, verdict, score, reasons: [...reasons, 'delivered_before'] };
}
