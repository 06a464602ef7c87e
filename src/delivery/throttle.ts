// Throttles for the send loop: a counting semaphore (concurrency per route) and a pacer
// (messages per second). Real timers on purpose: pacing is about wall time on the wire.

export class Semaphore {
  private waiters: Array<() => void> = [];
  private used = 0;
  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.tryAcquire()) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Takes a slot if one is free, without a promise (the send loop's common case). */
  tryAcquire(): boolean {
    if (this.used < this.limit) {
      this.used++;
      return true;
    }
    return false;
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.used--;
  }

  get inUse(): number {
    return this.used;
  }
}

/** Spaces calls to at most `rate` per second (a token bucket with a burst of one second). */
export class Pacer {
  private next = 0;
  constructor(private readonly rate: number | null) {}

  get unlimited(): boolean {
    return !this.rate || this.rate <= 0;
  }

  async wait(): Promise<void> {
    if (!this.rate || this.rate <= 0) return;
    const now = performance.now();
    const interval = 1000 / this.rate;
    this.next = Math.max(this.next + interval, now - 1000 + interval);
    const delay = this.next - now;
    if (delay > 1) await new Promise((r) => setTimeout(r, delay));
  }
}
