// `NAME_FILE` for every secret setting: the catalog marks which settings are
// secrets; `withSecretFiles` reads each `NAME_FILE` once, at the start of a
// command, into `NAME`, so every reader of the environment (settings, the
// store, the master key, the git source) sees the value and no reader knows
// about files. The pure check of both-set comes first, so a bad setting
// fails before any file is read.
import { readFileSync } from 'node:fs';
import { SECRET_SETTINGS } from './settings-catalog.js';

export type SecretFileCode = 'settings.secret-both-set' | 'settings.secret-file-unreadable' | 'settings.secret-file-empty';

export class SecretFileError extends Error {
  constructor(
    readonly code: SecretFileCode,
    message: string,
  ) {
    super(message);
  }
}

/** The value of `name`: `NAME` itself, or the trimmed contents of the file `NAME_FILE` names; undefined when neither is set. */
export function secretFromEnv(env: NodeJS.ProcessEnv, name: string, read: (path: string) => string = (path) => readFileSync(path, 'utf8')): string | undefined {
  const direct = env[name]?.trim();
  const file = env[`${name}_FILE`]?.trim();
  if (direct && file) throw new SecretFileError('settings.secret-both-set', `${name} and ${name}_FILE are both set; set one of them (${name}_FILE names ${file})`);
  if (direct) return direct;
  if (!file) return undefined;
  let text: string;
  try {
    text = read(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SecretFileError('settings.secret-file-unreadable', `${name}_FILE: cannot read ${file} (${reason})`);
  }
  const value = text.trim();
  if (!value) throw new SecretFileError('settings.secret-file-empty', `${name}_FILE: ${file} is empty`);
  return value;
}

/** `env` with every secret setting's `NAME_FILE` read into `NAME` (the `_FILE` variables are dropped); `env` itself is not changed. */
export function withSecretFiles(env: NodeJS.ProcessEnv, names: readonly string[] = SECRET_SETTINGS): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  for (const name of names) {
    if (env[`${name}_FILE`] === undefined) continue;
    const value = secretFromEnv(env, name);
    delete resolved[`${name}_FILE`];
    if (value !== undefined) resolved[name] = value;
  }
  return resolved;
}
