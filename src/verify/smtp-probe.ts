// The SMTP mailbox probe: EHLO, MAIL FROM, RCPT TO (the address, then a random local part for
// catch-all detection), QUIT — never DATA. Classifies replies by code, enhanced status and text.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { SmtpFacts, SmtpStatus } from './types.js';

export interface ProbeOptions {
  /** SMTP port of the mail hosts (25; tests inject a loopback port). */
  port: number;
  heloName: string;
  mailFrom: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Wait before the one retry after a greylisting reply (0: no retry). */
  greylistRetryMs: number;
  /** Resolves an MX host name to the address to connect to. */
  hostAddress: (host: string) => Promise<string>;
  sleep?: (ms: number) => Promise<void>;
  randomLocal?: () => string;
}

interface Reply {
  code: number;
  enhanced: string | null;
  text: string;
}

class ProbeAbort extends Error {
  constructor(readonly status: SmtpStatus, message: string, readonly reply: Reply | null = null) {
    super(message);
  }
}

/** One SMTP conversation: sends a line, waits for the complete (possibly multi-line) reply. */
class Conversation {
  private buf = '';
  private lines: string[] = [];
  private waiter: ((r: Reply | Error) => void) | null = null;
  private closed: Error | null = null;

  constructor(private readonly sock: Socket, private readonly timeoutMs: number) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => this.fail(new Error('connection closed')));
  }

  private fail(err: Error): void {
    this.closed ??= err;
    const w = this.waiter;
    this.waiter = null;
    w?.(err);
  }

  private onData(d: string): void {
    this.buf += d;
    if (this.buf.length > 64 * 1024) { this.sock.destroy(); return; }
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      this.lines.push(line);
      // The last line of a reply has a space (or nothing) after the code; others a hyphen.
      if (!/^\d{3}-/.test(line)) {
        const all = this.lines;
        this.lines = [];
        const w = this.waiter;
        this.waiter = null;
        w?.(parseReply(all));
      }
    }
  }

  read(): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<Reply>((resolve, reject) => {
      const t = setTimeout(() => { this.waiter = null; reject(new ProbeAbort('timeout', 'SMTP reply timed out')); }, this.timeoutMs);
      this.waiter = (r) => { clearTimeout(t); if (r instanceof Error) reject(r); else resolve(r); };
    });
  }

  async command(line: string): Promise<Reply> {
    this.sock.write(`${line}\r\n`);
    return this.read();
  }

  end(): void {
    if (!this.closed) this.sock.end('QUIT\r\n');
    this.sock.destroy();
  }
}

function parseReply(lines: string[]): Reply {
  const code = Number(lines[lines.length - 1]?.slice(0, 3)) || 0;
  const text = lines.map((l) => l.slice(4)).join(' ').trim();
  const m = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(text);
  return { code, enhanced: m ? m[1]! : null, text };
}

const GREYLIST = /grey|gray|try (again )?later|temporarily deferred|please retry/i;
const UNKNOWN_USER = /no such (user|mailbox|recipient)|user unknown|unknown (user|recipient|mailbox)|does not exist|doesn't exist|not found|invalid (mailbox|recipient)|no mailbox|mailbox unavailable|address rejected|recipient rejected|undeliverable address/i;
const DISABLED = /disabled|deactivated|inactive|suspended|no longer (active|in use)|account (has been )?(closed|locked)/i;
const FULL = /full|quota|insufficient (system )?storage|too much mail|over ?limit/i;

/** What a RCPT TO reply says about the mailbox: enhanced status first (RFC 3463), then the text. */
export function classifyRcpt(r: Reply): SmtpStatus {
  if (r.code === 250 || r.code === 251) return 'accepted';
  const e = r.enhanced ?? '';
  // X.2.2 mailbox full; X.2.1 mailbox disabled; 5.1.1 bad destination mailbox; 5.7.x policy.
  if (e.endsWith('.2.2') || ((r.code === 452 || r.code === 552) && FULL.test(r.text))) return 'full';
  if (e.endsWith('.2.1')) return 'disabled';
  if (e.startsWith('5.7.')) return 'rejected';
  if (DISABLED.test(r.text)) return 'disabled';
  if (r.code >= 400 && r.code < 500) return GREYLIST.test(r.text) || e === '4.7.1' || r.code === 450 || r.code === 451 ? 'greylisted' : 'error';
  if (e === '5.1.1' || e === '5.1.0' || e === '5.1.6') return 'unknown_user';
  if (r.code >= 550 && r.code <= 553 && UNKNOWN_USER.test(r.text)) return 'unknown_user';
  return 'rejected';
}

