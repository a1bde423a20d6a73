// A pass-through that counts and hashes what flows through it.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface HashTap extends Transform {
  readonly bytes: number;
  /** sha256 hex of everything that went through; valid after the stream ended. */
  digest(): string;
}

export function hashTap(): HashTap {
  const hash = createHash('sha256');
  let bytes = 0;
  let hex: string | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  }) as HashTap;
  Object.defineProperty(tap, 'bytes', { get: () => bytes });
  tap.digest = () => (hex ??= hash.digest('hex'));
  return tap;
}
