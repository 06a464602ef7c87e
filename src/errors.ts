// AppError and the error-code catalogue: every error that leaves the API or the CLI has a
// stable code from this list, an HTTP status and a human sentence.

export const ERROR_CODES = {
  bad_request: 'The request is malformed or fails validation.',
  unauthorized: 'No valid session or API key was presented.',
  forbidden: 'The caller is authenticated but its role lacks the permission.',
  csrf_failed: 'A state-changing request from a browser session lacked a valid CSRF token.',
  not_found: 'The resource does not exist in this workspace.',
  conflict: 'The request conflicts with the current state (duplicate, wrong state).',
  idempotency_conflict: 'The Idempotency-Key was already used with a different request.',
  rate_limited: 'Too many requests; retry after the given time.',
  payload_too_large: 'The request body exceeds the allowed size.',
  unprocessable: 'The input is understood but cannot be processed (e.g. an import file without an email column).',
  suppressed: 'The address is on the workspace suppression list.',
  setup_required: 'No owner exists yet; complete first-run setup.',
  config_invalid: 'The configuration has invalid keys.',
  internal: 'An unexpected error; details are in the server log.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const DEFAULT_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 422,
  rate_limited: 429,
  payload_too_large: 413,
  unprocessable: 422,
  suppressed: 409,
  setup_required: 409,
  config_invalid: 500,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown, status?: number) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'AppError';
    this.code = code;
    this.status = status ?? DEFAULT_STATUS[code];
    this.details = details ?? null;
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);
export const badRequest = (message: string, details?: unknown): AppError => new AppError('bad_request', message, details);
