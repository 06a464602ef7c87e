// DKIM signatures on dedicated signer threads (worker_threads), so RSA runs beside the event
// loop instead of inside it or in libuv's pool. It stops at the signature bytes (dkim.ts builds them).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createHash, type KeyObject } from 'node:crypto';

/*
 * Why not `crypto.sign(…, callback)` on libuv's thread pool: queuing a job copies the key
 * handle under the KeyObject's mutex, which a running signature holds (~220 µs for RSA-2048),
 * and four pool threads signing on a 2-core box oversubscribe it. The send bench measured the
 * event loop blocked ~350 µs per message inside `crypto.sign` that way (23 % of its wall time).
 * A signer thread owns its own copy of each key (KeyObjects are cloned by postMessage), keeps
 * its own queue and never shares a lock with the event loop; posting a job costs a few µs.
 * Threads: one per core beyond the first (the event loop keeps one core), at most 4.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { sign } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (m) => {
  if (m.key) { keys.set(m.key.id, m.key.object); return; }
  const table = m.table.map((t) => ({ key: keys.get(t[0]), digest: t[1], encoding: t[2] }));
  let sigs = '';
  let errors = null;
  let pos = 0;
  for (let i = 0; i < m.lens.length; i++) {
    const t = table[m.kinds[i]];
    const data = m.data.slice(pos, (pos += m.lens[i]));
    let sig = '';
    try {
      sig = sign(t.digest, Buffer.from(data, t.encoding), t.key).toString('base64');
    } catch (err) {
      (errors ??= []).push([i, String((err && err.message) || err)]);
    }
    sigs += i === 0 ? sig : ',' + sig;
  }
  parentPort.postMessage({ sigs, errors });
});
`;

/** A signer thread that died or was stopped: nothing is wrong with the message, try it again later. */
export class SignerUnavailableError extends Error {
  readonly transient = true;
}

type Encoding = 'utf8' | 'base64';
interface Pending { resolve: (sigBase64: string) => void; reject: (err: Error) => void }

/*
 * Keys are named by a fingerprint of their material, not by object: every campaign run decrypts
 * its domain keys into new KeyObjects, and a long-running worker must not send (and the signer
 * thread keep) a new copy each time. Computed once per KeyObject.
 */
const fingerprints = new WeakMap<KeyObject, string>();
function fingerprintOf(key: KeyObject): string {
  let f = fingerprints.get(key);
  if (f === undefined) {
    const der = key.export({ format: 'der', type: 'pkcs8' });
    f = createHash('sha256').update(der).digest('base64');
    der.fill(0);
    fingerprints.set(key, f);
  }
  return f;
}

/**
 * Jobs waiting to travel to the thread, packed the way they are cloned: one string holding every
 * job's data back to back plus arrays of numbers. The first protocol sent an object per job
 * ({ id, keyId, digest, data, encoding }); cloning those and the replies cost the event loop
 * ~15 µs per message in the send bench, more than all the rest of the hand-off.
 */
class Outbox {
  ids: number[] = [];
  kinds: number[] = [];
  lens: number[] = [];
  data = '';
  table: Array<[string, string | null, Encoding]> = [];
  private readonly kindOf = new Map<string, number>();

  add(id: number, keyId: string, digest: string | null, data: string, encoding: Encoding): void {
    const name = `${keyId}\u0000${digest ?? ''}\u0000${encoding}`;
    let kind = this.kindOf.get(name);
    if (kind === undefined) {
      kind = this.table.length;
      this.table.push([keyId, digest, encoding]);
      this.kindOf.set(name, kind);
    }
    this.ids.push(id);
    this.kinds.push(kind);
    this.lens.push(data.length);
    this.data += data;
  }
}

/*
 * Batches travel as soon as the turn of the event loop that queued them ends, however many the
 * thread already holds. The first versions held one batch, then two, back until the thread had
 * replied: whenever the event loop was busy (SMTP replies, a group commit) the thread then ran dry
 * with signatures still owed, idle 12-17 % of its time in the send bench. Without the cap it idles
 * only when nothing is owed; the batches it holds are bounded by the route's concurrency anyway.
 */
