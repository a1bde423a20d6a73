import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../kernel/metrics/registry.js';
import {
  forgetTenant,
  recordAppliedCommit,
  recordAutoscaleEvents,
  recordContainers,
  recordReconcile,
  recordTenants,
  recordTenantUsage,
  summarizeContainers,
  summarizeTenants,
  type TenantStatusInput,
} from './record.js';

const SEED_NAMES = [
  'rp9_tenants_total',
  'rp9_container_stats',
  'rp9_reconcile_duration_seconds',
  'rp9_reconcile_errors_total',
  'rp9_reconcile_total',
  'rp9_last_applied_commit_info',
  'rp9_last_applied_timestamp_seconds',
  'rp9_reconcile_queue_depth',
  'rp9_leader',
  'rp9_tenant_ready',
  'rp9_tenant_queue_wait_p95_seconds',
  'rp9_tenant_cpu_percent',
  'rp9_tenant_mem_bytes',
  'rp9_tenant_mem_percent',
  'rp9_tenant_executions_min',
  'rp9_tenant_executions_month',
  'rp9_tenant_concurrent_executions',
  'rp9_autoscale_events_total',
  'rp9_backups_total',
  'rp9_enforcement_events_total',
];

function row(name: string, mode: string, plan: string, phase: string, ready = true): TenantStatusInput {
  return { name, mode, plan, phase, ready };
}

