// A tiny authoritative DNS server over UDP on 127.0.0.1:0 for tests and benchmarks. Answers
// MX/A/AAAA from a zone function; can answer NXDOMAIN, SERVFAIL, slowly or not at all.
import { createSocket, type Socket } from 'node:dgram';

export interface ZoneEntry {
  mx?: Array<[priority: number, exchange: string]>;
  a?: string[];
  aaaa?: string[];
  /** Answer with this rcode instead (3 NXDOMAIN, 2 SERVFAIL, 5 REFUSED). */
  rcode?: number;
  /** Never answer (the client times out). */
  drop?: boolean;
  /** Answer after this many milliseconds. */
  delayMs?: number;
}

export type Zone = (name: string) => ZoneEntry | undefined;

export interface DnsServer {
  port: number;
  server: string; // "127.0.0.1:port" for Resolver.setServers
  queries: Array<{ name: string; type: number }>;
  countQueries(name: string): number;
  close(): Promise<void>;
}

const TYPE_A = 1, TYPE_MX = 15, TYPE_AAAA = 28;

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  const bufs = parts.map((p) => Buffer.concat([Buffer.from([Buffer.byteLength(p)]), Buffer.from(p)]));
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

function ipv6Bytes(addr: string): Buffer {
  const [head, tail] = addr.includes('::') ? addr.split('::') as [string, string] : [addr, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function parseQuestion(msg: Buffer): { name: string; type: number; end: number } | null {
  let off = 12;
  const labels: string[] = [];
  while (off < msg.length) {
    const len = msg[off]!;
    if (len === 0) { off++; break; }
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return null;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(off), end: off + 4 };
}

function rr(type: number, ttl: number, rdata: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0xc00c, 0); // pointer to the question name
  h.writeUInt16BE(type, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt32BE(ttl, 6);
  h.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([h, rdata]);
}

export function buildResponse(query: Buffer, zone: Zone): { reply: Buffer | null; delayMs: number } {
  const q = parseQuestion(query);
  if (!q) return { reply: null, delayMs: 0 };
  const entry = zone(q.name);
  if (entry?.drop) return { reply: null, delayMs: 0 };
  let rcode = entry ? (entry.rcode ?? 0) : 3;
  const answers: Buffer[] = [];
  if (rcode === 0 && entry) {
    if (q.type === TYPE_MX) {
      for (const [prio, ex] of entry.mx ?? []) {
        const p = Buffer.alloc(2);
        p.writeUInt16BE(prio);
        answers.push(rr(TYPE_MX, 300, Buffer.concat([p, encodeName(ex)])));
      }
    } else if (q.type === TYPE_A) {
      for (const ip of entry.a ?? []) answers.push(rr(TYPE_A, 300, Buffer.from(ip.split('.').map(Number))));
    } else if (q.type === TYPE_AAAA) {
      for (const ip of entry.aaaa ?? []) answers.push(rr(TYPE_AAAA, 300, ipv6Bytes(ip)));
    }
  }
  if (rcode > 15) rcode = 2;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  const rd = query[2]! & 0x01;
  header[2] = 0x84 | rd; // QR, AA
  header[3] = rcode;
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return { reply: Buffer.concat([header, query.subarray(12, q.end), ...answers]), delayMs: entry?.delayMs ?? 0 };
}

export async function startDnsServer(zone: Zone): Promise<DnsServer> {
  const sock: Socket = createSocket('udp4');
  const queries: Array<{ name: string; type: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  sock.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (q) queries.push({ name: q.name, type: q.type });
    const { reply, delayMs } = buildResponse(msg, zone);
    if (!reply) return;
    const send = () => sock.send(reply, rinfo.port, rinfo.address);
    if (delayMs > 0) {
      const t = setTimeout(() => { timers.delete(t); send(); }, delayMs);
      timers.add(t);
    } else send();
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const port = sock.address().port;
  return {
    port,
    server: `127.0.0.1:${port}`,
    queries,
    countQueries: (name) => queries.filter((q) => q.name === name).length,
    close: () => new Promise<void>((resolve) => { for (const t of timers) clearTimeout(t); sock.close(() => resolve()); }),
  };
}

/** A zone from a plain record of names. */
export function staticZone(records: Record<string, ZoneEntry>): Zone {
  return (name) => records[name];
}
