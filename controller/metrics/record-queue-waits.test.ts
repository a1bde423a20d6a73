import { describe, expect, it } from 'vitest';
import { recordQueueWaits } from './record-queue-waits.js';
import { createMetrics, QUEUE_WAIT_BUCKETS } from '../../kernel/metrics/registry.js';

const acme = { tenant: 'acme', mode: 'dedicated', plan: 'pro' };
const hooli = { tenant: 'hooli', mode: 'shared', plan: 'starter' };
const ACME = 'tenant="acme",mode="dedicated",plan="pro"';

describe('rp9_tenant_queue_wait_seconds', () => {
  it('is a histogram with buckets from 0.1 s to 120 s around the autoscale thresholds', async () => {
    const metrics = createMetrics({ defaultMetrics: false });

    const text = await metrics.registry.metrics();

    expect(text).toMatch(/^# TYPE rp9_tenant_queue_wait_seconds histogram$/m);
    expect(QUEUE_WAIT_BUCKETS).toEqual([0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120]);
  });
});

describe('recordQueueWaits', () => {
  it('creates a baseline series at 0, then counts each wait into its bucket', async () => {
    const metrics = createMetrics({ defaultMetrics: false });

    await recordQueueWaits(metrics, [{ ...acme, waitsSeconds: [], baseline: true }], [acme]);
    const first = await metrics.registry.metrics();
    await recordQueueWaits(metrics, [{ ...acme, waitsSeconds: [0.3, 0.7, 4, 200], baseline: false }], [acme]);
    await recordQueueWaits(metrics, [{ ...acme, waitsSeconds: [1], baseline: false }], [acme]);
    const text = await metrics.registry.metrics();

    expect(first).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="+Inf",${ACME}} 0`);
    expect(first).toContain(`rp9_tenant_queue_wait_seconds_count{${ACME}} 0`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="0.25",${ACME}} 0`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="0.5",${ACME}} 1`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="1",${ACME}} 3`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="5",${ACME}} 4`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="120",${ACME}} 4`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="+Inf",${ACME}} 5`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_sum{${ACME}} 206`);
  });

  it('does not reset a series that exists when a baseline pass comes again (leadership regained)', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    await recordQueueWaits(metrics, [{ ...acme, waitsSeconds: [2, 3], baseline: false }], [acme]);

    await recordQueueWaits(metrics, [{ ...acme, waitsSeconds: [], baseline: true }], [acme]);
    const text = await metrics.registry.metrics();

    expect(text).toContain(`rp9_tenant_queue_wait_seconds_count{${ACME}} 2`);
  });

  it('removes the series of label sets no longer measured, keeps the others', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    await recordQueueWaits(metrics, [{ ...acme, waitsSeconds: [1], baseline: false }, { ...hooli, waitsSeconds: [1], baseline: false }], [acme, hooli]);

    await recordQueueWaits(metrics, [], [acme, { ...hooli, plan: 'pro' }]);
    const text = await metrics.registry.metrics();

    expect(text).not.toContain('tenant="hooli"');
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_count{${ACME}} 1`);
  });

  it('skips waits that are not finite non-negative numbers', async () => {
    const metrics = createMetrics({ defaultMetrics: false });

    await recordQueueWaits(metrics, [{ ...acme, waitsSeconds: [Number.NaN, -1, Number.POSITIVE_INFINITY, 0], baseline: false }], [acme]);
    const text = await metrics.registry.metrics();

    expect(text).toContain(`rp9_tenant_queue_wait_seconds_count{${ACME}} 1`);
    expect(text).toContain(`rp9_tenant_queue_wait_seconds_bucket{le="0.1",${ACME}} 1`);
  });
});
