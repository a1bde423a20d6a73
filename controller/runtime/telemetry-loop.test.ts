import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import { N8N_STORAGE_TABLES, N8N_USER_PROJECT_TABLES, personalProjectSql } from '../telemetry/fixtures/n8n-schema.js';
import { projectOwnersOf, startTelemetryLoop, targetsOf } from './telemetry-loop.js';
import { runSql } from '../../test/harness/scratch-databases.js';
import { openStore, type Store } from '../store/index.js';
import { journalSwappedUpgrade } from '../upgrades/fixtures/journal.js';
import { until } from '../../test/harness/wait.js';

const adminUrl = inject('postgresUrl');
const database = 'rp9_tl_acme';
const waynesDatabase = 'rp9_tl_wayne';
const sharedDatabase = 'rp9_tl_shared';
// tl-dormant is suspended: no container runs, its database is kept.
const dormantDatabase = 'rp9_tl_dormant';
// tl-umbrella upgraded blue/green: green's database is still there, blue's is live.
const umbrellaGreen = 'rp9_tl_umbrella';
const umbrellaBlue = 'rp9_tl_umbrella_blue';
const EXECUTIONS_TABLE = `create table execution_entity (id serial primary key, "createdAt" timestamp(3) with time zone not null,
    "startedAt" timestamp(3) with time zone, "stoppedAt" timestamp(3) with time zone, status varchar not null, "workflowId" varchar(36) not null)`;
let store: Store;
const encode = (text: string) => new TextEncoder().encode(text);

function urlOf(db: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

const tenant = (name: string, extra: string, metadata = '') => `apiVersion: rp9.io/v1
kind: Tenant
metadata: { name: ${name}, email: ops@${name}.example.com${metadata} }
spec: { plan: starter, region: us-east, subdomain: ${name}, ${extra} }
`;

async function config(tenants = [
  { path: 'tenants/tl-acme.yaml', bytes: encode(tenant('tl-acme', 'mode: dedicated')) },
  { path: 'tenants/tl-idle.yaml', bytes: encode(tenant('tl-idle', 'mode: shared, suspended: true')) },
  { path: 'tenants/tl-dormant.yaml', bytes: encode(tenant('tl-dormant', 'mode: dedicated, suspended: true, suspendedReason: "enforcement: storageGb at 100 %"')) },
  { path: 'tenants/tl-hooli.yaml', bytes: encode(tenant('tl-hooli', 'mode: shared')) },
  { path: 'tenants/tl-soylent.yaml', bytes: encode(tenant('tl-soylent', 'mode: shared', ', labels: { rp9.io/n8n-project: pSoylent }')) },
]): Promise<GoodConfig> {
  const loaded = loadConfig({
    platform: { path: 'platform.yaml', bytes: await readFile(new URL('../../platform.yaml', import.meta.url)) },
    tenants,
    problems: [],
  });
  if (!loaded.platform) throw new Error(JSON.stringify(loaded.diagnostics));
  return { commit: 'c1', platform: loaded.platform, config: loaded };
}

beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
  await journalSwappedUpgrade(store.operations, 'tl-umbrella', { finish: true });
  for (const [db, runs] of [[umbrellaGreen, 1], [umbrellaBlue, 3]] as const) {
    await runSql(adminUrl, `drop database if exists ${db} with (force)`);
    await runSql(adminUrl, `create database ${db}`);
    await runSql(urlOf(db), EXECUTIONS_TABLE);
    for (let i = 0; i < runs; i += 1) {
      const at = new Date(Date.now() - 20_000 - i * 1_000).toISOString();
      await runSql(urlOf(db), `insert into execution_entity ("createdAt", "startedAt", "stoppedAt", status, "workflowId") values ($1, $1, $1, 'success', 'w1')`, [at]);
    }
  }
  await runSql(adminUrl, `drop database if exists ${database} with (force)`);
  await runSql(adminUrl, `create database ${database}`);
  await runSql(urlOf(database), EXECUTIONS_TABLE);
  await runSql(adminUrl, `drop database if exists ${waynesDatabase} with (force)`);
  await runSql(adminUrl, `create database ${waynesDatabase}`);
  await runSql(urlOf(waynesDatabase), EXECUTIONS_TABLE);
  await runSql(adminUrl, `drop database if exists ${dormantDatabase} with (force)`);
  await runSql(adminUrl, `create database ${dormantDatabase}`);
  await runSql(urlOf(dormantDatabase), EXECUTIONS_TABLE);
  const now = Date.now();
  await runSql(urlOf(dormantDatabase), `insert into execution_entity ("createdAt", "startedAt", "stoppedAt", status, "workflowId") values ($1, $1, $1, 'success', 'w1')`, [new Date(now - 60_000).toISOString()]);
  for (const ago of [30_000, 20_000]) {
    await runSql(urlOf(database), `insert into execution_entity ("createdAt", "startedAt", "stoppedAt", status, "workflowId") values ($1, $2, $3, 'success', 'w1')`,
      [new Date(now - ago - 1_000).toISOString(), new Date(now - ago).toISOString(), new Date(now - ago + 500).toISOString()]);
  }
  // The shared n8n: tl-hooli's owner has a personal project (found by email, no label) owning wH, run three times.
  await runSql(adminUrl, `drop database if exists ${sharedDatabase} with (force)`);
  await runSql(adminUrl, `create database ${sharedDatabase}`);
  await runSql(urlOf(sharedDatabase), N8N_USER_PROJECT_TABLES);
  await runSql(urlOf(sharedDatabase), N8N_STORAGE_TABLES);
  const personal = personalProjectSql('ops@tl-hooli.example.com', 'pHooli');
  await runSql(urlOf(sharedDatabase), personal.text, personal.values);
  await runSql(urlOf(sharedDatabase), `insert into shared_workflow ("workflowId", "projectId", role) values ('wH', 'pHooli', 'workflow:owner')`);
  for (const ago of [40_000, 30_000, 20_000]) {
    await runSql(urlOf(sharedDatabase), `insert into execution_entity (finished, mode, "createdAt", "startedAt", "stoppedAt", status, "workflowId") values (true, 'trigger', $1, $1, $1, 'success', 'wH')`,
      [new Date(now - ago).toISOString()]);
  }
});

