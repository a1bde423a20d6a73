// One backup stream in and out of the object store: plaintext → sha256 →
// gzip → AES-256-GCM → sha256 → streamed upload, and back. Nothing is
// buffered whole, in memory or on disk.
import { pipeline } from 'node:stream';
import { Writable, type Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { createGunzip, createGzip, constants } from 'node:zlib';
import type { ObjectStore } from '../../edges/object-store/index.js';
import { decryptStream, encryptStream } from './envelope.js';
import { BackupError } from './errors.js';
import { hashTap } from './hash-tap.js';

export interface StoredObject {
  key: string;
  plainBytes: number;
  plainSha256: string;
  storedBytes: number;
  storedSha256: string;
}

/** The associated data of an object's ciphertext: its backup and its name. */
export function objectAad(backupId: string, name: string): string {
  return `rp9-backup/${backupId}/${name}`;
}

export async function putEncrypted(
  store: ObjectStore,
  key: string,
  source: Readable,
  crypt: { dataKey: Buffer; aad: string },
  options: { signal?: AbortSignal; onBytes?(plainBytes: number): void } = {},
): Promise<StoredObject> {
  const plain = hashTap();
  const stored = hashTap();
  if (options.onBytes) plain.on('data', () => options.onBytes?.(plain.bytes));
  let streamError: Error | undefined;
  const body = pipeline(source, plain, createGzip({ level: constants.Z_BEST_SPEED }), encryptStream(crypt.dataKey, crypt.aad), stored, (error) => {
    if (error) streamError = error;
  });
  try {
    await store.put(key, body, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    throw streamError ?? error;
  }
  if (streamError) throw streamError;
  return { key, plainBytes: plain.bytes, plainSha256: plain.digest(), storedBytes: stored.bytes, storedSha256: stored.digest() };
}

/**
 * Streams an object back to plaintext into `sink` (a null sink when omitted)
 * and checks it against the manifest: object-missing, object-corrupt (stored
 * bytes or GCM tag) or hash-mismatch (plaintext), each naming backup and object.
 * The sink sees bytes before the tag is checked: restore verifies first.
 */
export async function readDecrypted(store: ObjectStore, backupId: string, name: string, object: StoredObject, dataKey: Buffer, sink?: Writable): Promise<{ plainBytes: number }> {
  const what = `backup ${backupId}: object ${name} (${store.description}/${object.key})`;
  let source: Readable;
  try {
    source = await store.get(object.key);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'objects.missing') throw new BackupError('backup.object-missing', `${what} is missing`, { cause: error });
    throw error;
  }
  const stored = hashTap();
  const plain = hashTap();
  try {
    await pipelineAsync(source, stored, decryptStream(dataKey, objectAad(backupId, name), what), createGunzip(), plain, sink ?? nullSink());
  } catch (error) {
    if (error instanceof BackupError) {
      throw storedMismatch(stored, object, what) ?? error;
    }
    if ((error as { code?: string }).code?.startsWith('Z_')) throw new BackupError('backup.object-corrupt', `${what}: gzip stream is damaged: ${(error as Error).message}`, { cause: error });
    throw error;
  }
  const mismatch = storedMismatch(stored, object, what);
  if (mismatch) throw mismatch;
  if (plain.digest() !== object.plainSha256 || plain.bytes !== object.plainBytes) {
    throw new BackupError('backup.hash-mismatch', `${what}: plaintext sha256 ${plain.digest()} (${plain.bytes} bytes) differs from the manifest's ${object.plainSha256} (${object.plainBytes} bytes)`);
  }
  return { plainBytes: plain.bytes };
}

function storedMismatch(stored: ReturnType<typeof hashTap>, object: StoredObject, what: string): BackupError | undefined {
  if (stored.bytes !== object.storedBytes) return new BackupError('backup.object-corrupt', `${what}: ${stored.bytes} bytes read, the manifest says ${object.storedBytes}`);
  if (stored.digest() !== object.storedSha256) return new BackupError('backup.object-corrupt', `${what}: stored sha256 ${stored.digest()} differs from the manifest's ${object.storedSha256}`);
  return undefined;
}

function nullSink(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