function openSocket(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: address, port });
    const t = setTimeout(() => { sock.destroy(); reject(new ProbeAbort('timeout', `connect to ${address}:${port} timed out`)); }, timeoutMs);
    sock.once('connect', () => { clearTimeout(t); resolve(sock); });
    sock.once('error', (err) => { clearTimeout(t); reject(new ProbeAbort('unreachable', err.message)); });
  });
}

const facts = (status: SmtpStatus, host: string | null, r: Reply | null, catchAll: boolean | null = null, message?: string): SmtpFacts => ({
  status, catch_all: catchAll, host, code: r?.code ?? null, enhanced: r?.enhanced ?? null, message: (message ?? r?.text ?? null)?.slice(0, 300) ?? null,
});

/** One session against one host: greeting, EHLO, MAIL, RCPT(address), RCPT(random) when accepted. */
async function session(host: string, email: string, domain: string, o: ProbeOptions, checkCatchAll: boolean): Promise<SmtpFacts> {
  const address = await o.hostAddress(host).catch((err: Error) => { throw new ProbeAbort('unreachable', `cannot resolve ${host}: ${err.message}`); });
  const conv = new Conversation(await openSocket(address, o.port, o.connectTimeoutMs), o.commandTimeoutMs);
  try {
    const greeting = await conv.read();
    if (greeting.code !== 220) throw new ProbeAbort(greeting.code >= 500 ? 'rejected' : 'error', 'greeting refused', greeting);
    let hello = await conv.command(`EHLO ${o.heloName}`);
    if (hello.code >= 500) hello = await conv.command(`HELO ${o.heloName}`);
    if (hello.code !== 250) throw new ProbeAbort('rejected', 'EHLO/HELO refused', hello);
    const mail = await conv.command(`MAIL FROM:<${o.mailFrom}>`);
    if (mail.code !== 250) throw new ProbeAbort(mail.code >= 500 ? 'rejected' : classifyRcpt(mail) === 'greylisted' ? 'greylisted' : 'error', 'MAIL FROM refused', mail);
    const rcpt = await conv.command(`RCPT TO:<${email}>`);
    const status = classifyRcpt(rcpt);
    if (status !== 'accepted' || !checkCatchAll) return facts(status, host, rcpt, status === 'accepted' ? null : false);
    const random = `${(o.randomLocal ?? (() => `pl-${randomBytes(9).toString('hex')}`))()}@${domain}`;
    const probe = await conv.command(`RCPT TO:<${random}>`);
    const catchAll = classifyRcpt(probe) === 'accepted';
    return facts(catchAll ? 'catch_all' : 'accepted', host, rcpt, catchAll);
  } finally {
    conv.end();
  }
}

/**
 * Probes the address against the domain's mail hosts (first two, in preference order). A
 * greylisting reply is retried once after `greylistRetryMs`. Never throws.
 */
export async function probeMailbox(mxHosts: readonly string[], email: string, o: ProbeOptions, checkCatchAll = true): Promise<SmtpFacts> {
  // CRLF or '>' in an address would smuggle SMTP commands: only syntax-checked addresses get here,
  // and this guard holds even if a caller forgets.
  if (/[\r\n<>]/.test(email) || /[\r\n<>\s]/.test(o.mailFrom) || /[\r\n\s]/.test(o.heloName)) return facts('error', null, null, null, 'unsafe characters in probe parameters');
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: SmtpFacts = facts('unreachable', null, null, null, 'no mail host');
  for (const host of mxHosts.slice(0, 2)) {
    try {
      let r = await session(host, email, domain, o, checkCatchAll);
      if (r.status === 'greylisted' && o.greylistRetryMs > 0) {
        await sleep(o.greylistRetryMs);
        r = await session(host, email, domain, o, checkCatchAll);
      }
      return r;
    } catch (err) {
      last = err instanceof ProbeAbort ? facts(err.status, host, err.reply, null, err.message) : facts('unreachable', host, null, null, (err as Error).message);
      // A host that answered (even a refusal) speaks for the domain; only unreachable ones fall through.
      if (last.status !== 'unreachable' && last.status !== 'timeout') return last;
    }
  }
  return last;
}
