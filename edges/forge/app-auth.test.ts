import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAppJwt } from './app-auth.js';
import { isForgeError } from './errors.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('createAppJwt', () => {
  it.each([
    ['PKCS#1', privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
    ['PKCS#8', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
  ])('signs RS256 with a %s key, verifiable with the public key', (_format, pem) => {
    const jwt = createAppJwt(4242, pem, 1_700_000_000_000);
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(decode(payload)).toEqual({ iat: 1_700_000_000 - 60, exp: 1_700_000_000 + 540, iss: 4242 });
    expect(verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('rejects a key that is not PEM with forge.invalid-input', () => {
    let caught: unknown;
    try {
      createAppJwt(1, 'not a key', Date.now());
    } catch (error) {
      caught = error;
    }
    expect(isForgeError(caught, 'forge.invalid-input')).toBe(true);
  });
});
