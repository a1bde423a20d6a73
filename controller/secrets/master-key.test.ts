import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateMasterKeyFile, masterKeyFromEnv, parseMasterKey } from './master-key.js';
import { Secret, generateSecretValue } from './secret-value.js';

const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

describe('parseMasterKey', () => {
  it.each([
    ['hex', bytes.toString('hex')],
    ['upper-case hex', bytes.toString('hex').toUpperCase()],
    ['base64', bytes.toString('base64')],
    ['base64url', bytes.toString('base64url')],
    ['base64 with a newline', `${bytes.toString('base64')}\n`],
  ])('accepts %s', (_label, text) => {
    expect(parseMasterKey(text, 'RP9_MASTER_KEY').equals(bytes)).toBe(true);
  });

  it.each([
    ['a short base64 key', Buffer.alloc(16).toString('base64'), /decodes to 16 bytes/],
    ['63 hex digits', 'a'.repeat(63), /decodes to/],
    ['a passphrase', 'correct horse battery staple', /32 bytes as base64 or 64 hex digits/],
  ])('rejects %s without echoing it', (_label, text, message) => {
    const run = () => parseMasterKey(text, 'RP9_MASTER_KEY');

    expect(run).toThrow(expect.objectContaining({ code: 'secrets.invalid-master-key', message: expect.stringMatching(message) }));
    expect(run).toThrow(/^RP9_MASTER_KEY: /);
    expect(run).not.toThrow(text);
  });

  it('reads RP9_MASTER_KEY and treats an empty one as unset', () => {
    expect(masterKeyFromEnv({ RP9_MASTER_KEY: bytes.toString('hex') })?.equals(bytes)).toBe(true);
    expect(masterKeyFromEnv({ RP9_MASTER_KEY: '  ' })).toBeUndefined();
    expect(masterKeyFromEnv({})).toBeUndefined();
  });
});

describe('loadOrCreateMasterKeyFile', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('generates a 0600 key file once and reads the same key later', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rp9-key-'));
    const path = join(dir, 'state', 'master.key');

    const first = await loadOrCreateMasterKeyFile(path);
    const second = await loadOrCreateMasterKeyFile(path);

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(first.key.length).toBe(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('warns about a key file others can read', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rp9-key-'));
    const path = join(dir, 'master.key');
    await writeFile(path, bytes.toString('base64'), { mode: 0o644 });

    const loaded = await loadOrCreateMasterKeyFile(path);

    expect(loaded.key.equals(bytes)).toBe(true);
    expect(loaded.warning).toMatch(/readable by other users \(mode 644\); run chmod 600/);
    expect(await readFile(path, 'utf8')).toBe(bytes.toString('base64'));
  });
});

describe('Secret', () => {
  it('hides its value from every way of printing it', () => {
    const secret = new Secret('hunter2');

    expect(String(secret)).toBe('[secret]');
    expect(`${secret}`).toBe('[secret]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
    expect(inspect({ secret })).not.toContain('hunter2');
    expect(secret.reveal()).toBe('hunter2');
    expect(secret.equals(new Secret('hunter2'))).toBe(true);
  });

  it('generates random url-safe values', () => {
    const value = generateSecretValue();

    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecretValue()).not.toBe(value);
  });
});
