// The embedded default: a file-backed PGlite store under a state directory,
// with a generated master key, that survives close and reopen.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedStoreExists, openStore, storeOptionsFromEnv } from './store.js';

// Creating a file-backed PGlite takes ~6 s on an idle machine and much longer on a loaded one.
const OPEN_TIMEOUT_MS = 300_000;

describe('embedded store in a state directory', () => {
  let dir = '';
  const notices: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rp9-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the store and a 0600 master key, keeps data across reopen, and serves one opener at a time', async () => {
    const stateDir = join(dir, '.rp9');
    expect(embeddedStoreExists(stateDir)).toBe(false);

    const first = await openStore({ dir: stateDir, notify: (m) => notices.push(m) });
    const lockedOut = await openStore({ dir: stateDir }).then(
      () => undefined,
      (error: { code?: string; message: string }) => error,
    );
    await first.status.update('acme', { phase: 'active', appliedCommit: 'c0ffee' });
    const secret = await first.secrets.ensure('acme', 'db-password');
    await first.close();

    const keyMode = (await stat(join(stateDir, 'master.key'))).mode & 0o777;
    const second = await openStore({ dir: stateDir, notify: (m) => notices.push(m) });
    const again = await second.secrets.ensure('acme', 'db-password', () => 'must-not-be-used');
    const status = await second.status.get('acme');
    await second.close();

    expect(first.backend).toEqual({ kind: 'pglite', description: `embedded store at ${join(stateDir, 'store')}` });
    expect(lockedOut).toMatchObject({ code: 'store.locked', message: expect.stringContaining('in use by this process') });
    expect(embeddedStoreExists(stateDir)).toBe(true);
    expect(keyMode).toBe(0o600);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toBe(`creating the embedded state store in ${join(stateDir, 'store')} (first run only; this takes a few seconds). Set DATABASE_URL to use PostgreSQL instead.`);
    expect(notices[1]).toMatch(/generated a master key for secrets at .*master\.key \(mode 0600/);
    expect(again.reveal()).toBe(secret.reveal());
    expect(status).toMatchObject({ phase: 'active', appliedCommit: 'c0ffee' });
  }, OPEN_TIMEOUT_MS);
});

describe('storeOptionsFromEnv', () => {
  it('uses DATABASE_URL and RP9_MASTER_KEY when set and resolves the state dir', () => {
    const key = Buffer.alloc(32, 1);

    const withEnv = storeOptionsFromEnv({ DATABASE_URL: 'postgres://u:p@h/db', RP9_MASTER_KEY: key.toString('hex') }, { cwd: '/srv/rp9' });
    const bare = storeOptionsFromEnv({ DATABASE_URL: '  ' }, { cwd: '/srv/rp9', stateDir: 'state' });

    expect(withEnv).toEqual({ dir: '/srv/rp9/.rp9', databaseUrl: 'postgres://u:p@h/db', masterKey: key });
    expect(bare).toEqual({ dir: '/srv/rp9/state' });
  });
});
