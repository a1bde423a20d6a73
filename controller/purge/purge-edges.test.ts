// observe → planPurge → applyPurge against the harness's PostgreSQL and
// dockerd, with an in-memory state store.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseName, volumeName } from '../compile/names.js';
import { LABEL, MANAGED_BY, type DesiredDatabase } from '../model.js';
import { createDatabaseAdmin, quoteIdent } from '../postgres/tenant-databases.js';
import { openStore, type Store } from '../store/store.js';
import { applyPurge } from './apply-purge.js';
import { planPurge } from './plan-purge.js';
import { openPurgeEdges, type PurgeEdges } from './purge-edges.js';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const prefix = `p${randomBytes(4).toString('hex')}`;
const environment = prefix;
const admin = createDatabaseAdmin(inject('postgresUrl'));
const volumes: string[] = [];
let store: Store;
let edges: PurgeEdges;
let routesDir: string;

function database(tenant: string): DesiredDatabase {
  const name = databaseName(tenant);
  return { kind: 'database', name, tenant, database: name, role: name, hash: 'h' };
}

async function volume(name: string, labels: Record<string, string>): Promise<void> {
  await docker.createVolume({ Name: name, Driver: 'local', Labels: labels });
  volumes.push(name);
}

function owned(tenant: string, env = environment): Record<string, string> {
  return { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: env, [LABEL.tenant]: tenant };
}

async function volumeExists(name: string): Promise<boolean> {
  return docker.getVolume(name).inspect().then(() => true, () => false);
}

async function query(text: string, params: unknown[] = []): Promise<number> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    return (await client.query(text, params)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** A dedicated tenant as the controller leaves it after removal from git: data volume, database, role, secrets. */
async function removedTenant(tenant: string): Promise<void> {
  await volume(volumeName(tenant), owned(tenant));
  const password = await store.secrets.ensure(tenant, 'db-password');
  await store.secrets.ensure(tenant, 'encryption-key');
  await admin.ensure(database(tenant), environment, password.reveal());
}

beforeAll(async () => {
  routesDir = await mkdtemp(join(tmpdir(), 'rp9-purge-routes-'));
  store = await openStore({ memory: true, notify: () => undefined });
  edges = openPurgeEdges({ environment, docker, routesDir, tenantDatabaseUrl: inject('postgresUrl'), store });
});

afterAll(async () => {
  for (const name of volumes) await docker.getVolume(name).remove().catch(() => undefined);
  for (const tenant of ['acme', 'globex', 'hooli'].map((t) => `${prefix}-${t}`)) await admin.drop(database(tenant)).catch(() => undefined);
  await admin.close();
  await edges.close();
  await store.close();
  await rm(routesDir, { recursive: true, force: true });
});

describe('purging a removed tenant', () => {
  it('deletes its labelled volume, database, role and secrets, and nothing unlabelled or of anyone else', async () => {
    // Arrange
    const acme = `${prefix}-acme`;
    const globex = `${prefix}-globex`;
    await removedTenant(acme);
    await removedTenant(globex);
    await store.status.update(acme, { phase: 'active' });
    await volume(`${volumeName(acme)}-copy`, {});
    await volume(`${volumeName(acme)}-other-env`, owned(acme, `${environment}x`));

    // Act
    const plan = planPurge(await edges.observe(acme, [globex]), acme);
    const outcome = await applyPurge(plan, edges.ports(acme));
    const after = planPurge(await edges.observe(acme, [globex]), acme);

    // Assert
    expect(plan.refused).toBeUndefined();
    expect(plan.steps).toEqual([
      { kind: 'volume', name: volumeName(acme) },
      { kind: 'database', name: databaseName(acme) },
      { kind: 'role', name: databaseName(acme) },
      { kind: 'secret', name: 'db-password' },
      { kind: 'secret', name: 'encryption-key' },
      { kind: 'status', name: acme },
    ]);
    expect(outcome).toEqual({ deleted: plan.steps, absent: [], notDone: [] });
    expect(after.steps).toEqual([]);
    expect(await volumeExists(volumeName(acme))).toBe(false);
    expect(await volumeExists(`${volumeName(acme)}-copy`)).toBe(true);
    expect(await volumeExists(`${volumeName(acme)}-other-env`)).toBe(true);
    expect(await query('select 1 from pg_database where datname = $1', [databaseName(acme)])).toBe(0);
    expect(await query('select 1 from pg_roles where rolname = $1', [databaseName(acme)])).toBe(0);
    expect(await store.secrets.names(acme)).toEqual([]);
    expect(await store.status.get(acme)).toBeUndefined();
    expect(await volumeExists(volumeName(globex))).toBe(true);
    expect(await query('select 1 from pg_database where datname = $1', [databaseName(globex)])).toBe(1);
    expect(await store.secrets.names(globex)).toEqual(['db-password', 'encryption-key']);
  });

  it('never plans a volume of the tenant\'s name that lacks rp9\'s labels', async () => {
    // Arrange
    const hooli = `${prefix}-hooli`;
    await volume(volumeName(hooli), {});

    // Act
    const plan = planPurge(await edges.observe(hooli, []), hooli);

    // Assert
    expect(plan.steps).toEqual([]);
    expect(await volumeExists(volumeName(hooli))).toBe(true);
  });

  it('stops when the database stopped being rp9\'s between plan and apply; the secrets stay, and the next plan shows what is left', async () => {
    // Arrange
    const globex = `${prefix}-globex`;
    const plan = planPurge(await edges.observe(globex, []), globex);
    await query(`comment on database ${quoteIdent(databaseName(globex))} is 'taken over by hand'`);

    // Act
    const outcome = await applyPurge(plan, edges.ports(globex));
    const next = planPurge(await edges.observe(globex, []), globex);

    // Assert
    expect(outcome.deleted).toEqual([{ kind: 'volume', name: volumeName(globex) }]);
    expect(outcome.failed).toMatchObject({ kind: 'database', code: 'postgres.not-owned' });
    expect(outcome.notDone.map((s) => s.kind)).toEqual(['role', 'secret', 'secret']);
    expect(await store.secrets.names(globex)).toEqual(['db-password', 'encryption-key']);
    // The database no longer carries the owner comment, so it is not seen; the role still is (its password is stored).
    expect(next.steps).toEqual([
      { kind: 'role', name: databaseName(globex) },
      { kind: 'secret', name: 'db-password' },
      { kind: 'secret', name: 'encryption-key' },
    ]);
  });
});
