// RFC 5965 abuse reports (ARF) and Microsoft JMRP-style complaints: the feedback type and the
// complainant. Stops at the report; suppression is the effects layer's job.
import { cleanAddress, headerValue, parseFields, type ParsedMessage } from './mime.js';
import type { RecipientResult } from './types.js';

export interface Complaint {
  feedbackType: string;
  recipients: RecipientResult[];
  source: string;
}

function complainant(address: string): RecipientResult {
  return { address, action: null, status: null, reply_code: null, diagnostic: null, reason: 'feedback', hard: false };
}

// Providers redact the complainant ("redacted@", "xxxxxxx@"): such an address must not be suppressed.
function isRedacted(address: string): boolean {
  return /^(redacted|x+|\*+|null|unknown)@/i.test(address) || /@(redacted|example\.invalid)$/i.test(address);
}

export function parseArf(msg: ParsedMessage): Complaint | null {
  const isReport = msg.feedbackReport.length > 0;
  const jmrp = !isReport ? headerValue(msg.originalHeaders, 'x-hmxmroriginalrecipient') : null;
  if (!isReport && !jmrp) return null;
  if (jmrp) {
    // Microsoft JMRP: a plain message/rfc822 attachment that names the complainant in its own header.
    const address = cleanAddress(jmrp);
    return { feedbackType: 'abuse', recipients: address && !isRedacted(address) ? [complainant(address)] : [], source: 'jmrp' };
  }
  const fields = parseFields(msg.feedbackReport.join('\n').replace(/\r\n?/g, '\n'));
  const get = (n: string) => fields.find(([k]) => k === n)?.[1] ?? null;
  const feedbackType = (get('feedback-type') ?? 'abuse').toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 40) || 'abuse';
  const usable = (values: Array<string | null>) => {
    const seen = new Map<string, string>();
    for (const v of values) {
      const address = cleanAddress(v);
      if (address && !isRedacted(address) && !seen.has(address.toLowerCase())) seen.set(address.toLowerCase(), address);
    }
    return [...seen.values()];
  };
  // Original-Rcpt-To (possibly repeated) names the complainants; the embedded original's To is the fallback.
  let addresses = usable(fields.filter(([k]) => k === 'original-rcpt-to').map(([, v]) => v));
  if (addresses.length === 0) {
    addresses = usable([headerValue(msg.originalHeaders, 'to'), headerValue(msg.originalHeaders, 'delivered-to'), headerValue(msg.originalHeaders, 'x-original-to')]).slice(0, 1);
  }
  const recipients = addresses.map(complainant);
  return { feedbackType, recipients, source: 'arf' };
}
