// DKIM key material: generation, the DNS p= value, and loading keys as KeyObjects once
// (parsing a PEM per message triples the signing cost).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { AppError } from '../errors.js';
import { SecretBox } from '../lib/crypto.js';

/** Private keys at rest: AES-256-GCM under a key derived from the instance secret for this purpose. */
export function domainBox(secret: string): SecretBox {
  return new SecretBox(secret, 'dkim');
}

export type DkimAlgorithm = 'rsa' | 'ed25519';

export function generateDkimKey(algorithm: DkimAlgorithm): { privatePem: string; publicValue: string } {
  const pair = algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicValue: dkimPublicValue(pair.publicKey) };
}

/** RSA: base64 SubjectPublicKeyInfo (RFC 6376 3.6.1); Ed25519: the raw 32-byte key (RFC 8463). */
export function dkimPublicValue(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return publicKey.asymmetricKeyType === 'ed25519' ? der.subarray(der.length - 32).toString('base64') : der.toString('base64');
}

export function algorithmOf(key: KeyObject): DkimAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  throw new AppError('unprocessable', `unsupported DKIM key type ${key.asymmetricKeyType ?? 'unknown'} (rsa or ed25519)`);
}

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}

export function publicValueOfPrivate(key: KeyObject): string {
  return dkimPublicValue(createPublicKey(key));
}
