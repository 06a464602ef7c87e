// SMTP peers for the verifier's probe tests, on 127.0.0.1:0: smtp-server configured to accept
// all, reject unknown users, greylist, report disabled/full mailboxes or answer slowly; and a
// raw socket peer that drops the connection mid-dialogue.
import { createServer, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type PeerMode = 'accept-all' | 'reject-unknown' | 'greylist' | 'slow' | 'policy-block';

export interface SmtpPeer {
  port: number;
  /** RCPT TO addresses seen, in order. */
  rcpts: string[];
  helos: string[];
  mailFroms: string[];
  connections: number;
  maxConcurrent: number;
  sawData: boolean;
  close(): Promise<void>;
}

export interface PeerOptions {
  /** Mailboxes that exist (reject-unknown, greylist). */
  users?: string[];
  disabled?: string[];
  full?: string[];
  /** slow: delay before the greeting. */
  greetingDelayMs?: number;
  /** Hold each session open this long after RCPT (to observe concurrency). */
  rcptDelayMs?: number;
}

export async function startSmtpPeer(mode: PeerMode, opts: PeerOptions = {}): Promise<SmtpPeer> {
  const users = new Set((opts.users ?? []).map((u) => u.toLowerCase()));
  const disabled = new Set((opts.disabled ?? []).map((u) => u.toLowerCase()));
  const full = new Set((opts.full ?? []).map((u) => u.toLowerCase()));
  const greylisted = new Set<string>();
  let active = 0;
  const peer: SmtpPeer = {
    port: 0, rcpts: [], helos: [], mailFroms: [], connections: 0, maxConcurrent: 0, sawData: false,
    close: async () => {},
  };
  const fail = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, cb) {
      peer.connections++;
      active++;
      peer.maxConcurrent = Math.max(peer.maxConcurrent, active);
      if (mode === 'slow') setTimeout(() => cb(), opts.greetingDelayMs ?? 5_000).unref();
      else cb();
    },
    onClose() { active--; },
    onMailFrom(address, session, cb) {
      peer.helos.push(session.hostNameAppearsAs);
      peer.mailFroms.push(address.address);
      cb();
    },
    onRcptTo(address, _session, cb) {
      const rcpt = address.address.toLowerCase();
      peer.rcpts.push(rcpt);
      const finish = (err?: Error) => (opts.rcptDelayMs ? setTimeout(() => cb(err), opts.rcptDelayMs).unref() : cb(err));
      if (mode === 'policy-block') return finish(fail(550, '5.7.1 Service unavailable; client host blocked using zen.spamhaus.org'));
      if (disabled.has(rcpt)) return finish(fail(550, '5.2.1 The email account that you tried to reach is disabled'));
      if (full.has(rcpt)) return finish(fail(452, '4.2.2 The email account that you tried to reach is over quota'));
      if (mode === 'greylist' && !greylisted.has(rcpt)) {
        greylisted.add(rcpt);
        return finish(fail(451, '4.7.1 Greylisted, please try again later'));
      }
      if (mode === 'accept-all' || users.has(rcpt)) return finish();
      return finish(fail(550, '5.1.1 <' + rcpt + '>: Recipient address rejected: User unknown in virtual mailbox table'));
    },
    onData(stream, _session, cb) {
      peer.sawData = true;
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.server.address() as { port: number }).port;
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}

/** Greets and reads EHLO, then drops the connection without a reply. */
export async function startDroppingPeer(): Promise<{ port: number; connections: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { port: 0, connections: 0, close: async () => {} };
  const server: Server = createServer((sock) => {
    state.connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.write('220 drop.test ESMTP\r\n');
    sock.once('data', () => sock.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); });
  return state;
}
