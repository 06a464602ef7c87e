// The dashboard overview: per-day counts of sends, deliveries and engagement for one workspace.
// Each series is one GROUP BY over an indexed (workspace_id, time) range, so the cost follows the
// rows in the window, not the size of the workspace's history.
import { sql } from 'kysely';
import type { AppContext } from '../context.js';

export const OVERVIEW_METRICS = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed'] as const;
export type OverviewMetric = (typeof OVERVIEW_METRICS)[number];
export type DayCounts = { date: string } & Record<OverviewMetric, number>;

const DAY = 86_400_000;
const EVENT_METRICS: OverviewMetric[] = ['opened', 'clicked', 'bounced', 'complained', 'unsubscribed'];

/**
 * `days` whole days ending today in the caller's time zone (`tzOffsetMinutes` as JavaScript's
 * getTimezoneOffset(): minutes to add to local time to get UTC).
 */
export async function overview(ctx: AppContext, workspaceId: number, days: number, tzOffsetMinutes = 0): Promise<{ from: number; to: number; series: DayCounts[]; totals: Record<OverviewMetric, number> }> {
  const off = -tzOffsetMinutes * 60_000; // local = utc + off
  const today = Math.floor((ctx.clock.now() + off) / DAY);
  const firstDay = today - days + 1;
  const from = firstDay * DAY - off;
  const to = (today + 1) * DAY - off;
  // Integer division on positive epoch-ms truncates the same way in SQLite and PostgreSQL. The
  // constants are literals (both integers computed here): better-sqlite3 binds numbers as REAL,
  // which would turn the division into a fraction.
  const dayOf = (col: string) => sql<number>`(${sql.ref(col)} + ${sql.lit(off)}) / ${sql.lit(DAY)}`;

  const byDay = new Map<number, DayCounts>();
  for (let d = firstDay; d <= today; d++) {
    byDay.set(d, { date: new Date(d * DAY).toISOString().slice(0, 10), sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, complained: 0, unsubscribed: 0 });
  }
  const add = (day: unknown, metric: OverviewMetric, n: unknown) => {
    const row = byDay.get(Math.floor(Number(day))); // a REAL timestamp (SQLite) divides to a fraction
    if (row) row[metric] += Number(n);
  };

  const deliveryCounts = (col: 'first_attempt_at' | 'sent_at') => ctx.db.selectFrom('deliveries')
    .select([dayOf(col).as('day'), sql<number>`count(*)`.as('n')])
    .where('workspace_id', '=', workspaceId).where(col, '>=', from).where(col, '<', to)
    .groupBy(sql`1`).execute();
  const [attempted, accepted, events] = await Promise.all([
    deliveryCounts('first_attempt_at'),
    deliveryCounts('sent_at'),
    ctx.db.selectFrom('events')
      .select(['name', dayOf('occurred_at').as('day'), sql<number>`count(*)`.as('n')])
      .where('workspace_id', '=', workspaceId).where('name', 'in', EVENT_METRICS).where('occurred_at', '>=', from).where('occurred_at', '<', to)
      .groupBy(['name', sql`2`]).execute(),
  ]);
  for (const r of attempted) add(r.day, 'sent', r.n);
  for (const r of accepted) add(r.day, 'delivered', r.n);
  for (const r of events) add(r.day, r.name as OverviewMetric, r.n);

  const series = [...byDay.values()];
  const totals = Object.fromEntries(OVERVIEW_METRICS.map((m) => [m, series.reduce((s, d) => s + d[m], 0)])) as Record<OverviewMetric, number>;
  return { from, to, series, totals };
}
