// kill -9 the worker process at random moments (≥5 times), restart it each time, and check the
// promise: everyone at least once, nobody three times, duplicates bounded by concurrency × kills.
import { expect, it, describe } from 'vitest';
import { runCrashTest } from '../../bench/_crash-harness.js';

describe('crash safety [sqlite, worker child process]', () => {
  it('survives 5 × kill -9: no recipient lost, none sent three times, counts equal the sink', async () => {
    // Leases shorter than a worker's start-up: what a killed worker held is free again when the next one starts.
    const r = await runCrashTest({ recipients: 250, kills: 5, concurrency: 4, batchSize: 20, leaseMs: 300 });
    // The whole report in every message: a failure on a loaded CI box must say what happened.
    const report = JSON.stringify(r);
    expect(r.kills, report).toBe(5);
    expect(r.missing, report).toBe(0);
    expect(r.thriceOrMore, report).toBe(0);
    expect(r.twice, report).toBeLessThanOrEqual(r.concurrency * r.kills);
    expect(r.campaignStatus, report).toBe('finished');
    expect(r.counts, report).toMatchObject({ eligible: 250, sent: 250, deferred: 0, failed: 0 });
    expect(r.distinctAtSink, report).toBe(r.counts.sent);
  }, 300_000);
});
