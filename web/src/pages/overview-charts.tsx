// Dashboard charts: one small inline-SVG bar chart per metric over the chosen period (no chart
// library). Each chart has a text label for screen readers and a tooltip per day.
import { useState } from 'react';
import { api } from '../api';
import { ErrorBox, Loading, num, pct, useLoad } from '../ui';

const METRICS = [
  ['sent', 'Sent', '#0b57d0'], ['delivered', 'Delivered', '#1a7f37'], ['opened', 'Opened', '#8250df'], ['clicked', 'Clicked', '#bf3989'],
  ['bounced', 'Bounced', '#b3261e'], ['complained', 'Complaints', '#953800'], ['unsubscribed', 'Unsubscribed', '#57606a'],
] as const;
type Metric = (typeof METRICS)[number][0];
interface Overview { series: Array<{ date: string } & Record<Metric, number>>; totals: Record<Metric, number> }

const dayLabel = (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function OverviewCharts() {
  const [days, setDays] = useState(30);
  const data = useLoad(() => api.get<Overview>('/reports/overview', { days, tz_offset: new Date().getTimezoneOffset() }), [days], 60_000);
  const t = data.data?.totals;
  return (
    <section aria-labelledby="activity-h" className="card">
      <div className="page-head">
        <h2 id="activity-h">Activity</h2>
        <div className="actions" role="group" aria-label="Period">
          {[7, 30, 90].map((d) => <button key={d} type="button" aria-pressed={days === d} onClick={() => setDays(d)}>{d} days</button>)}
        </div>
      </div>
      {!data.data ? (data.error ? null : <Loading what="activity" />) : (
        <>
          {t && t.sent + t.delivered === 0 && <p className="hint">Nothing was sent in the last {days} days; the charts fill in as campaigns go out.</p>}
          {t && t.delivered > 0 && (
            <p className="hint">Of {num(t.delivered)} delivered: {pct(t.opened, t.delivered)} opens, {pct(t.clicked, t.delivered)} clicks, {pct(t.bounced, t.delivered)} bounces, {pct(t.complained, t.delivered)} complaints (counts of events, so one person opening twice counts twice).</p>
          )}
          <div className="charts">{METRICS.map(([key, label, color]) => <Chart key={key} label={label} color={color} series={data.data!.series.map((d) => [d.date, d[key]] as const)} total={data.data!.totals[key]} />)}</div>
        </>
      )}
      <ErrorBox error={data.error} />
    </section>
  );
}

function Chart({ label, color, series, total }: { label: string; color: string; series: ReadonlyArray<readonly [string, number]>; total: number }) {
  const W = 300, H = 90, max = Math.max(1, ...series.map(([, n]) => n));
  const bw = W / Math.max(1, series.length);
  const peak = series.reduce((a, b) => (b[1] > a[1] ? b : a), series[0] ?? ['', 0]);
  const summary = `${label}: ${num(total)} in ${series.length} days${total > 0 ? `, most on ${dayLabel(peak[0])} (${num(peak[1])})` : ''}.`;
  return (
    <figure className="chart" style={{ margin: 0 }}>
      <h3><span>{label}</span><span className="total">{num(total)}</span></h3>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line x1="0" y1={H - 0.5} x2={W} y2={H - 0.5} stroke="#d8dee4" />
        {series.map(([d, n], i) => {
          const h = n === 0 ? 0 : Math.max(2, (n / max) * (H - 4));
          return <rect key={d} x={i * bw + bw * 0.15} width={bw * 0.7} y={H - h} height={h} fill={color}><title>{`${dayLabel(d)}: ${num(n)}`}</title></rect>;
        })}
      </svg>
      <figcaption className="hint" style={{ display: 'flex', justifyContent: 'space-between' }}><span>{series[0] ? dayLabel(series[0][0]) : ''}</span><span>{series.length ? dayLabel(series[series.length - 1]![0]) : ''}</span></figcaption>
    </figure>
  );
}
