// Who is signed in: loaded once at start (GET /setup, GET /auth/me) and shared through context.
import { createContext, useContext } from 'react';
import type { Me } from './api';

export interface Session { me: Me; refresh: () => Promise<void>; signOut: () => Promise<void> }
export const SessionContext = createContext<Session | null>(null);
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}
