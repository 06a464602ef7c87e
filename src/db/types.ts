// Row types of the tables, as Kysely sees them. Times are epoch milliseconds (number),
// JSON columns are written as strings and read with fromJson(), booleans are 0/1.
// Domains that add tables declare their own interfaces in <domain>/tables.ts and add them to DB below.
import type { Generated } from 'kysely';
import type { LoginFailuresTable } from '../auth/tables.js';
import type { FeedbackEventsTable } from '../feedback/tables.js';
import type { ImportRejectionsTable } from '../imports/tables.js';
import type { VerificationsTable, VerifyJobItemsTable } from '../verify/tables.js';
import type { DeliveriesEngineColumns } from '../delivery/tables.js';
import type { AnonymousIdsTable, SegmentsTable } from '../segments/tables.js';

type Id = Generated<number>;
type Json = string | unknown; // written as JSON text; read back via fromJson()

export interface InstanceTable {
  key: string;
  value: string;
}

export interface WorkspacesTable {
  id: Id;
  name: string;
  slug: string;
  postal_address: string | null;
  settings: Json; // WorkspaceSettings
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: Id;
  email: string;
  name: string | null;
  password_hash: string;
  /** Bumped on password change: sessions created before it are void. */
  password_changed_at: number;
  created_at: number;
  last_login_at: number | null;
}

export interface WorkspaceMembersTable {
  workspace_id: number;
  user_id: number;
  role: string; // owner|admin|marketer|analyst|viewer
  created_at: number;
}