describe('createMetrics', () => {
  it('registers every fixed metric name with its type', async () => {
    const metrics = createMetrics({ defaultMetrics: false });

    const text = await metrics.registry.metrics();

    for (const name of SEED_NAMES) expect(text).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter|histogram)$`, 'm'));
    expect(text).toContain('# TYPE rp9_reconcile_duration_seconds histogram');
    expect(text).toContain('# TYPE rp9_autoscale_events_total counter');
  });

  it('exposes the seed series with their labels', async () => {
    const metrics = createMetrics({ defaultMetrics: false });

    recordTenants(metrics, [row('acme', 'dedicated', 'pro', 'active'), row('globex', 'dedicated', 'pro', 'active'), row('initech', 'shared', 'starter', 'suspended', false)]);
    recordContainers(metrics, [{ state: 'running' }, { state: 'running', health: 'unhealthy' }, { state: 'dead' }, { state: 'exited' }]);
    recordTenantUsage(metrics, [{ tenant: 'acme', mode: 'dedicated', plan: 'pro', queueWaitP95Seconds: 2.3, cpuPercent: 67.5, memBytes: 1073741824, executionsPerMinute: 8.2 }]);
    recordAutoscaleEvents(metrics, [
      { tenant: 'acme', action: 'scale_up', success: true },
      { tenant: 'acme', action: 'scale_up', success: true },
      { tenant: 'acme', action: 'scale_down', success: false },
    ]);
    metrics.leader.set(1);
    const text = await metrics.registry.metrics();

    expect(text).toContain('rp9_tenants_total{mode="dedicated",status="active",plan="pro"} 2');
    expect(text).toContain('rp9_tenants_total{mode="shared",status="suspended",plan="starter"} 1');
    expect(text).toContain('rp9_tenant_ready{tenant="initech",mode="shared",plan="starter",phase="suspended"} 0');
    expect(text).toContain('rp9_container_stats{stat_type="running"} 2');
    expect(text).toContain('rp9_container_stats{stat_type="failed"} 1');
    expect(text).toContain('rp9_container_stats{stat_type="unhealthy"} 1');
    expect(text).toContain('rp9_container_stats{stat_type="stopped"} 1');
    expect(text).toContain('rp9_tenant_queue_wait_p95_seconds{tenant="acme",mode="dedicated",plan="pro"} 2.3');
    expect(text).toContain('rp9_tenant_cpu_percent{tenant="acme",mode="dedicated",plan="pro"} 67.5');
    expect(text).toContain('rp9_tenant_mem_bytes{tenant="acme",mode="dedicated",plan="pro"} 1073741824');
    expect(text).toContain('rp9_tenant_executions_min{tenant="acme",mode="dedicated",plan="pro"} 8.2');
    expect(text).not.toContain('rp9_tenant_mem_percent{');
    expect(text).toContain('rp9_autoscale_events_total{tenant="acme",action="scale_up",success="true"} 2');
    expect(text).toContain('rp9_autoscale_events_total{tenant="acme",action="scale_down",success="false"} 1');
    expect(text).toMatch(/^rp9_leader 1$/m);
  });

  it('records reconcile outcomes and the applied commit, dropping the previous commit series', async () => {
    const metrics = createMetrics({ defaultMetrics: false });

    recordReconcile(metrics, { result: 'error', durationSeconds: 0.3, errorCodes: ['docker.unreachable', 'docker.unreachable'] });
    recordReconcile(metrics, { result: 'success', durationSeconds: 1.2 });
    recordAppliedCommit(metrics, 'aaaa111', new Date('2025-08-15T00:00:00Z'));
    recordAppliedCommit(metrics, 'bbbb222', new Date('2025-08-15T14:30:00Z'));
    const text = await metrics.registry.metrics();

    expect(text).toContain('rp9_reconcile_total{result="error"} 1');
    expect(text).toContain('rp9_reconcile_total{result="success"} 1');
    expect(text).toContain('rp9_reconcile_errors_total{reason="docker.unreachable"} 2');
    expect(text).toContain('rp9_reconcile_duration_seconds_count 2');
    expect(text).toContain('rp9_reconcile_duration_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('rp9_last_applied_commit_info{commit="bbbb222"} 1');
    expect(text).not.toContain('aaaa111');
    expect(text).toContain(`rp9_last_applied_timestamp_seconds ${Date.parse('2025-08-15T14:30:00Z') / 1000}`);
  });

  it('removes label sets of tenants that are gone', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    recordTenants(metrics, [row('acme', 'dedicated', 'pro', 'active'), row('gone', 'shared', 'starter', 'failed', false)]);
    recordTenantUsage(metrics, [{ tenant: 'gone', mode: 'shared', plan: 'starter', cpuPercent: 5 }]);
    recordAutoscaleEvents(metrics, [{ tenant: 'gone', action: 'scale_up', success: false }, { tenant: 'acme', action: 'scale_up', success: true }]);

    recordTenants(metrics, [row('acme', 'dedicated', 'pro', 'active')]);
    recordTenantUsage(metrics, []);
    await forgetTenant(metrics, 'gone');
    const text = await metrics.registry.metrics();

    expect(text).not.toContain('gone');
    expect(text).not.toContain('status="failed"');
    expect(text).toContain('rp9_autoscale_events_total{tenant="acme",action="scale_up",success="true"} 1');
  });

  it('adds default labels and the process metrics when asked', async () => {
    const metrics = createMetrics({ defaultLabels: { environment: 'prod' } });
    metrics.leader.set(0);

    const text = await metrics.registry.metrics();

    expect(text).toContain('rp9_leader{environment="prod"} 0');
    expect(text).toMatch(/^process_resident_memory_bytes\{environment="prod"\} \d+/m);
  });
});

describe('summarizeTenants', () => {
  it.each([
    { rows: [], expected: [] },
    {
      rows: [row('b', 'shared', 'starter', 'active'), row('a', 'dedicated', 'pro', 'active'), row('c', 'shared', 'starter', 'active'), row('d', 'shared', 'starter', 'suspended')],
      expected: [
        { mode: 'dedicated', status: 'active', plan: 'pro', count: 1 },
        { mode: 'shared', status: 'active', plan: 'starter', count: 2 },
        { mode: 'shared', status: 'suspended', plan: 'starter', count: 1 },
      ],
    },
  ])('counts $rows.length rows by mode, status and plan', ({ rows, expected }) => {
    expect(summarizeTenants(rows)).toEqual(expected);
  });
});

describe('summarizeContainers', () => {
  it.each([
    { state: 'running', health: 'healthy', expected: { running: 1, stopped: 0, failed: 0, unhealthy: 0 } },
    { state: 'running', health: 'unhealthy', expected: { running: 1, stopped: 0, failed: 0, unhealthy: 1 } },
    { state: 'restarting', health: undefined, expected: { running: 0, stopped: 0, failed: 1, unhealthy: 0 } },
    { state: 'dead', health: undefined, expected: { running: 0, stopped: 0, failed: 1, unhealthy: 0 } },
    { state: 'exited', health: undefined, expected: { running: 0, stopped: 1, failed: 0, unhealthy: 0 } },
    { state: 'created', health: undefined, expected: { running: 0, stopped: 1, failed: 0, unhealthy: 0 } },
  ] as const)('$state/$health', ({ state, health, expected }) => {
    expect(summarizeContainers([{ state, health }])).toEqual(expected);
  });
});
