import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recordTenantUsage } from '../../controller/metrics/record.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { collectTenantMetrics } from './collect.js';
import type { ContainerUsage, DockerStats } from './docker-stats.js';
import type { ExecutionActivity } from './executions.js';
import { TelemetryError, type ExecutionQuery, type TelemetrySources, type TelemetryTarget } from './types.js';

// The orchestration is under test here; the sources are in-memory edges with
// known answers (the real edges have their own tests against dockerd and PostgreSQL).
const NOW = new Date('2026-03-10T12:00:00Z');
const MiB = 1024 * 1024;
const busy = JSON.parse(readFileSync(new URL('./fixtures/docker-stats-v1-busy.json', import.meta.url), 'utf8')) as DockerStats;
const BUSY_CORES = (416_686_378 / 2_020_000_000) * 2;

const acme: TelemetryTarget = { tenant: 'acme', mode: 'dedicated', plan: 'pro' };
const globex: TelemetryTarget = { tenant: 'globex', mode: 'dedicated', plan: 'enterprise' };
// hooli pays through Stripe: its subscription's period began on March 3rd.
const hooli: TelemetryTarget = { tenant: 'hooli', mode: 'shared', plan: 'pro', subscriptionPeriod: { start: new Date('2026-03-03T08:00:00Z'), end: new Date('2026-04-03T08:00:00Z') } };
const CALENDAR = { billingPeriod: { start: new Date('2026-03-01T00:00:00Z'), source: 'calendar' } };

function at(iso: string): Date {
  return new Date(iso);
}

/** Two executions in the window: waits 1 s and 3 s; 42 this month. */
const ACTIVITY: ExecutionActivity = {
  periodCount: 42,
  rows: [
    { createdAt: at('2026-03-10T11:58:00Z'), startedAt: at('2026-03-10T11:58:01Z'), stoppedAt: null, status: 'running' },
    { createdAt: at('2026-03-10T11:57:00Z'), startedAt: at('2026-03-10T11:57:03Z'), stoppedAt: at('2026-03-10T11:57:09Z'), status: 'success' },
  ],
};
const MAIN: ContainerUsage = { name: 'rp9-acme-main', stats: busy, cpuLimitCores: 0.5, memoryLimitBytes: 64 * MiB };

function never<T>(signal: AbortSignal, aborted: AbortSignal[]): Promise<T> {
  return new Promise<T>(() => { signal.addEventListener('abort', () => aborted.push(signal)); });
}

