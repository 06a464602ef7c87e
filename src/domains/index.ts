// Sending domains: DKIM keys generated per domain (private key encrypted at rest), the DNS
// records to publish, DNS re-checks through an injected resolver, and the signing keys the
// send loop loads once per campaign (including the bootstrap key from config).
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { algorithmOf, domainBox, privateKeyFromPem } from './keys.js';

export { checkSendingDomain, createSendingDomain, deleteSendingDomain, getSendingDomain, listSendingDomains, type SendingDomain } from './manage.js';
export type { DkimAlgorithm } from './keys.js';
export type { DnsRecord } from './records.js';

export interface DkimSigningKey { domain: string; selector: string; algorithm: 'rsa' | 'ed25519'; privateKey: KeyObject }

// The bootstrap key file is read once per process and path (it does not change while running).
const bootstrapCache = new Map<string, KeyObject>();

function bootstrapKey(ctx: AppContext): DkimSigningKey | null {
  const { dkimDomain, dkimSelector, dkimKeyFile } = ctx.config;
  if (!dkimDomain || !dkimKeyFile) return null;
  let key = bootstrapCache.get(dkimKeyFile);
  if (!key) {
    try {
      key = privateKeyFromPem(readFileSync(dkimKeyFile, 'utf8'));
    } catch (err) {
      throw new AppError('config_invalid', `POSTLANE_DKIM_KEY_FILE ${dkimKeyFile} is not a readable PEM private key: ${(err as Error).message}`);
    }
    bootstrapCache.set(dkimKeyFile, key);
  }
  return { domain: dkimDomain, selector: dkimSelector, algorithm: algorithmOf(key), privateKey: key };
}

/**
 * The workspace's DKIM keys, decrypted once (callers cache per campaign): every stored domain
 * that is not known-broken, then the bootstrap key from config when set and not shadowed.
 */
export async function loadDkimKeys(ctx: AppContext, workspaceId: number): Promise<DkimSigningKey[]> {
  const rows = await ctx.db
    .selectFrom('sending_domains')
    .select(['id', 'domain', 'selector', 'algorithm', 'private_key_enc', 'status'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  const box = domainBox(ctx.secret);
  const keys: DkimSigningKey[] = [];
  for (const r of rows) {
    try {
      const privateKey = privateKeyFromPem(box.decrypt(r.private_key_enc));
      keys.push({ domain: r.domain, selector: r.selector, algorithm: algorithmOf(privateKey), privateKey });
    } catch (err) {
      ctx.log.error({ err, domainId: Number(r.id) }, 'sending domain key cannot be decrypted (instance secret changed?)');
    }
  }
  const boot = bootstrapKey(ctx);
  if (boot && !keys.some((k) => k.domain === boot.domain && k.selector === boot.selector)) keys.push(boot);
  return keys;
}
