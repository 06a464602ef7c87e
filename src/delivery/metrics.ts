// Prometheus metrics of the send path, counted in the process that sends. A process with the HTTP
// app serves them on its /metrics; a worker-only process serves them on POSTLANE_METRICS_PORT
// (metrics-server.ts). The ledger stays the truth about a campaign: these say what this process
// did and is doing, for rates and alerts.
import { Counter, Gauge, Registry } from 'prom-client';

/** One registry per process: the send path's metrics are process-wide, like the routes they count. */
export const deliveryRegistry = new Registry();

/** Outcomes made durable (committed to the ledger), by route and outcome. */
export const messagesTotal = new Counter({
  name: 'postlane_delivery_messages_total',
  help: 'Delivery outcomes committed to the ledger by this process (sent, deferred, failed, skipped)',
  labelNames: ['route', 'outcome'] as const,
  registers: [deliveryRegistry],
});

/** Messages started and not yet durable, per route: plain numbers the send loop bumps (a labelled
 * prom-client inc hashes its labels on every call), read when Prometheus scrapes. */
const inFlightByRoute = new Map<string, { n: number }>();

/** The in-flight count of a route, to increment when a message starts and decrement when it is durable. */
export function inFlightOf(route: string): { n: number } {
  let h = inFlightByRoute.get(route);
  if (!h) {
    h = { n: 0 };
    inFlightByRoute.set(route, h);
  }
  return h;
}

export const inFlight = new Gauge({
  name: 'postlane_delivery_in_flight_messages',
  help: 'Messages this process has started whose outcome is not committed yet',
  labelNames: ['route'] as const,
  registers: [deliveryRegistry],
  collect() {
    for (const [route, h] of inFlightByRoute) this.set({ route }, h.n);
  },
});

/** Rate-limit calls that fell back to local pacing because Redis did not answer. */
export const rateLimitFallbacks = new Counter({
  name: 'postlane_delivery_rate_limit_fallbacks_total',
  help: 'Shared rate-limit reservations that fell back to local pacing (Redis unreachable)',
  registers: [deliveryRegistry],
});

/** DKIM signer threads started in this process (the pool grows while they are saturated). */
export const signerThreads = new Gauge({
  name: 'postlane_dkim_signer_threads',
  help: 'DKIM signer threads started in this process',
  registers: [deliveryRegistry],
});

/** Time the signer threads spent signing: its rate near the thread count means signing is the bottleneck. */
export const signerBusySeconds = new Counter({
  name: 'postlane_dkim_signer_busy_seconds_total',
  help: 'Seconds the DKIM signer threads spent signing',
  registers: [deliveryRegistry],
});
