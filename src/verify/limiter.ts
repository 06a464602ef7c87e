// Per-key politeness for the SMTP probe: at most N sessions at once and at least M ms between
// session starts per mail provider, so a bulk run never hammers one receiving system.

interface KeyState {
  active: number;
  lastStart: number;
  queue: Array<() => void>;
  timer: NodeJS.Timeout | null;
}

export class KeyedLimiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly maxConcurrent: number, private readonly minIntervalMs: number, private readonly now: () => number = () => performance.now()) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await fn();
    } finally {
      this.release(key);
    }
  }

  private state(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { active: 0, lastStart: -Infinity, queue: [], timer: null };
      this.keys.set(key, s);
    }
    return s;
  }

  private acquire(key: string): Promise<void> {
    const s = this.state(key);
    return new Promise<void>((resolve) => {
      s.queue.push(resolve);
      this.pump(key, s);
    });
  }

  private release(key: string): void {
    const s = this.state(key);
    s.active--;
    this.pump(key, s);
    if (s.active === 0 && s.queue.length === 0 && !s.timer) this.keys.delete(key);
  }

  private pump(key: string, s: KeyState): void {
    while (s.queue.length > 0 && s.active < this.maxConcurrent && !s.timer) {
      const wait = s.lastStart + this.minIntervalMs - this.now();
      if (wait > 0) {
        s.timer = setTimeout(() => { s.timer = null; this.pump(key, s); }, wait);
        return;
      }
      s.active++;
      s.lastStart = this.now();
      s.queue.shift()!();
    }
  }
}
