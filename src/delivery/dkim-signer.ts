// DKIM signatures on dedicated signer threads (worker_threads), so RSA runs beside the event
// loop instead of inside it or in libuv's pool. It stops at the signature bytes (dkim.ts builds them).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createHash, type KeyObject } from 'node:crypto';
import { signerBusySeconds, signerThreads } from './metrics.js';

/*
 * Why not `crypto.sign(…, callback)` on libuv's thread pool: queuing a job copies the key
 * handle under the KeyObject's mutex, which a running signature holds (~220 µs for RSA-2048),
 * and four pool threads signing on a 2-core box oversubscribe it. The send bench measured the
 * event loop blocked ~350 µs per message inside `crypto.sign` that way (23 % of its wall time).
 * A signer thread owns its own copy of each key (KeyObjects are cloned by postMessage), keeps
 * its own queue and never shares a lock with the event loop; posting a job costs a few µs.
 * Threads: one per core beyond the first (the event loop keeps one core), at most 4, and one more
 * while those are saturated (see SignerPool).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { sign } = require('node:crypto');
const keys = new Map();
parentPort.on('message', (m) => {
  if (m.key) { keys.set(m.key.id, m.key.object); return; }
  const started = performance.now();
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
  parentPort.postMessage({ sigs, errors, busy: performance.now() - started });
});
`;

/** A signer thread that died or was stopped: nothing is wrong with the message, try it again later. */
export class SignerUnavailableError extends Error {
  readonly transient = true;
}

type Encoding = 'utf8' | 'base64';
interface Pending { resolve: (sigBase64: string) => void; reject: (err: Error) => void }
interface Reply { sigs: string; errors: Array<[number, string]> | null; busy: number }

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
  /** Milliseconds the thread spent signing, as it reported them (the pool reads and resets it). */
  busyMs = 0;

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

  private settle(reply: Reply): void {
    this.busyMs += reply.busy;
    signerBusySeconds.inc(reply.busy / 1000);
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
    w.on('message', (reply: Reply) => {
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

const cores = availableParallelism();
/** The pool's bounds: `base` threads always, growing to `max` while all of them are saturated. */
export interface SignerThreadsSetting {
  base: number;
  max: number;
  /** Length of the window over which a thread's busy share is measured (ms). */
  windowMs?: number;
}
const defaultSetting = (): SignerThreadsSetting => ({ base: Math.max(1, Math.min(4, cores - 1)), max: Math.max(1, Math.min(4, cores)) });

/*
 * Why the pool grows: the best thread count depends on what a signature costs next to the rest of
 * a message. With OpenSSL's AVX-512 path (RSA-2048 ~250 µs) one signer thread keeps up with the
 * event loop on 2 cores, and a second one only took CPU from it (2,861 / 2,448 against 3,106 /
 * 3,013 msgs/s, docs/delivery-performance.md round 3). Where a signature costs ~1 ms (AMD EPYC,
 * AVX2 only) the one signer thread is the bottleneck at ~1,000 msgs/s while the event loop still
 * has CPU to spare, and a second thread sends more (round 5). So the pool measures instead of
 * guessing: when every thread was busy at least SATURATED of SATURATED_WINDOWS windows in a row,
 * it adds one, up to `max` (several windows, so that one busy second on a box whose thread averages
 * ~91 % does not add a thread that costs more than it gives). It does not shrink: an idle thread
 * costs nothing but its isolate (~9 MB).
 */
const SATURATED = 0.95;
const SATURATED_WINDOWS = 3;

class SignerPool {
  private readonly threads: SignerThread[] = [];
  private readonly ids = { next: 0 };
  private setting = defaultSetting();
  private windowStart = performance.now();
  /** Windows in a row in which every thread was saturated. */
  private saturatedRun = 0;

  configure(setting: SignerThreadsSetting): void {
    this.setting = { ...setting, max: Math.max(setting.base, setting.max) };
  }

  get size(): number {
    return this.threads.length;
  }

  sign(key: KeyObject, digest: string | null, data: string, encoding: Encoding): Promise<string> {
    if (this.threads.length < this.setting.base) this.grow(this.setting.base);
    let best = this.threads[0] as SignerThread;
    for (const t of this.threads) if (t.load < best.load) best = t;
    const p = best.sign(key, digest, data, encoding);
    const now = performance.now();
    const elapsed = now - this.windowStart;
    if (elapsed >= (this.setting.windowMs ?? 1000)) this.review(elapsed, now);
    return p;
  }

  private review(elapsed: number, now: number): void {
    this.windowStart = now;
    this.saturatedRun = this.threads.every((t) => t.busyMs >= SATURATED * elapsed) ? this.saturatedRun + 1 : 0;
    for (const t of this.threads) t.busyMs = 0;
    if (this.saturatedRun >= SATURATED_WINDOWS && this.threads.length < this.setting.max) {
      this.saturatedRun = 0;
      this.grow(this.threads.length + 1);
    }
  }

  private grow(to: number): void {
    while (this.threads.length < to) this.threads.push(new SignerThread(this.ids));
    signerThreads.set(this.threads.length);
  }

  /** Ends every thread; the next signature starts the pool again at `base` threads. */
  async stop(): Promise<void> {
    const threads = this.threads.splice(0);
    signerThreads.set(0);
    this.windowStart = performance.now();
    this.saturatedRun = 0;
    await Promise.all(threads.map((t) => t.stop()));
  }
}

const pool = new SignerPool();

/**
 * Sets how many signer threads sign: a number fixes it (POSTLANE_DKIM_THREADS), null restores the
 * default (one per core beyond the first, at most 4, growing by one while they are saturated).
 * Called at start-up; threads already started stay until stopSignerThreads().
 */
export function configureSignerThreads(setting: number | SignerThreadsSetting | null): void {
  pool.configure(setting === null ? defaultSetting() : typeof setting === 'number' ? { base: setting, max: setting } : setting);
}

/** Signer threads started so far in this process. */
export function signerThreadCount(): number {
  return pool.size;
}

/**
 * Signs `data` (a string in `encoding`; digest name for RSA, null for Ed25519) on the least busy
 * signer thread; resolves to the signature in base64.
 */
export function signOnSignerThread(key: KeyObject, digest: string | null, data: string, encoding: Encoding): Promise<string> {
  return pool.sign(key, digest, data, encoding);
}

/** Ends the signer threads (shutdown, tests); owed signatures reject with SignerUnavailableError. */
export async function stopSignerThreads(): Promise<void> {
  await pool.stop();
}
