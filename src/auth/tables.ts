// Row types of the auth tables added in migration 0010.
import type { Generated } from 'kysely';

export interface LoginFailuresTable {
  id: Generated<number>;
  scope: string; // ip|email
  key: string; // the IP, or sha256 of the lower-cased email
  created_at: number;
}
