// AES-256-GCM envelope encryption of small secrets under a 32-byte master key.
// Envelope: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The
// associated data binds a ciphertext to its place (tenant/name), so a row
// copied to another tenant does not decrypt.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SecretError } from './errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MASTER_KEY_BYTES = 32;

/** A short, non-secret fingerprint of a master key, stored next to ciphertexts to explain a wrong key. */
export function masterKeyId(key: Buffer): string {
  assertKey(key);
  return createHash('sha256').update('rp9.master-key-id\0').update(key).digest('hex').slice(0, 12);
}

export function encryptSecret(plaintext: string, key: Buffer, associatedData: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, masterKeyId(key), iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Decrypts an envelope; throws `secrets.decrypt-failed` on a wrong key, wrong place or tampering. */
export function decryptSecret(envelope: string, key: Buffer, associatedData: string): string {
  assertKey(key);
  const parts = parseEnvelope(envelope, associatedData);
  const currentId = masterKeyId(key);
  if (parts.keyId !== currentId) {
    throw new SecretError(
      'secrets.decrypt-failed',
      `cannot decrypt secret ${associatedData}: it was encrypted with master key ${parts.keyId}, the current master key is ${currentId} (check RP9_MASTER_KEY)`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError(
      'secrets.decrypt-failed',
      `cannot decrypt secret ${associatedData}: authentication failed (the stored value was altered or belongs to another secret)`,
    );
  }
}

function parseEnvelope(envelope: string, associatedData: string): { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = envelope.split('.');
  const [version, keyId, iv, tag, ciphertext] = parts;
  const invalid = (why: string) => new SecretError('secrets.decrypt-failed', `cannot decrypt secret ${associatedData}: ${why}`);
  if (parts.length !== 5 || version === undefined || keyId === undefined || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw invalid('the stored value is not an rp9 secret envelope');
  }
  if (version !== VERSION) throw invalid(`unknown envelope version "${version}"`);
  const decoded = { keyId, iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url') };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) throw invalid('the stored value has a malformed IV or tag');
  return decoded;
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== MASTER_KEY_BYTES) {
    throw new SecretError('secrets.invalid-master-key', `the master key must be ${MASTER_KEY_BYTES} bytes (got ${Buffer.isBuffer(key) ? key.length : typeof key})`);
  }
}