afterAll(async () => {
  await store?.close();
  for (const db of [umbrellaGreen, umbrellaBlue]) await runSql(adminUrl, `drop database if exists ${db} with (force)`);
  await runSql(adminUrl, `drop database if exists ${database} with (force)`);
  await runSql(adminUrl, `drop database if exists ${sharedDatabase} with (force)`);
  await runSql(adminUrl, `drop database if exists ${waynesDatabase} with (force)`);
  await runSql(adminUrl, `drop database if exists ${dormantDatabase} with (force)`);
});

/** Runs the loop as leader until `seen` holds on /metrics (bounded: a timeout fails the test), then stops it; the /metrics text. */
async function firstCollection(good: GoodConfig, sharedDatabaseUrl: string | undefined, what: string, seen: (text: string) => boolean): Promise<string> {
  const metrics = createMetrics({ defaultMetrics: false });
  const stop = startTelemetryLoop({
    intervalMs: 200,
    docker: new Docker({ socketPath: inject('dockerSocket') }),
    tenantDatabaseUrl: adminUrl,
    sharedDatabaseUrl,
    operations: store.operations,
    config: () => good,
    isLeader: () => true,
    metrics,
    logger: silentLogger(),
  });
  try {
    return await until(what, async () => {
      const current = await metrics.registry.metrics();
      return seen(current) ? current : undefined;
    }, { timeoutMs: 15_000 });
  } finally {
    stop();
  }
}

