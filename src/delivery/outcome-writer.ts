// Group commit for ledger outcomes: a message's concurrency slot is released only once its
// outcome is durable, so a crash can leave at most `concurrency` sent-but-unrecorded messages.
import type { AppContext } from '../context.js';
import { recordOutcomes, type DeliveryOutcome } from './ledger.js';

export class OutcomeWriter {
  private pending: Array<{ o: DeliveryOutcome; done: (err?: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly ctx: AppContext, private readonly owner: string) {}

  /** Resolves when the outcome is committed (it shares a transaction with whatever else is pending). */
  write(o: DeliveryOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ o, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    // Yield once so outcomes arriving in the same tick join the same transaction.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length) {
      const group = this.pending;
      this.pending = [];
      try {
        await recordOutcomes(this.ctx, this.owner, group.map((g) => g.o));
        for (const g of group) g.done();
      } catch (err) {
        for (const g of group) g.done(err);
      }
    }
    this.flushing = null;
  }

  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}
