// "A merge that the controller then applies": the platform runs the base
// commit (a real reconcile pass over Docker, PostgreSQL and the route
// directory), the autoscale bot sees a hot queue in Prometheus and its PR is
// merged on the contract server, the merged base branch is pushed to the git
// smart-HTTP repo the controller reads, and the next reconcile pass creates
// the extra worker.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../bots/metrics/prometheus-client.js';
import { runBot } from '../../bots/runner/run-bot.js';
import { createPrometheusMetrics } from '../../bots/sources/prometheus-metrics.js';
import { startExporter, type Exporter } from '../harness/exporter.js';
import { startPrometheus, type PrometheusServer } from '../harness/prometheus.js';
import { exposition, platformYaml, runDeps, startConfigStack, startControllerRig, type ConfigStack, type ControllerRig } from './bots-support.js';
import { tenantYaml } from '../../bots/core/fixtures.js';

const id = randomBytes(3).toString('hex');
const tenant = `bots-${id}`;
const environment = `bots-e2e-${id}`;
const image = `rp9/n8n-bots-${id}`;
const file = `tenants/${tenant}.yaml`;
const files = {
  'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': image, 'spec.dedicated.n8nVersion': '1.123.4' }),
  [file]: tenantYaml(tenant, ['plan: starter', 'mode: dedicated', 'resources:', '  workers: 1']),
};

let exporter: Exporter;
let prometheus: PrometheusServer;
let stack: ConfigStack;
let rig: ControllerRig;

beforeAll(async () => {
  exporter = await startExporter({
    source: () => exposition({
      rp9_tenant_queue_wait_p95_seconds: { [tenant]: 12 },
      rp9_tenant_cpu_percent: { [tenant]: 40 },
      rp9_tenant_mem_percent: { [tenant]: 40 },
      rp9_tenant_executions_min: { [tenant]: 4 },
    }),
  });
  prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
  stack = await startConfigStack(files);
  rig = await startControllerRig({ id, environment, files, images: [`${image}:1.123.4`], tenants: [tenant] });
  await prometheus.waitForSeries(`rp9_tenant_queue_wait_p95_seconds{tenant="${tenant}"}`);
});

afterAll(async () => {
  await rig?.stop();
  await stack?.stop();
  await prometheus?.stop();
  await exporter?.stop();
});

describe('a bot PR that the controller then applies', () => {
  it('merges an autoscale worker step and the next reconcile pass creates the worker', { timeout: 120_000 }, async () => {
    const initial = await rig.reconcile();
    expect(initial).toMatchObject({ kind: 'applied', commit: rig.repo.head, failures: [] });
    expect(await rig.running()).toEqual([`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`]);

    const report = await runBot('autoscale', await runDeps(stack, { metrics: createPrometheusMetrics(createPrometheusClient({ url: prometheus.url })) }));
    expect(report.results).toEqual([expect.objectContaining({ kind: 'propose', tenant, merge: 'merged' })]);
    const merged = stack.file(file)!;
    expect(merged).toBe(files[file]!.replace('workers: 1', 'workers: 2'));

    const mergeCommit = await rig.push({ [file]: merged }, 'autoscale: scale up (merged on GitHub)');
    const applied = await rig.reconcile();

    expect(applied).toMatchObject({ kind: 'applied', commit: mergeCommit, failures: [] });
    const actions = applied.plan?.tenants.find((t) => t.tenant === tenant)?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
    expect(actions).toEqual([`create container rp9-${tenant}-worker-2`]);
    expect(await rig.running()).toEqual([`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`, `rp9-${tenant}-worker-2`]);
    expect((await rig.store.status.get(tenant))?.appliedCommit).toBe(mergeCommit);
  });
});