describe('collectTenantMetrics', () => {
  it('combines container usage and executions into the sample recordTenantUsage exports', async () => {
    const dockerCalls: string[] = [];
    const queries: ExecutionQuery[] = [];
    const sources: TelemetrySources = {
      containerUsage: async (tenant) => { dockerCalls.push(tenant); return [MAIN]; },
      executions: async (_target, query) => { queries.push(query); return ACTIVITY; },
    };

    const result = await collectTenantMetrics([acme, hooli], sources, { now: NOW, windowMs: 5 * 60_000 });

    expect(result.errors).toEqual([]);
    expect(dockerCalls).toEqual(['acme']); // shared tenants have no containers of their own
    // Each tenant's executions are counted from its own period start.
    expect(queries[0]).toEqual({ now: NOW, windowStart: at('2026-03-10T11:55:00Z'), periodStart: at('2026-03-01T00:00:00Z') });
    expect(queries[1]).toEqual({ now: NOW, windowStart: at('2026-03-10T11:55:00Z'), periodStart: at('2026-03-03T08:00:00Z') });
    const executions = { executionsPerMinute: 2 / 5, executionsMonth: 42, concurrentExecutions: 1, queueWaitP95Seconds: 3, executionSuccessRatio: 1 };
    expect(result.samples).toEqual([
      { tenant: 'acme', mode: 'dedicated', plan: 'pro', cpuPercent: (BUSY_CORES / 0.5) * 100, memBytes: 20_635_648, memPercent: (20_635_648 / (64 * MiB)) * 100, ...executions, ...CALENDAR },
      { tenant: 'hooli', mode: 'shared', plan: 'pro', ...executions, billingPeriod: { start: at('2026-03-03T08:00:00Z'), source: 'stripe' } },
    ]);
    const metrics = createMetrics({ defaultMetrics: false });
    recordTenantUsage(metrics, result.samples);
    const text = await metrics.registry.metrics();
    expect(text).toContain('rp9_tenant_queue_wait_p95_seconds{tenant="hooli",mode="shared",plan="pro"} 3');
    expect(text).toContain('rp9_tenant_mem_bytes{tenant="acme",mode="dedicated",plan="pro"} 20635648');
    expect(text).toContain('rp9_tenant_executions_month{tenant="acme",mode="dedicated",plan="pro"} 42');
    // Which period each count is of.
    expect(text).toContain(`rp9_tenant_billing_period_start_seconds{tenant="acme",mode="dedicated",plan="pro",source="calendar"} ${Date.parse('2026-03-01T00:00:00Z') / 1000}`);
    expect(text).toContain(`rp9_tenant_billing_period_start_seconds{tenant="hooli",mode="shared",plan="pro",source="stripe"} ${Date.parse('2026-03-03T08:00:00Z') / 1000}`);
    expect(text).not.toContain('rp9_tenant_cpu_percent{tenant="hooli"');
  });

  it('cuts off a tenant whose source hangs, aborts its signal, and still measures the others', async () => {
    const aborted: AbortSignal[] = [];
    const sources: TelemetrySources = {
      containerUsage: async (tenant, signal) => (tenant === 'acme' ? never(signal, aborted) : [MAIN]),
      executions: async () => ACTIVITY,
    };

    // One tenant at a time: globex only runs once acme's deadline has passed.
    const result = await collectTenantMetrics([acme, globex], sources, { now: NOW, timeoutMs: 200, concurrency: 1 });

    expect(result.errors).toEqual([{ tenant: 'acme', code: 'telemetry.timeout', message: 'tenant acme: Docker stats did not answer within 200 ms' }]);
    expect(aborted).toHaveLength(1);
    expect(result.samples.map((s) => s.tenant)).toEqual(['acme', 'globex']);
    // acme keeps the figures that did answer.
    expect(result.samples[0]).toEqual({ tenant: 'acme', mode: 'dedicated', plan: 'pro', executionsPerMinute: 2 / 5, executionsMonth: 42, concurrentExecutions: 1, queueWaitP95Seconds: 3, executionSuccessRatio: 1, ...CALENDAR });
    expect(result.samples[1]?.cpuPercent).toBeCloseTo((BUSY_CORES / 0.5) * 100, 9);
  });

  it('leaves out a tenant of which nothing answered', async () => {
    const aborted: AbortSignal[] = [];
    const sources: TelemetrySources = {
      containerUsage: async (_t, signal) => never(signal, aborted),
      executions: async (_t, _q, signal) => never(signal, aborted),
    };

    const result = await collectTenantMetrics([acme], sources, { now: NOW, timeoutMs: 50 });

    expect(result.samples).toEqual([]);
    expect(result.errors.map((e) => e.code)).toEqual(['telemetry.timeout', 'telemetry.timeout']);
  });

  it('reports each failing edge with its code and keeps what the other gave', async () => {
    const sources: TelemetrySources = {
      containerUsage: async () => { throw Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }); },
      executions: async (target) => {
        if (target.mode === 'shared') throw new TelemetryError('telemetry.no-project', `shared tenant ${target.tenant} has no personal project on the shared instance`);
        throw new Error('password authentication failed for user "rp9_globex"');
      },
    };

    const result = await collectTenantMetrics([globex, hooli], sources, { now: NOW });

    expect(result.samples).toEqual([]);
    expect(result.errors).toEqual([
      { tenant: 'globex', code: 'telemetry.docker-failed', message: 'tenant globex: Docker stats failed: connect ENOENT /var/run/docker.sock' },
      { tenant: 'globex', code: 'telemetry.executions-failed', message: 'tenant globex: reading executions failed: password authentication failed for user "rp9_globex"' },
      { tenant: 'hooli', code: 'telemetry.no-project', message: 'shared tenant hooli has no personal project on the shared instance' },
    ]);
  });

  it('treats a source that throws synchronously as failed, not as a crash of the pass', async () => {
    const sources: TelemetrySources = { executions: () => { throw new Error('boom'); } };

    const result = await collectTenantMetrics([hooli], sources, { now: NOW });

    expect(result.errors).toEqual([{ tenant: 'hooli', code: 'telemetry.executions-failed', message: 'tenant hooli: reading executions failed: boom' }]);
  });

  it('keeps a truncated read and flags it', async () => {
    const sources: TelemetrySources = { executions: async () => ({ ...ACTIVITY, truncated: true }) };

    const result = await collectTenantMetrics([hooli], sources, { now: NOW });

    expect(result.samples).toHaveLength(1);
    expect(result.errors.map((e) => e.code)).toEqual(['telemetry.rows-truncated']);
  });

  it('never reads more tenants at once than asked', async () => {
    let inFlight = 0;
    let peak = 0;
    const sources: TelemetrySources = {
      executions: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight -= 1;
        return ACTIVITY;
      },
    };
    const targets = Array.from({ length: 9 }, (_, i): TelemetryTarget => ({ tenant: `t${i}`, mode: 'shared', plan: 'starter' }));

    const result = await collectTenantMetrics(targets, sources, { now: NOW, concurrency: 3 });

    expect(peak).toBe(3);
    expect(result.samples.map((s) => s.tenant)).toEqual(targets.map((t) => t.tenant));
    expect(Object.keys(result.elapsedMs).sort()).toEqual(targets.map((t) => t.tenant).sort());
  });

  it.each([
    [{ timeoutMs: 0 }, /timeoutMs must be a positive number/],
    [{ concurrency: 1.5 }, /concurrency must be a positive integer/],
    [{ windowMs: -1 }, /windowMs must be a positive number/],
  ])('refuses bad options %j', async (options, error) => {
    await expect(collectTenantMetrics([hooli], {}, options)).rejects.toThrow(error);
  });
});

