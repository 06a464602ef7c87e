// Client IPs are personal data: stored truncated (/24 for IPv4, /48 for IPv6) unless the
// workspace opted into full IPs (settings.storeFullIp).
import { isIPv4, isIPv6 } from 'node:net';

export function truncateIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1] as string : ip;
  if (isIPv4(v4)) return v4.split('.').slice(0, 3).concat('0').join('.');
  if (!isIPv6(ip)) return null;
  const [head = '', tail = ''] = ip.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 3).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::`;
}

export function clientIp(ip: string | undefined, storeFullIp: boolean): string | null {
  return storeFullIp ? (ip ?? null) : truncateIp(ip);
}
