import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { ensureTestImage, TEST_IMAGE } from '../../test/harness/test-image.js';
import { LABEL, MANAGED_BY } from '../model.js';
import { N8N_STORAGE_TABLES, N8N_USER_PROJECT_TABLES, personalProjectSql } from './fixtures/n8n-schema.js';
import { createStorageSource, createVolumeSizes, readDfVolumes } from './storage-source.js';
import { TelemetryError } from './types.js';

// The storage edge over the real parts: database sizes on the test
// PostgreSQL, n8n-shaped rows in a shared database, and volumes filled on the
// test dockerd and sized by its /system/df.
const docker = new Docker({ socketPath: inject('dockerSocket') });
const adminUrl = inject('postgresUrl');
const databases = scratchDatabases(adminUrl, 'rp9_storage');
const suffix = randomBytes(3).toString('hex');
const environment = `rp9-sto${suffix}-env`;
const KiB = 1024;
const MiB = 1024 * KiB;
let tenantUrl = '';
let sharedUrl = '';

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A volume with rp9's owner labels, `bytes` of random data written into it by a container. */
async function filledVolume(name: string, tenant: string, bytes: number, env = environment): Promise<void> {
  await docker.createVolume({ Name: name, Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: env, [LABEL.tenant]: tenant } });
  const container = await docker.createContainer({
    Image: TEST_IMAGE,
    Entrypoint: ['/bin/sh', '-c', `head -c ${bytes} /dev/urandom > /data/blob && sync`],
    HostConfig: { Binds: [`${name}:/data`] },
    Labels: { 'rp9.test': suffix },
  });
  await container.start();
  const exit = (await container.wait()) as { StatusCode: number };
  await container.remove({ force: true });
  expect(exit.StatusCode).toBe(0);
}

/** Incompressible text of `bytes` characters, so the stored size is about its length. */
function noise(bytes: number): string {
  return randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64').slice(0, bytes);
}

