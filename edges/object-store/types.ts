// A place to keep backup objects: an S3 bucket, or a directory on the
// controller's disk when no bucket is configured. Keys are `/`-separated.
import type { Readable } from 'node:stream';

export interface ObjectStore {
  /** For messages: `s3://bucket` or `file:///var/lib/rp9/backups`. */
  readonly description: string;
  /** Streams `body` to `key`; the object appears whole or not at all. Memory stays flat whatever the size. */
  put(key: string, body: Readable, options?: { signal?: AbortSignal; contentType?: string }): Promise<{ bytes: number }>;
  /** The object's bytes; throws objects.missing when there is none. */
  get(key: string): Promise<Readable>;
  /** Its size, or undefined when there is none. */
  head(key: string): Promise<{ bytes: number } | undefined>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the keys; missing ones are not an error. */
  delete(keys: readonly string[]): Promise<void>;
}

export type ObjectStoreErrorCode = 'objects.missing' | 'objects.unreachable' | 'objects.write-failed' | 'objects.invalid-key';

export class ObjectStoreError extends Error {
  constructor(
    readonly code: ObjectStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }
}

/** Keys are relative, `/`-separated, with no `.`/`..` segment: a key never leaves its store. */
export function checkKey(key: string): void {
  const bad = key === '' || key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..');
  if (bad || /[\0\\]/.test(key)) throw new ObjectStoreError('objects.invalid-key', `invalid object key ${JSON.stringify(key)}`);
}
