// A minimal pipelining SMTP sink for benches and the crash test, run as its own process:
//   tsx bench/_sink.ts PORT [LOGFILE]
// Accepts everything; with LOGFILE, appends "RCPT\n" once per message whose final dot arrived.
// Prints "listening PORT" on stdout when ready.
import { openSync, writeSync } from 'node:fs';
import net from 'node:net';

const port = Number(process.argv[2] ?? 0);
const logFd = process.argv[3] ? openSync(process.argv[3], 'a') : null;
let messages = 0;

const server = net.createServer((sock) => {
  sock.setNoDelay(true);
  let buf = '';
  let inData = false;
  let rcpt = '';
  sock.write('220 sink ESMTP\r\n');
  sock.on('error', () => {});
  sock.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    let out = '';
    for (;;) {
      if (inData) {
        const end = buf.indexOf('\r\n.\r\n');
        // Keep only a tail while waiting: the terminator may straddle chunks.
        if (end === -1) {
          if (buf.length > 8) buf = buf.slice(-8);
          break;
        }
        buf = buf.slice(end + 5);
        inData = false;
        messages++;
        if (logFd !== null) writeSync(logFd, `${rcpt}\n`);
        out += '250 2.0.0 Ok: queued\r\n';
        continue;
      }
      const nl = buf.indexOf('\r\n');
      if (nl === -1) break;
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      const cmd = line.slice(0, 4).toUpperCase();
      if (cmd === 'EHLO') out += '250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n';
      else if (cmd === 'HELO') out += '250 sink\r\n';
      else if (cmd === 'MAIL') out += '250 2.1.0 Ok\r\n';
      else if (cmd === 'RCPT') {
        rcpt = /<([^>]*)>/.exec(line)?.[1] ?? '';
        out += '250 2.1.5 Ok\r\n';
      } else if (cmd === 'DATA') {
        inData = true;
        // A client that sends DATA straight after the blank line may already have the dot here.
        buf = `\r\n${buf}`;
        out += '354 End data with <CR><LF>.<CR><LF>\r\n';
      } else if (cmd === 'RSET' || cmd === 'NOOP') out += '250 2.0.0 Ok\r\n';
      else if (cmd === 'QUIT') {
        out += '221 2.0.0 Bye\r\n';
        sock.end(out);
        return;
      } else out += '502 5.5.2 Error: command not recognized\r\n';
    }
    if (out) sock.write(out);
  });
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`sink: ${messages} messages\n`);
  process.exit(0);
});
