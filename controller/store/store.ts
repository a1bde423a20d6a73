// openStore: rp9's state store on PostgreSQL (DATABASE_URL) or, with no
// server, an embedded PGlite database under the state directory (`.rp9/`).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MASTER_KEY_BYTES, masterKeyId } from '../secrets/cipher.js';
import { SecretError } from '../secrets/errors.js';
import { loadOrCreateMasterKeyFile, masterKeyFromEnv } from '../secrets/master-key.js';
import { apiRequestsApi, type ApiRequestsApi } from './api-requests-repo.js';
import { backupsApi, type BackupsApi } from './backups-repo.js';
import { deliveriesApi, type DeliveriesApi } from './deliveries-repo.js';
import { eventsApi, type EventsApi } from './events-repo.js';
import { leaseApi, type LeaseApi } from './lease-repo.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { operationsApi, type OperationsApi } from './operations-repo.js';
import { sharedMembersApi, type SharedMembersApi } from './shared-members-repo.js';
import { secretsApi, type MasterKeyProvider, type SecretsApi } from './secrets-repo.js';
import type { Sql } from './sql.js';
import { statusApi, type StatusApi } from './status-repo.js';
import { subscriptionsApi, type SubscriptionsApi } from './subscriptions-repo.js';

export const DEFAULT_STATE_DIR = '.rp9';

export interface StoreOptions {
  /** PostgreSQL URL; when set, the embedded store is not used. */
  databaseUrl?: string;
  /** State directory of the embedded store (data in `<dir>/store`, key in `<dir>/master.key`); default `.rp9`. */
  dir?: string;
  /** An in-memory embedded store (tests); nothing is written to disk. */
  memory?: boolean;
  /** 32-byte master key for secrets; without it: `<dir>/master.key` (generated once) for the embedded store, an error on first secret use for PostgreSQL, a random key in memory. */
  masterKey?: Buffer;
  /** Receives notices such as "generated a master key"; default writes to stderr. */
  notify?: (message: string) => void;
}

export interface Store {
  readonly backend: { kind: 'postgres' | 'pglite'; description: string };
  readonly status: StatusApi;
  readonly events: EventsApi;
  readonly secrets: SecretsApi;
  readonly operations: OperationsApi;
  /** The backup catalogue. */
  readonly backups: BackupsApi;
  readonly lease: LeaseApi;
  /** Notifications sent and Stripe events accepted: what must not happen twice. */
  readonly deliveries: DeliveriesApi;
  /** Shared tenants' members on the shared n8n. */
  readonly sharedMembers: SharedMembersApi;
  /** The signed API's nonces and idempotent answers. */
  readonly apiRequests: ApiRequestsApi;
  /** The tenants' Stripe subscriptions as last seen (billing periods). */
  readonly subscriptions: SubscriptionsApi;
  /** The master key secrets (and backup data keys) are wrapped with. */
  masterKey(): Promise<Buffer>;
  close(): Promise<void>;
}

/** Opens the store and applies pending migrations. Throws StoreError (`store.unreachable`, `store.locked`, `store.migration-failed`, `store.schema-newer`). */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  if (options.masterKey !== undefined && (!Buffer.isBuffer(options.masterKey) || options.masterKey.length !== MASTER_KEY_BYTES)) {
    throw new SecretError('secrets.invalid-master-key', `the master key must be ${MASTER_KEY_BYTES} bytes`);
  }
  const stateDir = resolve(options.dir ?? DEFAULT_STATE_DIR);
  if (!options.databaseUrl && !options.memory && !embeddedStoreExists(stateDir)) {
    // PGlite runs initdb in WebAssembly on first use: seconds on an idle machine, much more on a busy one.
    (options.notify ?? notifyOnStderr)(
      `creating the embedded state store in ${join(stateDir, 'store')} (first run only; this takes a few seconds). Set DATABASE_URL to use PostgreSQL instead.`,
    );
  }
  const sql = await openSql(options, stateDir);
  try {
    return await storeOn(sql, options);
  } catch (error) {
    await sql.close().catch(() => undefined);
    throw error;
  }
}

/** A store over an already open Sql (migrates it first). `close()` closes the Sql. Tests use it to reach the raw tables. */
export async function storeOn(sql: Sql, options: Omit<StoreOptions, 'databaseUrl'> = {}): Promise<Store> {
  const notify = options.notify ?? notifyOnStderr;
  await migrate(sql, migrations);
  const masterKey = masterKeyProvider(options, sql, resolve(options.dir ?? DEFAULT_STATE_DIR), notify);
  return {
    backend: { kind: sql.kind, description: sql.description },
    status: statusApi(sql),
    events: eventsApi(sql),
    secrets: secretsApi(sql, masterKey),
    operations: operationsApi(sql),
    backups: backupsApi(sql),
    lease: leaseApi(sql),
    deliveries: deliveriesApi(sql),
    sharedMembers: sharedMembersApi(sql),
    apiRequests: apiRequestsApi(sql),
    subscriptions: subscriptionsApi(sql),
    masterKey,
    close: () => sql.close(),
  };
}

function notifyOnStderr(message: string): void {
  process.stderr.write(`rp9: ${message}\n`);
}

/** Store options from the environment: DATABASE_URL, RP9_MASTER_KEY, and the state directory. */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv, where: { cwd: string; stateDir?: string }): StoreOptions {
  const options: StoreOptions = { dir: resolve(where.cwd, where.stateDir ?? DEFAULT_STATE_DIR) };
  const url = env.DATABASE_URL?.trim();
  if (url) options.databaseUrl = url;
  const key = masterKeyFromEnv(env);
  if (key) options.masterKey = key;
  return options;
}

/** Whether an embedded store was ever created in this state directory (without opening it). */
export function embeddedStoreExists(stateDir: string): boolean {
  return existsSync(join(resolve(stateDir), 'store', 'PG_VERSION'));
}

async function openSql(options: StoreOptions, stateDir: string): Promise<Sql> {
  if (options.databaseUrl) {
    const { openPgSql } = await import('./pg-sql.js');
    return openPgSql(options.databaseUrl);
  }
  const { openPgliteSql } = await import('./pglite-sql.js');
  return options.memory ? openPgliteSql({ memory: true }) : openPgliteSql({ dataDir: join(stateDir, 'store') });
}

function masterKeyProvider(options: StoreOptions, sql: Sql, stateDir: string, notify: (message: string) => void): MasterKeyProvider {
  let pending: Promise<Buffer> | undefined;
  const resolveKey = async (): Promise<Buffer> => {
    if (options.masterKey) return options.masterKey;
    if (sql.inMemory) return randomBytes(MASTER_KEY_BYTES);
    if (sql.kind === 'postgres') {
      throw new SecretError(
        'secrets.master-key-missing',
        `${sql.description}: set RP9_MASTER_KEY (32 bytes, base64 or 64 hex digits) to use secrets; every controller sharing this database needs the same key`,
      );
    }
    const path = join(stateDir, 'master.key');
    const file = await loadOrCreateMasterKeyFile(path);
    if (file.created) {
      notify(`generated a master key for secrets at ${path} (mode 0600, id ${masterKeyId(file.key)}); back it up: without it the stored secrets cannot be decrypted. Set RP9_MASTER_KEY to use your own key.`);
    }
    if (file.warning) notify(file.warning);
    return file.key;
  };
  return () => {
    pending ??= resolveKey().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
