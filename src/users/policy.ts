// Input rules for accounts: how user emails are normalised, what a password must be, and the
// default name of the first workspace.
import { parse } from 'tldts';
import { MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { normalizeEmail } from '../contacts/email.js';
import { AppError } from '../errors.js';

/** scrypt pre-hashes long inputs, but a cap keeps request bodies and logs sane. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Sign-in emails are matched case-insensitively, so they are stored fully lower-cased. */
export function normalizeUserEmail(input: unknown): string {
  const n = normalizeEmail(input);
  if (!n) throw new AppError('bad_request', `not a valid email address: ${JSON.stringify(String(input).slice(0, 100))}`);
  return n.key;
}

export function checkPasswordPolicy(password: unknown): asserts password is string {
  if (typeof password !== 'string') throw new AppError('bad_request', 'password is required');
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new AppError('bad_request', `password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`, { min_length: MIN_PASSWORD_LENGTH });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('bad_request', `password is too long: use at most ${MAX_PASSWORD_LENGTH} characters`, { max_length: MAX_PASSWORD_LENGTH });
  }
}

// Mailbox providers say nothing about the organisation: their users get "My workspace".
const FREE_MAIL = new Set([
  'gmail', 'googlemail', 'outlook', 'hotmail', 'live', 'msn', 'yahoo', 'ymail', 'icloud', 'me', 'mac', 'aol',
  'proton', 'protonmail', 'pm', 'gmx', 'web', 'mail', 'yandex', 'zoho', 'fastmail', 'tutanota', 'posteo', 'mailbox', 'example',
]);

/** "ada@acme-labs.co.uk" → "Acme-labs"; free-mail and unparseable domains → "My workspace". */
export function defaultWorkspaceName(email: string): string {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const label = parse(domain).domainWithoutSuffix;
  if (!label || FREE_MAIL.has(label)) return 'My workspace';
  return label.charAt(0).toUpperCase() + label.slice(1);
}
