// Child process for bench/verify.ts: the loopback DNS server, kept off the measured core.
// Zone: other names get an MX; dom<i>.example → MX mx.dom<i>.example (every 50th a null MX, every 97th NXDOMAIN).
import { startDnsServer } from '../test/helpers/dns-server.js';

const server = await startDnsServer((name) => {
  const m = /^(mx\.)?dom(\d+)\.example$/.exec(name);
  // Any other name (the popular providers in the mix) has a mail host too.
  if (!m) return name.startsWith('mx.') ? { a: ['127.0.0.1'] } : { mx: [[10, `mx.${name}`]] };
  const i = Number(m[2]);
  if (m[1]) return { a: ['127.0.0.1'] };
  if (i % 97 === 0) return undefined;
  if (i % 50 === 0) return { mx: [[0, '.']] };
  return { mx: [[10, `mx.dom${i}.example`]] };
});
process.send?.({ server: server.server });
process.on('disconnect', () => { void server.close().then(() => process.exit(0)); });
