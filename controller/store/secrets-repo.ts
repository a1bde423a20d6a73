// Encrypted per-tenant secrets (db-password, encryption-key). The database
// holds only AES-256-GCM envelopes; values come back wrapped in Secret.
import { decryptSecret, encryptSecret } from '../secrets/cipher.js';
import { Secret, generateSecretValue } from '../secrets/secret-value.js';
import type { Sql } from './sql.js';
import { checkName } from './validate.js';

export interface SecretsApi {
  /**
   * The tenant's secret `name`; generated (by `generate`, default 32 random
   * bytes base64url), encrypted and stored on first use, the same value on
   * every later call. Concurrent first calls agree on one value.
   */
  ensure(tenant: string, name: string, generate?: () => string | Promise<string>): Promise<Secret>;
  get(tenant: string, name: string): Promise<Secret | undefined>;
  /** Stores or replaces a value (rotation). */
  set(tenant: string, name: string, value: Secret | string): Promise<void>;
  /** Names of the tenant's secrets, sorted. */
  names(tenant: string): Promise<string[]>;
  /** Deletes one secret, or all of the tenant's when `name` is omitted; returns how many. */
  remove(tenant: string, name?: string): Promise<number>;
}

/** Resolves the master key on first use, so commands that never touch secrets never need one. */
export type MasterKeyProvider = () => Promise<Buffer>;

export function secretsApi(sql: Sql, masterKey: MasterKeyProvider): SecretsApi {
  const place = (tenant: string, name: string) => `${tenant}/${name}`;
  const read = async (tenant: string, name: string): Promise<string | undefined> => {
    const rows = await sql.query<{ envelope: string }>('select envelope from secrets where tenant = $1 and name = $2', [tenant, name]);
    return rows[0]?.envelope;
  };
  const open = async (tenant: string, name: string, envelope: string) => new Secret(decryptSecret(envelope, await masterKey(), place(tenant, name)));
  const check = (tenant: string, name: string) => {
    checkName('tenant', tenant);
    checkName('secret name', name);
  };
  return {
    async ensure(tenant, name, generate = () => generateSecretValue()) {
      check(tenant, name);
      const existing = await read(tenant, name);
      if (existing !== undefined) return open(tenant, name, existing);
      const key = await masterKey();
      const envelope = encryptSecret(await generate(), key, place(tenant, name));
      await sql.query('insert into secrets (tenant, name, envelope) values ($1, $2, $3) on conflict (tenant, name) do nothing', [tenant, name, envelope]);
      const stored = await read(tenant, name);
      if (stored === undefined) throw new Error(`secret ${place(tenant, name)} vanished right after it was stored`);
      return open(tenant, name, stored);
    },
    async get(tenant, name) {
      check(tenant, name);
      const envelope = await read(tenant, name);
      return envelope === undefined ? undefined : open(tenant, name, envelope);
    },
    async set(tenant, name, value) {
      check(tenant, name);
      const plaintext = value instanceof Secret ? value.reveal() : value;
      const envelope = encryptSecret(plaintext, await masterKey(), place(tenant, name));
      await sql.query(
        `insert into secrets (tenant, name, envelope) values ($1, $2, $3)
         on conflict (tenant, name) do update set envelope = excluded.envelope, updated_at = now()`,
        [tenant, name, envelope],
      );
    },
    async names(tenant) {
      const rows = await sql.query<{ name: string }>('select name from secrets where tenant = $1 order by name', [tenant]);
      return rows.map((r) => r.name);
    },
    async remove(tenant, name) {
      const rows = name === undefined
        ? await sql.query<{ name: string }>('delete from secrets where tenant = $1 returning name', [tenant])
        : await sql.query<{ name: string }>('delete from secrets where tenant = $1 and name = $2 returning name', [tenant, name]);
      return rows.length;
    },
  };
}
