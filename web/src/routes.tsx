// The route table: path pattern → page component (params are passed as props).
import type { ComponentType } from 'react';
import { Dashboard } from './pages/dashboard';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const routes: Array<{ path: string; page: ComponentType<any> }> = [
  { path: '/', page: Dashboard },
];