async function pgQuery<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('telemetry loop', () => {
  it('measures every tenant, suspended ones too (their data is kept and still counts)', async () => {
    expect(targetsOf(await config())).toEqual([
      { tenant: 'tl-acme', mode: 'dedicated', plan: 'starter' },
      { tenant: 'tl-dormant', mode: 'dedicated', plan: 'starter' },
      { tenant: 'tl-hooli', mode: 'shared', plan: 'starter' },
      { tenant: 'tl-idle', mode: 'shared', plan: 'starter' },
      { tenant: 'tl-soylent', mode: 'shared', plan: 'starter' },
    ]);
  });

  it("gives a tenant billed by Stripe its recorded subscription's period; the others none (the calendar month)", async () => {
    const period = { start: new Date('2026-11-15T10:00:00Z'), end: new Date('2026-12-15T10:00:00Z') };
    const good = await config([
      { path: 'tenants/tl-acme.yaml', bytes: encode(tenant('tl-acme', 'mode: dedicated, billing: { stripeCustomerId: cus_Acme }')) },
      { path: 'tenants/tl-hooli.yaml', bytes: encode(tenant('tl-hooli', 'mode: shared')) },
    ]);
    const recorded = new Map([['cus_Acme', [{ id: 'sub_Old', status: 'canceled' }, { id: 'sub_Acme', status: 'active', currentPeriod: period }]]]);

    expect(targetsOf(good, recorded)).toEqual([
      { tenant: 'tl-acme', mode: 'dedicated', plan: 'starter', subscriptionPeriod: period },
      { tenant: 'tl-hooli', mode: 'shared', plan: 'starter' },
    ]);
  });

  it('attributes the shared tenants, suspended ones too, by owner email, with the project label as override', async () => {
    expect(projectOwnersOf(await config())).toEqual([
      { tenant: 'tl-hooli', email: 'ops@tl-hooli.example.com' },
      { tenant: 'tl-idle', email: 'ops@tl-idle.example.com' },
      { tenant: 'tl-soylent', email: 'ops@tl-soylent.example.com', label: 'pSoylent' },
    ]);
  });

  it("exports a dedicated tenant's executions from its own database, and a shared tenant's from its personal project, on /metrics, while leader", async () => {
    // Arrange
    const good = await config();

    // Act: bounded wait for the first collection (a timeout fails the test).
    const text = await firstCollection(good, urlOf(sharedDatabase), 'tl-acme and tl-hooli on /metrics', (current) => current.includes('tenant="tl-acme"') && current.includes('tenant="tl-hooli"'));

    // Assert
    expect(text).toMatch(/rp9_tenant_executions_month\{[^}]*tenant="tl-acme"[^}]*\} 2/);
    expect(text).toMatch(/rp9_tenant_executions_month\{[^}]*tenant="tl-hooli"[^}]*\} 3/);
    // The label names a project that owns no workflow: measured, and zero.
    expect(text).toMatch(/rp9_tenant_executions_month\{[^}]*tenant="tl-soylent"[^}]*\} 0/);
    // tl-idle is suspended and has no personal project on the shared n8n: nothing to measure, so no series.
    expect(text).not.toContain('tenant="tl-idle"');
    // Storage: tl-acme's own database as PostgreSQL sizes it (it has no volume here); tl-hooli's project rows.
    const sized = await pgQuery<{ bytes: string }>(adminUrl, 'select pg_database_size($1) as bytes', [database]);
    expect(text).toMatch(new RegExp(`rp9_tenant_storage_bytes\\{[^}]*tenant="tl-acme"[^}]*\\} ${sized[0]!.bytes}\\n`));
    const hooli = Number(/rp9_tenant_storage_bytes\{[^}]*tenant="tl-hooli"[^}]*\} (\d+)/.exec(text)?.[1]);
    expect(hooli).toBeGreaterThan(0);
  });

  it('measures a suspended dedicated tenant: its kept database (storage) and its executions of the period, with no container running', async () => {
    // Arrange: tl-dormant is suspended (no container), its database holds one execution of this period.
    const good = await config();

    // Act: bounded wait for the first collection (a timeout fails the test).
    const text = await firstCollection(good, urlOf(sharedDatabase), 'tl-dormant on /metrics', (current) => /rp9_tenant_storage_bytes\{[^}]*tenant="tl-dormant"/.test(current));

    // Assert
    const sized = await pgQuery<{ bytes: string }>(adminUrl, 'select pg_database_size($1) as bytes', [dormantDatabase]);
    expect(text).toMatch(new RegExp(`rp9_tenant_storage_bytes\\{[^}]*tenant="tl-dormant"[^}]*\\} ${sized[0]!.bytes}\\n`));
    expect(text).toMatch(/rp9_tenant_executions_month\{[^}]*tenant="tl-dormant"[^}]*\} 1\n/);
    expect(text).toMatch(/rp9_tenant_mem_bytes\{[^}]*tenant="tl-dormant"[^}]*\} 0\n/);
  });
});

