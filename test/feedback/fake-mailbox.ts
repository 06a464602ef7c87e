// An in-memory IMAP mailbox with the part of imapflow's interface the poller uses.
import type { ImapClientLike } from '../../src/feedback/imap-poller.js';

export class FakeMailbox implements ImapClientLike {
  messages = new Map<number, { source: Buffer; seen: boolean }>();
  failFlagging = false;
  /** Adds an unseen message under the next uid. */
  add(raw: string): number {
    const uid = this.messages.size + 1;
    this.messages.set(uid, { source: Buffer.from(raw), seen: false });
    return uid;
  }
  locks = 0;
  async connect() {}
  async logout() {}
  async getMailboxLock() {
    this.locks++;
    return { release: () => { this.locks--; } };
  }
  async search(q: { seen: boolean }) {
    return [...this.messages].filter(([, m]) => m.seen === q.seen).map(([uid]) => uid);
  }
  async fetchOne(uid: string) {
    const m = this.messages.get(Number(uid));
    return m ? { source: m.source } : false;
  }
  async messageFlagsAdd(uid: string, flags: string[]) {
    if (this.failFlagging) throw new Error('connection lost');
    const m = this.messages.get(Number(uid));
    if (m && flags.includes('\\Seen')) m.seen = true;
    return true;
  }
}
