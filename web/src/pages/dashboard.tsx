// Dashboard: campaigns in flight with live progress and the warnings a marketer should act on.
import { api } from '../api';
import { Link } from '../router';
import { useSession } from '../session';
import { Badge, Empty, ErrorBox, Loading, num, PageHead, useLoad } from '../ui';
import type { Campaign } from './campaign-types';
import { OverviewCharts } from './overview-charts';

export function Dashboard() {
  const { me } = useSession();
  const campaigns = useLoad(() => api.get<{ data: Campaign[] }>('/campaigns', { limit: 20 }), [], 5000);
  const workspace = useLoad(() => api.get<{ postal_address: string | null }>('/workspace'), []);
  // Roles without domains:read simply get no domain warning.
  const domains = useLoad(() => api.get<{ data: Array<{ domain: string; status: string }> }>('/domains').catch(() => null), []);
  const unverified = domains.data?.data.filter((d) => d.status !== 'verified') ?? [];
  const noDomain = domains.data !== undefined && domains.data !== null && domains.data.data.length === 0;
  const list = campaigns.data?.data ?? [];
  const active = list.filter((c) => c.status === 'sending' || c.status === 'paused' || c.status === 'scheduled');
  return (
    <div>
      <PageHead title="Dashboard"><Link className="button primary" to="/campaigns/new">New campaign</Link></PageHead>
      <p className="lead">Welcome{me.user?.name ? `, ${me.user.name}` : ''}. This is {me.workspace.name}.</p>
      <section aria-labelledby="warn-h" className="card">
        <h2 id="warn-h">Needs your attention</h2>
        <ul className="warnings">
          {workspace.data && !workspace.data.postal_address && <li className="warn">No postal address is set. Marketing email must include one — add it in the <Link to="/settings">workspace settings</Link> before sending.</li>}
          {list.filter((c) => c.status === 'paused').map((c) => <li key={c.id} className="warn"><Link to={`/campaigns/${c.id}`}>{c.name}</Link> is paused{c.paused_reason ? `: ${c.paused_reason}` : '.'}</li>)}
          {noDomain && <li className="warn">No sending domain is set up. Add yours under <Link to="/deliverability/domains">Deliverability → Sending domains</Link> so mailbox providers trust your mail.</li>}
          {unverified.map((d) => <li key={d.domain} className="warn">The sending domain {d.domain} is not verified yet: publish its DNS records and check again under <Link to="/deliverability/domains">Sending domains</Link>.</li>)}
          {workspace.data?.postal_address && !list.some((c) => c.status === 'paused') && !noDomain && unverified.length === 0 && <li>Nothing needs attention right now.</li>}
        </ul>
        <ErrorBox error={workspace.error} />
      </section>
      <section aria-labelledby="run-h" className="card">
        <h2 id="run-h">Campaigns in flight</h2>
        {campaigns.loading && !campaigns.data ? <Loading what="campaigns" /> : active.length === 0 ? (
          <Empty title="No campaign is sending or scheduled."><Link to="/campaigns/new">Create a campaign</Link></Empty>
        ) : (
          <ul className="plain">{active.map((c) => {
            const done = (c.counts?.sent ?? 0) + (c.counts?.failed ?? 0) + (c.counts?.skipped ?? 0);
            const total = c.counts?.eligible ?? 0;
            return <li key={c.id}><Link to={`/campaigns/${c.id}`}>{c.name}</Link> <Badge value={c.status} /> <progress max={total || 1} value={done} aria-label={`${c.name} progress`} /> {num(done)} of {num(total)}</li>;
          })}</ul>
        )}
        <ErrorBox error={campaigns.error} />
      </section>
      <OverviewCharts />
    </div>
  );
}
