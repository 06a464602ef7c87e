// The route table: path pattern → page component (params are passed as props).
import type { ComponentType } from 'react';
import { Dashboard } from './pages/dashboard';
import { Deliverability } from './pages/deliverability';
import { Settings } from './pages/settings';
import { Templates } from './pages/templates';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const routes: Array<{ path: string; page: ComponentType<any> }> = [
  { path: '/', page: Dashboard },
  { path: '/deliverability', page: Deliverability },
  { path: '/deliverability/:tab', page: Deliverability },
  { path: '/settings', page: Settings },
  { path: '/templates', page: Templates },
  { path: '/settings/:tab', page: Settings },
];
