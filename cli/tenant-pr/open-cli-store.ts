// The state store as the tenant playbook commands read and write it:
// DATABASE_URL, or the embedded store in --state-dir when one exists (never
// created here). Returns why not instead of throwing: a running controller
// holds the embedded store's lock.
import { resolve } from 'node:path';
import { DEFAULT_STATE_DIR, embeddedStoreExists, openStore, type Store } from '../../controller/store/store.js';
import type { CommandIo } from '../command.js';

export async function openCliStore(io: CommandIo, stateDirOption: unknown): Promise<{ store: Store } | { error: string }> {
  const stateDir = resolve(io.cwd, String(stateDirOption ?? DEFAULT_STATE_DIR));
  const databaseUrl = io.env.DATABASE_URL?.trim();
  if (!databaseUrl && !embeddedStoreExists(stateDir)) return { error: `[store.none] no state store in ${stateDir}; pass --state-dir or set DATABASE_URL` };
  try {
    return { store: await openStore({ ...(databaseUrl ? { databaseUrl } : { dir: stateDir }), notify: (message) => io.stderr.write(`rp9: ${message}\n`) }) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { error: `${typeof code === 'string' ? `[${code}] ` : ''}${(error as Error).message}` };
  }
}
