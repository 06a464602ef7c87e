// Address verification: syntax → lists/heuristics → DNS → SMTP probe → verdict. The surface
// other modules use; tables and internals stay behind it.
import type { SyntaxPolicy } from './diagnosis.js';
import { offlineChecker, type OfflineChecker } from './offline.js';
import type { Verdict } from './types.js';
import { decideVerdict } from './verdict.js';
import type { DiagnosisCode } from './diagnosis.js';

export type { DiagnosisCode, SyntaxPolicy } from './diagnosis.js';
export { checkSyntax, type SyntaxResult } from './syntax.js';
export { OfflineChecker, offlineChecker } from './offline.js';
export type { Check, DeliveryOutcome, Verdict, VerifyResult } from './types.js';

/**
 * The importer's fast check: syntax, disposable and role lists, no network, synchronous.
 * deliverable | risky (disposable, role, typo…) | undeliverable (bad syntax).
 */
export function verifyForImport(email: unknown, policy: SyntaxPolicy = 'deliverable', checker: OfflineChecker = offlineChecker()): { verdict: Verdict; diagnosis: DiagnosisCode; reasons: string[] } {
  const facts = checker.check(email, policy);
  const r = decideVerdict({ email: typeof email === 'string' ? email : '', facts, dns: null, smtp: null });
  return { verdict: r.verdict, diagnosis: facts.syntax.diagnosis, reasons: r.reasons };
}
