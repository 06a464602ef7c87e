// The route table: path pattern → page component (params are passed as props). First match wins.
import type { ComponentType } from 'react';
import { Dashboard } from './pages/dashboard';
import { ContactPage, ContactsPage, NewContactPage } from './pages/contacts';
import { ListPage, ListsPage } from './pages/lists';
import { ImportPage } from './pages/import';
import { SegmentPage, SegmentsPage } from './pages/segments';
import { CampaignPage, CampaignsPage } from './pages/campaigns';
import { CampaignWizard } from './pages/campaign-wizard';
import { OutboxPage } from './pages/outbox';
import { Deliverability } from './pages/deliverability';
import { Settings } from './pages/settings';
import { Templates } from './pages/templates';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const routes: Array<{ path: string; page: ComponentType<any> }> = [
  { path: '/', page: Dashboard },
  { path: '/contacts', page: ContactsPage },
  { path: '/contacts/new', page: NewContactPage },
  { path: '/contacts/:id', page: ContactPage },
  { path: '/lists', page: ListsPage },
  { path: '/lists/:id', page: ListPage },
  { path: '/imports/new', page: ImportPage },
  { path: '/segments', page: SegmentsPage },
  { path: '/segments/new', page: SegmentPage },
  { path: '/segments/:id', page: SegmentPage },
  { path: '/campaigns', page: CampaignsPage },
  { path: '/campaigns/new', page: CampaignWizard },
  { path: '/campaigns/:id/edit', page: CampaignWizard },
  { path: '/campaigns/:id', page: CampaignPage },
  { path: '/outbox', page: OutboxPage },
  { path: '/deliverability', page: Deliverability },
  { path: '/deliverability/:tab', page: Deliverability },
  { path: '/settings', page: Settings },
  { path: '/templates', page: Templates },
  { path: '/settings/:tab', page: Settings },
];