describe('storage source (test PostgreSQL and dockerd)', () => {
  beforeAll(async () => {
    await ensureTestImage(docker);
    tenantUrl = await databases.create();
    sharedUrl = await databases.create();
    await runSql(sharedUrl, N8N_USER_PROJECT_TABLES);
    await runSql(sharedUrl, N8N_STORAGE_TABLES);
    const client = new pg.Client({ connectionString: sharedUrl });
    await client.connect();
    try {
      for (const project of ['p-big', 'p-small', 'p-none']) {
        const { text, values } = personalProjectSql(`${project}@example.com`, project);
        await client.query(text, values);
      }
      // p-big owns wf-big (one execution with 300 KB of run data and a saved version); p-small owns wf-small.
      // wf-small is also shared with p-big as an editor: it still counts for its owner only.
      for (const [workflowId, nodes] of [['wf-big', noise(20 * KiB)], ['wf-small', noise(1 * KiB)]] as const) {
        await client.query(`insert into workflow_entity (id, name, nodes, connections) values ($1, $1, $2, '{}')`, [workflowId, JSON.stringify([nodes])]);
      }
      await client.query(`insert into workflow_history ("versionId", "workflowId", authors, nodes, connections) values ('v1', 'wf-big', 'me', $1, '{}')`, [JSON.stringify([noise(10 * KiB)])]);
      await client.query(`insert into shared_workflow ("workflowId", "projectId", role) values ('wf-big', 'p-big', 'workflow:owner'), ('wf-small', 'p-small', 'workflow:owner'), ('wf-small', 'p-big', 'workflow:editor')`);
      for (const [workflowId, data] of [['wf-big', noise(300 * KiB)], ['wf-small', noise(2 * KiB)]] as const) {
        const [row] = (await client.query<{ id: number }>(`insert into execution_entity (finished, mode, status, "workflowId") values (true, 'trigger', 'success', $1) returning id`, [workflowId])).rows;
        await client.query(`insert into execution_data ("executionId", "workflowData", data) values ($1, '{}', $2)`, [row!.id, data]);
      }
    } finally {
      await client.end();
    }
  }, 120_000);

  afterAll(async () => {
    await databases.dropAll();
    const volumes = (await docker.listVolumes({ filters: { label: [`${LABEL.environment}`] } })).Volumes ?? [];
    for (const v of volumes) if (v.Name.startsWith(`rp9-sto${suffix}`)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
  });

  it("a dedicated tenant's database counts as PostgreSQL sizes it, and grows with its rows", async () => {
    const source = createStorageSource({ dedicatedDatabase: () => tenantUrl });
    const before = await source({ tenant: 'acme', mode: 'dedicated', plan: 'pro' }, AbortSignal.timeout(10_000));
    const [sized] = await query<{ bytes: string }>(adminUrl, 'select pg_database_size($1) as bytes', [new URL(tenantUrl).pathname.slice(1)]);
    expect(before).toEqual({ databaseBytes: Number(sized!.bytes), volumeBytes: 0 });

    await runSql(tenantUrl, `create table blobs (b text); alter table blobs alter column b set storage external;`);
    await runSql(tenantUrl, 'insert into blobs select $1 from generate_series(1, 4)', [noise(MiB)]);
    const after = await source({ tenant: 'acme', mode: 'dedicated', plan: 'pro' }, AbortSignal.timeout(10_000));

    expect(after.databaseBytes - before.databaseBytes).toBeGreaterThanOrEqual(4 * MiB);
  });

  it("sizes rp9's volumes per tenant through /system/df, only in its environment", async () => {
    await filledVolume(`rp9-sto${suffix}-acme-data`, 'acme', 3 * MiB);
    await filledVolume(`rp9-sto${suffix}-acme-extra`, 'acme', 1 * MiB);
    await filledVolume(`rp9-sto${suffix}-hooli-data`, 'hooli', 2 * MiB);
    await filledVolume(`rp9-sto${suffix}-acme-elsewhere`, 'acme', 5 * MiB, `${environment}-2`);

    const listed = await readDfVolumes(docker, AbortSignal.timeout(30_000));
    const sizes = await createVolumeSizes(docker, { maxAgeMs: 0 })(environment)(AbortSignal.timeout(30_000));

    expect(listed.find((v) => v.Name === `rp9-sto${suffix}-acme-data`)?.UsageData?.Size).toBe(3 * MiB);
    expect(sizes.get('acme')).toBe(4 * MiB);
    expect(sizes.get('hooli')).toBe(2 * MiB);
  }, 120_000);

  it('a dedicated tenant counts its database and its volumes; one df read serves until it is too old', async () => {
    let clock = 0;
    const volumeSizes = createVolumeSizes(docker, { maxAgeMs: 60_000, clock: () => clock });
    const source = createStorageSource({ dedicatedDatabase: () => tenantUrl, volumes: volumeSizes(environment) });
    const target = { tenant: 'hooli', mode: 'dedicated', plan: 'pro' } as const;

    const first = await source(target, AbortSignal.timeout(30_000));
    await filledVolume(`rp9-sto${suffix}-hooli-more`, 'hooli', 1 * MiB);
    const cached = await source(target, AbortSignal.timeout(30_000));
    clock = 60_000;
    const fresh = await source(target, AbortSignal.timeout(30_000));

    expect(first.volumeBytes).toBe(2 * MiB);
    expect(cached.volumeBytes).toBe(2 * MiB);
    expect(fresh.volumeBytes).toBe(3 * MiB);
    expect(fresh.databaseBytes).toBeGreaterThan(4 * MiB);
  }, 120_000);

  it("a shared tenant counts the rows of the workflows its project owns, and not another project's", async () => {
    const source = createStorageSource({ dedicatedDatabase: () => tenantUrl, sharedDatabase: sharedUrl, projectIdFor: (t) => ({ big: 'p-big', small: 'p-small', none: 'p-none' })[t] });

    const big = await source({ tenant: 'big', mode: 'shared', plan: 'pro' }, AbortSignal.timeout(10_000));
    const small = await source({ tenant: 'small', mode: 'shared', plan: 'starter' }, AbortSignal.timeout(10_000));
    const none = await source({ tenant: 'none', mode: 'shared', plan: 'starter' }, AbortSignal.timeout(10_000));

    // 300 KB run data + 20 KB workflow + 10 KB history version, and a few hundred bytes of row headers.
    expect(big.databaseBytes).toBeGreaterThanOrEqual(330 * KiB);
    expect(big.databaseBytes).toBeLessThan(332 * KiB);
    expect(small.databaseBytes).toBeGreaterThanOrEqual(3 * KiB);
    expect(small.databaseBytes).toBeLessThan(5 * KiB);
    expect(none).toEqual({ databaseBytes: 0 });
  });

  it('without workflow_history (older n8n) the rest still counts', async () => {
    const url = await databases.create();
    await runSql(url, N8N_USER_PROJECT_TABLES);
    await runSql(url, N8N_STORAGE_TABLES.replace(/create table workflow_history[\s\S]*?\);/, ''));
    const { text, values } = personalProjectSql('p@example.com', 'p');
    await runSql(url, text, values);
    await runSql(url, `insert into workflow_entity (id, name, nodes, connections) values ('w', 'w', $1, '{}')`, [JSON.stringify([noise(8 * KiB)])]);
    await runSql(url, `insert into shared_workflow ("workflowId", "projectId", role) values ('w', 'p', 'workflow:owner')`);
    const source = createStorageSource({ dedicatedDatabase: () => url, sharedDatabase: url, projectIdFor: () => 'p' });

    const reading = await source({ tenant: 'x', mode: 'shared', plan: 'pro' }, AbortSignal.timeout(10_000));

    expect(reading.databaseBytes).toBeGreaterThanOrEqual(8 * KiB);
  });

  it('a shared tenant without a project or a shared database is telemetry.no-project', async () => {
    const withoutDb = createStorageSource({ dedicatedDatabase: () => tenantUrl });
    const withoutProject = createStorageSource({ dedicatedDatabase: () => tenantUrl, sharedDatabase: sharedUrl, projectIdFor: () => undefined });
    const target = { tenant: 'x', mode: 'shared', plan: 'pro' } as const;

    await expect(withoutDb(target, AbortSignal.timeout(5_000))).rejects.toMatchObject({ code: 'telemetry.no-project' });
    await expect(withoutProject(target, AbortSignal.timeout(5_000))).rejects.toBeInstanceOf(TelemetryError);
  });
});