export interface SessionsTable {
  id: string; // sha256 of the cookie token
  user_id: number;
  workspace_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiKeysTable {
  id: Id;
  workspace_id: number;
  name: string;
  prefix: string; // the visible part, e.g. pl_ab12cd34
  key_hash: string; // sha256 of the whole key
  role: string;
  created_by: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ContactsTable {
  id: Id;
  workspace_id: number;
  email: string; // normalised: trimmed, domain lower-cased (local part kept as given)
  email_lower: string; // full lower-case form used for uniqueness
  first_name: string | null;
  last_name: string | null;
  external_id: string | null;
  status: string; // active|unsubscribed|bounced|complained|blocked
  attributes: Json; // Record<string, string|number|boolean|null>
  timezone: string | null;
  tracking_consent: number; // 0/1
  created_at: number;
  updated_at: number;
}

export interface AttributeDefinitionsTable {
  workspace_id: number;
  name: string;
  type: string; // string|number|boolean|date
  created_at: number;
}

export interface ListsTable {
  id: Id;
  workspace_id: number;
  name: string;
  description: string | null;
  opt_in: string; // single|double
  created_at: number;
  updated_at: number;
}

export interface ListMembershipsTable {
  workspace_id: number;
  list_id: number;
  contact_id: number;
  status: string; // unconfirmed|confirmed|unsubscribed
  created_at: number;
  confirmed_at: number | null;
  unsubscribed_at: number | null;
  updated_at: number;
}

export interface TagsTable {
  id: Id;
  workspace_id: number;
  name: string;
  created_at: number;
}

export interface ContactTagsTable {
  workspace_id: number;
  contact_id: number;
  tag_id: number;
  created_at: number;
}

export interface ConsentLedgerTable {
  id: Id;
  workspace_id: number;
  contact_id: number;
  purpose: string; // e.g. marketing_email, tracking
  action: string; // granted|withdrawn
  source_type: string; // form|api|import|admin
  source_id: string | null;
  wording_version: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
}

export interface SuppressionsTable {
  id: Id;
  workspace_id: number;
  email: string; // lower-cased address
  reason: string; // hard_bounce|complaint|unsubscribe|manual|…
  source: string; // api|admin|import|feedback|…
  details: string | null;
  created_at: number;
}

export interface AuditLogTable {
  id: Id;
  workspace_id: number | null;
  actor_type: string; // user|api_key|system|cli
  actor_id: string | null;
  action: string; // e.g. auth.login, contacts.import, contacts.export
  target_type: string | null;
  target_id: string | null;
  details: Json;
  ip: string | null;
  created_at: number;
}

export interface JobsTable {
  id: Id;
  workspace_id: number;
  kind: string; // import|export|verify|…
  status: string; // queued|running|succeeded|failed|cancelled
  params: Json;
  progress: Json; // { processed, total?, ... }
  result: Json;
  error: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** Worker holding the job (src/jobs/lease.ts) and until when; null when free (optional on insert). */
  lease_owner: Generated<string | null>;
  lease_expires_at: Generated<number | null>;
}

export interface IdempotencyKeysTable {
  workspace_id: number;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: number;
}

// ---- delivery (campaign engine) ----

export interface CampaignsTable {
  id: Id;
  workspace_id: number;
  name: string;
  status: string; // draft|scheduled|sending|paused|finished|cancelled
  subject: string;
  from_email: string;
  from_name: string | null;
  reply_to: string | null;
  html: string | null;
  text: string | null;
  mjml: string | null;
  list_ids: Json; // number[]
  segment_ids: Json; // number[]
  send_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  paused_reason: string | null;
  parent_campaign_id: number | null;
  derived_kind: string | null; // resend_failed|non_openers
  track_opens: number;
  track_clicks: number;
  rate_limit: number | null; // messages per second, null = route default
  settings: Json;
  created_at: number;
  updated_at: number;
}

export interface DeliveriesTable {
  id: Id;
  workspace_id: number;
  campaign_id: number;
  contact_id: number;
  email: string;
  variant: string | null;
  status: string; // queued|sent|deferred|failed|skipped|cancelled
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  route: string | null;
  smtp_code: number | null;
  smtp_response: string | null;
  message_id: string | null;
  verp_token: string | null;
  skip_reason: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export interface LinksTable {
  id: Id;
  workspace_id: number;
  campaign_id: number;
  url: string;
  url_hash: string | null; // sha256 hex of url (migration 0110)
  created_at: number;
}

export interface FragmentsTable {
  id: Id;
  workspace_id: number;
  name: string;
  version: number;
  body: string;
  created_at: number;
}

export interface SendingDomainsTable {
  id: Id;
  workspace_id: number;
  domain: string;
  selector: string;
  algorithm: string; // rsa|ed25519
  private_key_enc: string; // AES-256-GCM with the instance key
  public_key: string; // base64 DER (p= value)
  status: string; // pending|verified|failed
  last_checked_at: number | null;
  dns_checks: Json | null; // last DNS check results (migration 0110)
  created_at: number;
}

export interface CapturedMessagesTable {
  id: Id;
  workspace_id: number;
  campaign_id: number | null;
  delivery_id: number | null;
  envelope_from: string;
  envelope_to: string;
  subject: string | null;
  raw: string;
  created_at: number;
}

// ---- events (behaviour and delivery events share one model) ----

export interface EventsTable {
  id: Id;
  workspace_id: number;
  contact_id: number | null;
  anonymous_id: string | null;
  name: string; // purchase, opened, clicked, sent, bounced, …
  properties: Json;
  occurred_at: number;
  received_at: number;
  idempotency_key: string | null;
  source: string; // api|delivery|tracking|feedback
  campaign_id: number | null;
}

export interface DB {
  instance: InstanceTable;
  workspaces: WorkspacesTable;
  users: UsersTable;
  workspace_members: WorkspaceMembersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  contacts: ContactsTable;
  attribute_definitions: AttributeDefinitionsTable;
  lists: ListsTable;
  list_memberships: ListMembershipsTable;
  tags: TagsTable;
  contact_tags: ContactTagsTable;
  consent_ledger: ConsentLedgerTable;
  suppressions: SuppressionsTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  idempotency_keys: IdempotencyKeysTable;
  campaigns: CampaignsTable;
  deliveries: DeliveriesTable & DeliveriesEngineColumns;
  links: LinksTable;
  fragments: FragmentsTable;
  sending_domains: SendingDomainsTable;
  captured_messages: CapturedMessagesTable;
  events: EventsTable;
  login_failures: LoginFailuresTable;
  segments: SegmentsTable;
  anonymous_ids: AnonymousIdsTable;
  feedback_events: FeedbackEventsTable;
  import_rejections: ImportRejectionsTable;
  verifications: VerificationsTable;
  verify_job_items: VerifyJobItemsTable;
}
