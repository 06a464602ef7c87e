// `npm run bench -- crash [--recipients N] [--kills K] [--concurrency C]`: kill -9 the worker
// process at random moments, restart it each time, then check the at-least-once / never-thrice
// promise against the sink (see docs/delivery.md, "Crash safety").
import { machineLine } from './_machine.js';
import { runCrashTest } from './_crash-harness.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const r = await runCrashTest({ recipients: arg('recipients', 20_000), kills: arg('kills', 6), concurrency: arg('concurrency', 8), log: (s) => process.stderr.write(`${s}\n`) });
const ok = r.missing === 0 && r.thriceOrMore === 0 && r.twice <= r.concurrency * r.kills && r.campaignStatus === 'finished' && r.counts.sent === r.distinctAtSink;
process.stdout.write(`\nbench crash — ${machineLine()}\n`);
process.stdout.write(`inputs: ${r.recipients} recipients, ${r.kills} × kill -9 of the worker process, concurrency ${r.concurrency}, sqlite, sink bench/_sink.ts (separate process)\n`);
process.stdout.write(`sink: ${r.atSink} messages, ${r.distinctAtSink} distinct recipients; missing ${r.missing}; twice ${r.twice} (bound ${r.concurrency * r.kills}); three or more ${r.thriceOrMore}\n`);
process.stdout.write(`ledger: eligible ${r.counts.eligible}, sent ${r.counts.sent}, deferred ${r.counts.deferred}, failed ${r.counts.failed}, skipped ${r.counts.skipped}; campaign ${r.campaignStatus}\n`);
process.stdout.write(`time: ${r.seconds.toFixed(1)} s\nresult: ${ok ? 'PASS' : 'FAIL'}\n`);
process.exitCode = ok ? 0 : 1;