describe('collectTenantMetrics: storage', () => {
  it('adds database and volume bytes into storageBytes, exported as rp9_tenant_storage_bytes', async () => {
    const sources: TelemetrySources = {
      executions: async () => ACTIVITY,
      storage: async (target) => (target.mode === 'dedicated' ? { databaseBytes: 9_000_000, volumeBytes: 1_000_000 } : { databaseBytes: 4096 }),
    };

    const result = await collectTenantMetrics([acme, hooli], sources, { now: NOW });

    expect(result.errors).toEqual([]);
    expect(result.samples.map((s) => [s.tenant, s.storageBytes])).toEqual([['acme', 10_000_000], ['hooli', 4096]]);
    const metrics = createMetrics({ defaultMetrics: false });
    recordTenantUsage(metrics, result.samples);
    expect(await metrics.registry.metrics()).toContain('rp9_tenant_storage_bytes{tenant="acme",mode="dedicated",plan="pro"} 10000000');
  });

  it('a failed storage read is telemetry.storage-failed and the other figures stay; a storage-only tenant still gets a sample', async () => {
    const sources: TelemetrySources = {
      executions: async (target) => { if (target.tenant === 'globex') throw new Error('down'); return ACTIVITY; },
      storage: async (target) => { if (target.tenant === 'acme') throw new Error('connection refused'); return { databaseBytes: 7 }; },
    };

    const result = await collectTenantMetrics([acme, globex], sources, { now: NOW });

    expect(result.errors).toContainEqual({ tenant: 'acme', code: 'telemetry.storage-failed', message: 'tenant acme: reading storage failed: connection refused' });
    expect(result.samples.find((s) => s.tenant === 'acme')).toMatchObject({ executionsMonth: 42 });
    expect(result.samples.find((s) => s.tenant === 'acme')?.storageBytes).toBeUndefined();
    expect(result.samples.find((s) => s.tenant === 'globex')).toEqual({ tenant: 'globex', mode: 'dedicated', plan: 'enterprise', storageBytes: 7 });
  });

  it('a shared tenant without a project is reported once, not once per read', async () => {
    const noProject = () => Promise.reject(new TelemetryError('telemetry.no-project', 'shared tenant hooli has no personal project on the shared instance'));
    const result = await collectTenantMetrics([hooli], { executions: noProject, storage: noProject }, { now: NOW });

    expect(result.errors.map((e) => e.code)).toEqual(['telemetry.no-project']);
    expect(result.samples).toEqual([]);
  });
});
