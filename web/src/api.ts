// The typed API client: same-origin fetch with the session cookie; state changes carry the
// X-CSRF-Token from GET /auth/me. API errors become ApiError with a sentence a marketer understands.

export interface ApiErrorBody { error: { code: string; message: string; details?: unknown } }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly details?: unknown) {
    super(friendlyMessage(status, code, detail));
    this.name = 'ApiError';
  }
}

/** Words for people, not status codes; the server's own sentence is kept where it is specific. */
export function friendlyMessage(status: number, code: string, detail: string): string {
  switch (code) {
    case 'unauthorized': return 'Your session has ended. Please sign in again.';
    case 'forbidden': return 'Your role does not allow this. Ask a workspace owner or admin.';
    case 'csrf_failed': return 'This page was open too long to be trusted. Reload it and try again.';
    case 'not_found': return 'This item no longer exists, or it belongs to another workspace.';
    case 'rate_limited': return 'Too many attempts in a short time. Wait a minute and try again.';
    case 'payload_too_large': return 'That is too large to upload in one go.';
    case 'setup_required': return 'Postlane has not been set up yet.';
    case 'suppressed': return `This address is on the suppression list, so Postlane will not email it. ${detail}`;
    case 'idempotency_conflict': return 'This action was already submitted with different details. Reload and try again.';
    case 'internal': return 'Something went wrong on the server. The details are in the server log; try again in a moment.';
    case 'network': return 'Postlane cannot be reached. Check your connection and try again.';
    default:
      if (status >= 500) return 'Something went wrong on the server. Try again in a moment.';
      return humanise(detail) || 'That did not work. Check the form and try again.';
  }
}

/** Schema-validation messages ("body/email must match format") read better without the JSON path. */
function humanise(detail: string): string {
  const m = /^(?:body|querystring|params)\/(\w+) (.*)$/.exec(detail);
  if (m) return `${(m[1] ?? '').replace(/_/g, ' ')}: ${m[2]}`;
  return detail.replace(/^body /, '');
}

let csrfToken: string | null = null;
export const setCsrfToken = (t: string | null): void => { csrfToken = t; };

type Query = Record<string, string | number | boolean | undefined | null>;
export function qs(q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

interface RequestOptions { body?: unknown; raw?: BodyInit; contentType?: string; signal?: AbortSignal }

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let body: BodyInit | undefined;
  if (opts.raw !== undefined) { body = opts.raw; headers['content-type'] = opts.contentType ?? 'application/octet-stream'; }
  else if (opts.body !== undefined) { body = JSON.stringify(opts.body); headers['content-type'] = 'application/json'; }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', String(err));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = (json as ApiErrorBody | null)?.error;
    const err = new ApiError(res.status, e?.code ?? 'internal', e?.message ?? res.statusText, e?.details);
    if (res.status === 401) onUnauthorized?.();
    throw err;
  }
  return json as T;
}

let onUnauthorized: (() => void) | undefined;
export const setUnauthorizedHandler = (fn: () => void): void => { onUnauthorized = fn; };

export const api = {
  get: <T>(path: string, q?: Query) => request<T>('GET', path + qs(q)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body: body ?? {} }),
  del: <T = void>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, file: Blob, contentType: string) => request<T>('POST', path, { raw: file, contentType }),
};

// ---- API shapes (mirroring the route schemas in src/http/routes) ----

export interface Page<T> { data: T[]; next_cursor: string | null }
export interface Member { id: number; email: string; name: string | null; role: string }
export interface Me { user: Member | null; api_key_id: number | null; workspace: { id: number; name: string; slug: string }; role: string; csrf_token: string | null }
export interface Contact {
  id: number; email: string; first_name: string | null; last_name: string | null; external_id: string | null; status: string;
  timezone: string | null; attributes: Record<string, unknown>; tags: string[]; suppressed: boolean; suppression_reason: string | null;
  created_at: string; updated_at: string;
}
export interface List { id: number; name: string; description: string | null; opt_in: string; created_at: string; updated_at: string; counts?: { unconfirmed: number; confirmed: number; unsubscribed: number } }
export interface ConsentEntry { id: number; purpose: string; action: string; source_type: string; source_id: string | null; wording_version: string | null; ip: string | null; created_at: string }
export interface TimelineEvent { id: number; name: string; properties: Record<string, unknown>; occurred_at: string; source: string; campaign_id: number | null }
export interface Segment { id: number; name: string; definition: unknown; created_at: string; updated_at: string }
export interface SegmentContact { id: number; email: string; first_name: string | null; last_name: string | null; status: string; attributes: Record<string, unknown>; created_at: string }

/** Every list (lists are few; pages of 500 until done). */
export async function allLists(): Promise<List[]> {
  const out: List[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<List> = await api.get<Page<List>>('/lists', { limit: 500, cursor });
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && out.length < 5000);
  return out;
}
