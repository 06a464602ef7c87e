// The DNS records a sending domain publishes: DKIM TXT (split into ≤255-byte strings, RFC 7208
// 3.3 / RFC 1035), an SPF suggestion and a DMARC p=none suggestion to start monitoring.
import type { DkimAlgorithm } from './keys.js';

export interface DnsRecord { type: 'TXT'; name: string; value: string; strings: string[]; purpose: 'dkim' | 'spf' | 'dmarc'; note: string }

export function splitTxt(value: string, size = 255): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += size) out.push(value.slice(i, i + size));
  return out.length ? out : [''];
}

export function dkimTxtValue(algorithm: DkimAlgorithm, publicValue: string): string {
  return `v=DKIM1; k=${algorithm === 'ed25519' ? 'ed25519' : 'rsa'}; p=${publicValue}`;
}

export function dnsRecords(d: { domain: string; selector: string; algorithm: DkimAlgorithm; publicValue: string; reportAddress?: string | null }): DnsRecord[] {
  const dkim = dkimTxtValue(d.algorithm, d.publicValue);
  const spf = 'v=spf1 mx a ~all';
  const dmarc = `v=DMARC1; p=none; rua=mailto:${d.reportAddress ?? `dmarc-reports@${d.domain}`}`;
  return [
    { type: 'TXT', name: `${d.selector}._domainkey.${d.domain}`, value: dkim, strings: splitTxt(dkim), purpose: 'dkim', note: 'Publish exactly; long values are split into quoted strings of at most 255 bytes.' },
    { type: 'TXT', name: d.domain, value: spf, strings: splitTxt(spf), purpose: 'spf', note: 'Suggestion: add the hosts that send for this domain (include:… for your relay) and keep one SPF record only.' },
    { type: 'TXT', name: `_dmarc.${d.domain}`, value: dmarc, strings: splitTxt(dmarc), purpose: 'dmarc', note: 'Start with p=none to receive reports; tighten to quarantine/reject once aligned.' },
  ];
}