describe('telemetry loop: a tenant upgraded blue/green', () => {
  it("reads the executions from the live colour's database (blue), not green's", async () => {
    // Arrange: the journal says tl-umbrella's swap to blue is done; green's database has 1 execution, blue's 3.
    const good = await config([{ path: 'tenants/tl-umbrella.yaml', bytes: encode(tenant('tl-umbrella', 'mode: dedicated')) }]);

    // Act: bounded wait for the first collection (a timeout fails the test).
    const text = await firstCollection(good, undefined, 'tl-umbrella executions on /metrics', (current) => /rp9_tenant_executions_month\{[^}]*tenant="tl-umbrella"/.test(current));

    // Assert
    expect(text).toMatch(/rp9_tenant_executions_month\{[^}]*tenant="tl-umbrella"[^}]*\} 3/);
  });
});

describe('telemetry loop: queue-wait histogram', () => {
  /** A finished execution of tl-wayne that waited `waitMs`, started `agoMs` ago (older than the 10 s settle time). */
  async function execution(waitMs: number, agoMs = 15_000): Promise<void> {
    const started = Date.now() - agoMs;
    await runSql(urlOf(waynesDatabase), `insert into execution_entity ("createdAt", "startedAt", "stoppedAt", status, "workflowId") values ($1, $2, $2, 'success', 'w1')`,
      [new Date(started - waitMs).toISOString(), new Date(started).toISOString()]);
  }

  it('observes each execution once across passes, clears the usage gauges while a follower, and counts nothing twice after the lease comes back', async () => {
    // Arrange: one dedicated tenant with an execution before the first pass.
    const good = await config([{ path: 'tenants/tl-wayne.yaml', bytes: encode(tenant('tl-wayne', 'mode: dedicated')) }]);
    await execution(1_000);
    const metrics = createMetrics({ defaultMetrics: false });
    let passes = 0;
    let leader = true;
    const stop = startTelemetryLoop({
      intervalMs: 100,
      docker: new Docker({ socketPath: inject('dockerSocket') }),
      tenantDatabaseUrl: adminUrl,
      sharedDatabaseUrl: undefined,
      operations: store.operations,
      config: () => { passes += 1; return good; },
      isLeader: () => leader,
      metrics,
      logger: silentLogger(),
    });
    const series = 'tenant="tl-wayne",mode="dedicated",plan="starter"';
    const count = async () => Number((await metrics.registry.metrics()).match(new RegExp(`^rp9_tenant_queue_wait_seconds_count\\{${series}\\} (\\S+)$`, 'm'))?.[1] ?? Number.NaN);
    // Every wait is bounded and fails the test on timeout: "nothing counted twice" must never pass because no pass ran.
    const morePasses = async (n: number) => {
      const target = passes + n;
      await until(`${n} more telemetry passes (at ${passes})`, () => passes >= target, { timeoutMs: 15_000 });
    };

    try {
      // Act + Assert: the first pass creates the series at 0 (the execution before it is not counted).
      await until('the first pass to create the series at 0', async () => (await count()) === 0, { timeoutMs: 15_000 });
      expect(await count()).toBe(0);
      await execution(3_000);
      await until('the 3 s wait to be observed', async () => (await count()) === 1, { timeoutMs: 15_000 });
      await morePasses(3);
      const text = await metrics.registry.metrics();
      expect(text).toContain(`rp9_tenant_queue_wait_seconds_count{${series}} 1`);
      expect(text).toContain(`rp9_tenant_queue_wait_seconds_sum{${series}} 3`);
      expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="2",${series}} 0`);
      expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="5",${series}} 1`);

      expect(text).toMatch(/^rp9_tenant_executions_month\{[^}]*tenant="tl-wayne"[^}]*\} \d+$/m);

      // Another controller holds the lease and observes this one: this one exports no usage of its own
      // (a former leader's last values would mix into the bots' max_over_time); back as leader, nothing is counted twice.
      leader = false;
      await morePasses(2);
      expect(await metrics.registry.metrics()).not.toMatch(/^rp9_tenant_executions_month\{/m);
      await execution(7_000);
      await morePasses(2);
      leader = true;
      await morePasses(4);
      expect(await count()).toBe(1);
    } finally {
      stop();
    }
  });
});
