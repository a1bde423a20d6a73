import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, masterKeyId } from './cipher.js';
import { SecretError } from './errors.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 9);

function tamper(envelope: string, index: number): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

function decryptError(run: () => unknown): SecretError {
  try {
    run();
  } catch (error) {
    return error as SecretError;
  }
  throw new Error('expected decryptSecret to throw');
}

describe('encryptSecret / decryptSecret', () => {
  it.each([
    ['a short password', 'hunter2'],
    ['an empty value', ''],
    ['unicode', 'contraseña-ñandú-🔑'],
    ['a long value', 'x'.repeat(10_000)],
  ])('round-trips %s', (_label, plaintext) => {
    const envelope = encryptSecret(plaintext, key, 'acme/db-password');

    expect(decryptSecret(envelope, key, 'acme/db-password')).toBe(plaintext);
  });

  it('never contains the plaintext and differs on every call (random IV)', () => {
    const first = encryptSecret('hunter2-hunter2', key, 'acme/db-password');
    const second = encryptSecret('hunter2-hunter2', key, 'acme/db-password');

    expect(first).not.toBe(second);
    expect(first).not.toContain('hunter2');
    expect(first.startsWith(`v1.${masterKeyId(key)}.`)).toBe(true);
  });

  const envelope = encryptSecret('s3cret-value', key, 'acme/db-password');
  const [v, id, iv, tag, ct] = envelope.split('.');
  const cases: { label: string; envelope: string; key: Buffer; aad: string; message: RegExp }[] = [
    { label: 'wrong key', envelope, key: otherKey, aad: 'acme/db-password', message: /encrypted with master key [0-9a-f]{12}, the current master key is/ },
    { label: 'other place (aad)', envelope, key, aad: 'globex/db-password', message: /authentication failed/ },
    { label: 'tampered ciphertext', envelope: tamper(envelope, 4), key, aad: 'acme/db-password', message: /authentication failed/ },
    { label: 'tampered tag', envelope: tamper(envelope, 3), key, aad: 'acme/db-password', message: /authentication failed/ },
    { label: 'tampered iv', envelope: tamper(envelope, 2), key, aad: 'acme/db-password', message: /authentication failed/ },
    { label: 'forged key id', envelope: [v, masterKeyId(otherKey), iv, tag, ct].join('.'), key, aad: 'acme/db-password', message: /encrypted with master key/ },
    { label: 'truncated envelope', envelope: [v, id, iv, tag].join('.'), key, aad: 'acme/db-password', message: /not an rp9 secret envelope/ },
    { label: 'unknown version', envelope: ['v9', id, iv, tag, ct].join('.'), key, aad: 'acme/db-password', message: /unknown envelope version "v9"/ },
    { label: 'short iv', envelope: [v, id, 'AAAA', tag, ct].join('.'), key, aad: 'acme/db-password', message: /malformed IV or tag/ },
  ];

  it.each(cases)('rejects $label with secrets.decrypt-failed', ({ envelope: input, key: useKey, aad, message }) => {
    const error = decryptError(() => decryptSecret(input, useKey, aad));

    expect(error).toBeInstanceOf(SecretError);
    expect(error.code).toBe('secrets.decrypt-failed');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('s3cret-value');
  });

  it.each([
    ['16 bytes', Buffer.alloc(16)],
    ['33 bytes', Buffer.alloc(33)],
  ])('refuses a master key of %s', (_label, badKey) => {
    expect(() => encryptSecret('x', badKey, 'a/b')).toThrow(expect.objectContaining({ code: 'secrets.invalid-master-key' }));
  });

  it('gives different keys different ids', () => {
    expect(masterKeyId(randomBytes(32))).not.toBe(masterKeyId(randomBytes(32)));
  });
});
