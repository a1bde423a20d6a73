// The master key that encrypts stored secrets: from RP9_MASTER_KEY, or for
// the embedded store a generated key file (`.rp9/master.key`, mode 0600).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MASTER_KEY_BYTES } from './cipher.js';
import { SecretError } from './errors.js';

export const MASTER_KEY_ENV = 'RP9_MASTER_KEY';

/**
 * Parses a 32-byte key written as 64 hex digits or as base64/base64url.
 * `source` names where it came from for the error message; the value itself is never echoed.
 */
export function parseMasterKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === MASTER_KEY_BYTES) return bytes;
    throw new SecretError(
      'secrets.invalid-master-key',
      `${source}: the master key must be ${MASTER_KEY_BYTES} bytes as base64 or 64 hex digits (it decodes to ${bytes.length} bytes)`,
    );
  }
  throw new SecretError('secrets.invalid-master-key', `${source}: the master key must be ${MASTER_KEY_BYTES} bytes as base64 or 64 hex digits`);
}

/** The key from RP9_MASTER_KEY, or undefined when it is unset or empty. */
export function masterKeyFromEnv(env: NodeJS.ProcessEnv): Buffer | undefined {
  const value = env[MASTER_KEY_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  return parseMasterKey(value, MASTER_KEY_ENV);
}

export interface MasterKeyFile {
  key: Buffer;
  /** True when this call generated the file. */
  created: boolean;
  /** Set when an existing file is readable by group or others. */
  warning?: string;
}

/** Reads the key file, or generates it (0600, exclusive create) when it does not exist. */
export async function loadOrCreateMasterKeyFile(path: string): Promise<MasterKeyFile> {
  const existing = await readKeyFile(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let wrote = false;
  try {
    await writeFile(path, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    wrote = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const result = await readKeyFile(path);
  if (!result) throw new SecretError('secrets.master-key-missing', `${path}: could not create the master key file`);
  return { ...result, created: wrote };
}

async function readKeyFile(path: string): Promise<MasterKeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = parseMasterKey(text, path);
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return { key, created: false, warning: `${path} is readable by other users (mode ${mode.toString(8)}); run chmod 600 ${path}` };
  }
  return { key, created: false };
}
