// The base branch's config, from the fetched git data or from a local
// directory (dry runs): files plus their validated form.
import { loadConfig } from '../../config/load-config.js';
import { readConfigDir } from '../../config/read-config-dir.js';
import type { ConfigFiles } from '../../config/types.js';
import type { BaseConfig } from './types.js';

export function baseConfigFrom(files: ConfigFiles, at: { branch: string; sha: string }): BaseConfig {
  const byPath = new Map<string, Uint8Array>();
  if (files.platform) byPath.set(files.platform.path, files.platform.bytes);
  for (const file of files.tenants) byPath.set(file.path, file.bytes);
  return {
    branch: at.branch,
    sha: at.sha,
    files,
    config: loadConfig(files),
    readFile(path) {
      const bytes = byPath.get(path);
      return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
    },
  };
}

/** A checkout on disk standing in for the base branch (`rp9 bots run --dir`). */
export async function readLocalBaseConfig(dir: string, branch: string): Promise<BaseConfig> {
  return baseConfigFrom(await readConfigDir(dir), { branch, sha: '' });
}
