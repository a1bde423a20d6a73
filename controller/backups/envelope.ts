// Envelope encryption of backup streams. Each backup gets a fresh 32-byte data
// key, wrapped by the master key with the secrets cipher (bound to the
// backup's id), so the master key alone can read a backup again. A stream is
// `RP9B1` ‖ IV(12) ‖ AES-256-GCM ciphertext ‖ tag(16); its associated data
// binds it to its backup and object, so an object moved elsewhere does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { decryptSecret, encryptSecret } from '../secrets/cipher.js';
import { BackupError } from './errors.js';

const MAGIC = Buffer.from('RP9B1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + IV_BYTES;

export function newDataKey(): Buffer {
  return randomBytes(32);
}

export function wrapDataKey(dataKey: Buffer, masterKey: Buffer, backupId: string): string {
  return encryptSecret(dataKey.toString('base64'), masterKey, `backup/${backupId}`);
}

/** Throws backup.wrong-master-key naming the backup when the master key does not open it. */
export function unwrapDataKey(wrapped: string, masterKey: Buffer, backupId: string): Buffer {
  try {
    return Buffer.from(decryptSecret(wrapped, masterKey, `backup/${backupId}`), 'base64');
  } catch (error) {
    throw new BackupError('backup.wrong-master-key', `backup ${backupId}: its data key does not open with this master key: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A dedicated tenant's n8n encryption key, wrapped by the master key and bound
 * to the backup: n8n 2.x keeps keys in its database encrypted with it (a
 * sandbox started with another key exits: "Deployment key 'signing.hmac'
 * cannot be read"), so a restore needs it, and must not need the live tenant.
 */
export function wrapN8nKey(n8nKey: string, masterKey: Buffer, backupId: string): string {
  return encryptSecret(n8nKey, masterKey, `backup/${backupId}/n8n-encryption-key`);
}

export function unwrapN8nKey(wrapped: string, masterKey: Buffer, backupId: string): string {
  try {
    return decryptSecret(wrapped, masterKey, `backup/${backupId}/n8n-encryption-key`);
  } catch (error) {
    throw new BackupError('backup.wrong-master-key', `backup ${backupId}: its n8n encryption key does not open with this master key: ${(error as Error).message}`, { cause: error });
  }
}

export function encryptStream(dataKey: Buffer, associatedData: string): Transform {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!started) {
        started = true;
        this.push(Buffer.concat([MAGIC, iv]));
      }
      callback(null, cipher.update(chunk));
    },
    flush(callback: TransformCallback) {
      if (!started) this.push(Buffer.concat([MAGIC, iv]));
      const final = cipher.final();
      callback(null, Buffer.concat([final, cipher.getAuthTag()]));
    },
  });
}

/**
 * Decrypts a stream made by encryptStream. The last 16 bytes (the tag) are held
 * back; the stream errors with `backup.object-corrupt` at its end when the
 * tag does not match, so a consumer must not trust the bytes before `end`.
 */
export function decryptStream(dataKey: Buffer, associatedData: string, what: string): Transform {
  let header: Buffer = Buffer.alloc(0);
  let decipher: DecipherGCM | undefined;
  let tail: Buffer = Buffer.alloc(0);
  const corrupt = (why: string) => new BackupError('backup.object-corrupt', `${what}: ${why}`);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let data: Buffer = chunk;
      if (!decipher) {
        header = Buffer.concat([header, data]);
        if (header.length < HEADER_BYTES) return callback();
        if (!header.subarray(0, MAGIC.length).equals(MAGIC)) return callback(corrupt('not an rp9 encrypted backup stream'));
        decipher = createDecipheriv('aes-256-gcm', dataKey, header.subarray(MAGIC.length, HEADER_BYTES), { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        data = header.subarray(HEADER_BYTES);
      }
      const joined = tail.length > 0 ? Buffer.concat([tail, data]) : data;
      if (joined.length <= TAG_BYTES) {
        tail = joined;
        return callback();
      }
      tail = Buffer.from(joined.subarray(joined.length - TAG_BYTES));
      callback(null, decipher.update(joined.subarray(0, joined.length - TAG_BYTES)));
    },
    flush(callback: TransformCallback) {
      if (!decipher || tail.length !== TAG_BYTES) return callback(corrupt('the stream is truncated'));
      try {
        decipher.setAuthTag(tail);
        callback(null, decipher.final());
      } catch {
        callback(corrupt('authentication failed (the object was altered, or belongs to another backup)'));
      }
    },
  });
}
