import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordTenantUsage } from '../../controller/metrics/record.js';
import { openStore, type Store } from '../../controller/store/store.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { platformYaml, tenantFile } from '../../test/e2e/support/config.js';
import { startExporter, type Exporter } from '../../test/harness/exporter.js';
import { startPrometheus, type PrometheusServer } from '../../test/harness/prometheus.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { tempDir } from '../../test/harness/temp-dirs.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { main } from '../main.js';

// rp9 status with usage: the controller's registry filled by recordTenantUsage
// (as its telemetry loop does), scraped by a real Prometheus; the statuses in
// a real store on the harness PostgreSQL; the limits from a config directory.
const databases = scratchDatabases(inject('postgresUrl'), 'rp9_status_usage_test');
const metrics = createMetrics({ defaultMetrics: false });
let exporter: Exporter;
let prometheus: PrometheusServer;
let store: Store;
let env: Record<string, string>;
let dir = '';

beforeAll(async () => {
  const databaseUrl = await databases.create();
  store = await openStore({ databaseUrl });
  env = { DATABASE_URL: databaseUrl };
  for (const tenant of ['acme', 'initech', 'hooli', 'umbrella']) {
    await store.status.update(tenant, { phase: 'active', appliedCommit: 'abcdef0123456789', conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied' }] });
  }
  dir = await tempDir('rp9-status-usage-');
  await mkdir(join(dir, 'tenants'));
  const files = { 'platform.yaml': platformYaml({ environment: 'utest' }), ...tenantFile({ name: 'acme', mode: 'shared' }), ...tenantFile({ name: 'initech', mode: 'shared' }), ...tenantFile({ name: 'hooli', mode: 'dedicated', cpu: 0.5, memoryMb: 128, workers: 1 }) };
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  exporter = await startExporter({
    source: metrics.registry,
    beforeScrape: () => recordTenantUsage(metrics, [
      { tenant: 'acme', mode: 'shared', plan: 'starter', executionsMonth: 850, concurrentExecutions: 1, billingPeriod: { start: new Date('2026-11-15T10:00:00Z'), source: 'stripe' } },
      { tenant: 'initech', mode: 'shared', plan: 'starter', executionsMonth: 120, concurrentExecutions: 2 },
      { tenant: 'hooli', mode: 'dedicated', plan: 'starter', executionsMonth: 10, cpuPercent: 42, memBytes: 100 * 1024 ** 2, memPercent: 39.0625, storageBytes: 0.9 * 1024 ** 3 },
    ]),
  });
  prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalSeconds: 1 });
  await prometheus.waitForSeries('rp9_tenant_executions_month{tenant="initech"}', { attempts: 100, delayMs: 200 });
  await prometheus.waitForSeries('rp9_tenant_storage_bytes{tenant="hooli"}', { attempts: 100, delayMs: 200 });
  await prometheus.waitForSeries('rp9_tenant_billing_period_start_seconds{tenant="acme"}', { attempts: 100, delayMs: 200 });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  await store?.close();
  await databases.dropAll();
});

describe('rp9 status with usage from Prometheus', () => {
  it('adds the limit nearest its allowance to the table, and the figures against the limits to one tenant', async () => {
    const all = captureIo({ ...env, RP9_PROMETHEUS_URL: prometheus.url }, dir);
    const one = captureIo({ ...env, RP9_PROMETHEUS_URL: prometheus.url }, dir);
    const json = captureIo(env, dir);

    expect(await main(['status'], all.io)).toBe(0);
    expect(await main(['status', 'acme'], one.io)).toBe(0);
    expect(await main(['status', 'initech', '--prometheus', prometheus.url, '-o', 'json'], json.io)).toBe(0);

    const rows = all.out().split('\n');
    expect(rows[0]).toMatch(/^TENANT\s+PHASE\s+READY\s+REASON\s+USAGE\s+APPLIED\s+UPDATED$/);
    expect(rows.find((r) => r.startsWith('acme '))).toContain('executionsMonthly 85 % (warning)');
    expect(rows.find((r) => r.startsWith('initech '))).toContain('concurrentExecutions 100 % (limit)');
    expect(rows.find((r) => r.startsWith('hooli '))).toContain('storageGb 90 % (warning)');
    expect(rows.find((r) => r.startsWith('umbrella '))).toMatch(/ReconciliationSucceeded\s+-\s+abcdef0/);
    expect(one.out()).toContain([
      'Usage:',
      '  LIMIT                 USED  ALLOWED  PERCENT  LEVEL',
      '  executionsMonthly     850   1,000    85 %     warning',
      '  concurrentExecutions  1     2        50 %     ok',
      "  executions since 2026-11-15 10:00 UTC (the billing period: the Stripe subscription's, else the calendar month)",
    ].join('\n'));
    const parsed = JSON.parse(json.out()) as { usage: { limits: { limit: string; used: number }[] } };
    expect(parsed.usage.limits.map((l) => `${l.limit} ${l.used}`)).toEqual(['executionsMonthly 120', 'concurrentExecutions 2']);
  });

  it("shows a dedicated tenant's storage against its allowance, and its CPU and memory against its allocation", async () => {
    const one = captureIo({ ...env, RP9_PROMETHEUS_URL: prometheus.url }, dir);
    const json = captureIo({ ...env, RP9_PROMETHEUS_URL: prometheus.url }, dir);

    expect(await main(['status', 'hooli'], one.io)).toBe(0);
    expect(await main(['status', 'hooli', '-o', 'json'], json.io)).toBe(0);

    expect(one.out()).toContain([
      'Usage:',
      '  LIMIT              USED  ALLOWED  PERCENT  LEVEL',
      '  executionsMonthly  10    1,000    1 %      ok',
      '  storageGb          0.9   1        90 %     warning',
      '',
      'Allocation:',
      '  RESOURCE  USED        ALLOCATED  PERCENT',
      '  cpu       0.42 cores  1 cores    42 %',
      '  memory    100 MiB     256 MiB    39 %',
    ].join('\n'));
    const parsed = JSON.parse(json.out()) as { usage: { resources: unknown; allocation: unknown } };
    expect(parsed.usage.resources).toEqual({ cpuPercent: 42, memBytes: 100 * 1024 ** 2, memPercent: 39.0625 });
    expect(parsed.usage.allocation).toEqual({ cores: 1, memoryMb: 256, containers: 2 });
  });

  it('without the config shows the figures alone; without Prometheus says why and still exits 0', async () => {
    const bare = captureIo({ ...env, RP9_PROMETHEUS_URL: prometheus.url }, '/');
    const down = captureIo({ ...env, RP9_PROMETHEUS_URL: 'http://127.0.0.1:9' }, dir);
    const none = captureIo(env, dir);

    expect(await main(['status', 'acme'], bare.io)).toBe(0);
    expect(await main(['status'], down.io)).toBe(0);
    expect(await main(['status', 'acme'], none.io)).toBe(0);

    expect(bare.out()).toMatch(/executions this period\s+850\s+-/);
    expect(down.out()).toContain('Usage unavailable: Prometheus http://127.0.0.1:9');
    expect(none.out()).not.toContain('Usage');
  });
});