class SignerThread {
  private worker: Worker | null = null;
  /** Fingerprints of the keys this thread holds. */
  private keysSent = new Set<string>();
  private queued = new Outbox();
  private flushScheduled = false;
  /** The ids of each batch with the thread, oldest first (a reply lists signatures in this order). */
  private out: number[][] = [];
  readonly pending = new Map<number, Pending>();

  constructor(private readonly ids: { next: number }) {}

  sign(key: KeyObject, digest: string | null, data: string, encoding: Encoding): Promise<string> {
    const w = this.ensureWorker();
    const keyId = fingerprintOf(key);
    if (!this.keysSent.has(keyId)) {
      this.keysSent.add(keyId);
      w.postMessage({ key: { id: keyId, object: key } });
    }
    const id = ++this.ids.next;
    if (this.pending.size === 0) w.ref();
    this.queued.add(id, keyId, digest, data, encoding);
    // Jobs queued in the same turn of the event loop travel in one message: every message wakes the
    // thread, and on a busy 2-core box waking it per job cost the event loop ~100 µs per message.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  get load(): number {
    return this.pending.size;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.queued.ids.length || !this.worker) return;
    const { ids, kinds, lens, data, table } = this.queued;
    this.queued = new Outbox();
    this.out.push(ids);
    this.worker.postMessage({ kinds, lens, data, table });
  }

  private settle(reply: { sigs: string; errors: Array<[number, string]> | null }): void {
    const ids = this.out.shift() ?? [];
    const sigs = reply.sigs.split(',');
    const failed = new Map(reply.errors ?? []);
    for (let i = 0; i < ids.length; i++) {
      const p = this.pending.get(ids[i] as number);
      if (!p) continue;
      this.pending.delete(ids[i] as number);
      const error = failed.get(i);
      if (error === undefined) p.resolve(sigs[i] as string);
      else p.reject(new Error(`DKIM signing failed: ${error}`));
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // execArgv: [] — plain CommonJS needs no loader (tsx, test runners) inside the thread.
    const w = new Worker(WORKER_SOURCE, { eval: true, name: 'postlane-dkim-signer', execArgv: [] });
    // One reply per batch: the signatures of the jobs that travelled together, in order.
    w.on('message', (reply: { sigs: string; errors: Array<[number, string]> | null }) => {
      this.settle(reply);
      if (this.pending.size === 0) w.unref();
    });
    const fail = (cause: Error) => {
      if (this.worker !== w) return;
      const err = new SignerUnavailableError(`DKIM signer thread unavailable: ${cause.message}`);
      // A dead signer fails what it held; the next signature starts a fresh thread (keys resent).
      this.worker = null;
      this.keysSent = new Set();
      this.out = [];
      this.queued = new Outbox();
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(err);
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    // An idle signer never keeps the process alive; while signatures are owed it must (see sign()).
    w.unref();
    this.worker = w;
    return w;
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}

const THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));
const ids = { next: 0 };
const threads: SignerThread[] = [];

/**
 * Signs `data` (a string in `encoding`; digest name for RSA, null for Ed25519) on the least busy
 * signer thread; resolves to the signature in base64.
 */
export function signOnSignerThread(key: KeyObject, digest: string | null, data: string, encoding: Encoding): Promise<string> {
  if (threads.length < THREADS) threads.push(new SignerThread(ids));
  let best = threads[0] as SignerThread;
  for (const t of threads) if (t.load < best.load) best = t;
  return best.sign(key, digest, data, encoding);
}

/** Ends the signer threads (shutdown, tests); owed signatures reject with SignerUnavailableError. */
export async function stopSignerThreads(): Promise<void> {
  await Promise.all(threads.map((t) => t.stop()));
}
