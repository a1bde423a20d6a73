// The bots end to end with the whole chain real (issue #14 §3): a real
// `rp9 controller` (runController, in process) brings up a dedicated tenant on
// the real n8n image (2.41.1, main + one queue worker, the harness's
// PostgreSQL and Redis); the test makes executions through the tenant's
// webhook; the controller's telemetry loop measures them from the tenant's
// database and exports them on its own `/metrics`; the test Prometheus scrapes
// that endpoint; and the autoscale bot reads the figures through Prometheus
// and decides. The figures the bot saw must be the executions made.
//
// The policy leaves one signal that can fire: executions per minute
// (threshold 1/min, limit 1.1 with the 10 % band). CPU, memory and queue wait
// are set out of reach, so the decision follows from the executions alone.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrometheusClient } from '../../bots/metrics/prometheus-client.js';
import { runBot } from '../../bots/runner/run-bot.js';
import { createPrometheusMetrics } from '../../bots/sources/prometheus-metrics.js';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { startPrometheus, type PrometheusServer } from '../harness/prometheus.js';
import { FULL_NAME, platformYaml, runDeps, startConfigStack, type ConfigStack } from './bots-support.js';
import { callWebhook, callWebhookUntilServed, createWorkload, executionsOf, ownerConnection } from './support/n8n-workload.js';
import { until } from './support/wait.js';
import { httpGet } from './n8n-containers.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';
import { createWorld, type ControllerHandle, type World } from './support/world.js';

const tenant = 'chain';
const database = `rp9_${tenant}`;
const main = `rp9-${tenant}-main`;
/** Webhook calls the test makes; the collector's window is 5 min, so executions/min reads CALLS / 5. */
const CALLS = 10;
const COLLECTOR_WINDOW_MINUTES = 5;

function files(environment: string): Record<string, string> {
  return {
    'platform.yaml': platformYaml({
      'spec.environment': environment,
      'spec.dedicated.image': 'rp9/n8n',
      'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION,
      'spec.policies.autoscale.windowMinutes': 1,
      'spec.policies.autoscale.scaleUp': { queueWaitP95Seconds: 600, cpuPercent: 100, memoryPercent: 100, executionsPerMinute: 1 },
      // A new tenant's first pass would catch up three backup slots and a drill (a whole sandbox n8n) inside this
      // test's window, on two cores: the webhook calls and the Ready wait then timed out (2 of 4 runs, 2026-12-06).
      // Backups and drills have their own e2e tests; this one measures executions.
      'spec.backups.drills': { every: 'never' },
    }),
    [`tenants/${tenant}.yaml`]: realN8nTenantYaml(tenant, { cpu: 2, backupSchedules: [] }),
  };
}

let world: World | undefined;
let controller: ControllerHandle | undefined;
let prometheus: PrometheusServer | undefined;
let stack: ConfigStack | undefined;

beforeAll(async () => {
  world = await createWorld({ id: `chain-${randomBytes(2).toString('hex')}`, postgresUrl: inject('postgresUrl'), dockerSocket: inject('dockerSocket'), files });
  await ensureN8nImage(world.docker, DEFAULT_N8N_VERSION);
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await stack?.stop();
  await prometheus?.stop();
  await world?.close();
}, 600_000);

describe('bots end to end, the real chain', () => {
  it('real n8n executions → the controller\'s collector on its /metrics → Prometheus → the autoscale bot sees them and scales workers 1 → 2', async () => {
    // Arrange: the controller brings the tenant up on real n8n and measures it every second.
    controller = await world!.startController({
      intervalSeconds: 30,
      env: { RP9_TELEMETRY_INTERVAL_SECONDS: '1', RP9_HEALTH_TIMEOUT_SECONDS: '300' },
    });
    const status = await until('the tenant Ready', async () => {
      const s = await controller!.store.status.get(tenant);
      if (s?.conditions.find((c) => c.type === 'Ready')?.status === 'True') return s;
      // What a timeout reports: the phase and conditions last seen (none: no reconcile pass has written it yet).
      throw new Error(s ? `phase ${s.phase}; ${s.conditions.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('; ')}` : 'no status yet');
    }, { timeoutMs: 420_000, intervalMs: 1_000 });
    expect(status.phase).toBe('active');
    const metricsTarget = new URL(controller.url).host;
    prometheus = await startPrometheus({ scrapeTargets: [metricsTarget] });

    // Act 1: executions through the tenant's own webhook (main enqueues, the worker runs them).
    const info = await world!.docker.getContainer(main).inspect();
    const baseUrl = `http://${info.NetworkSettings.Networks[world!.network]!.IPAddress}:5678`;
    const api = n8nApiFor(DEFAULT_N8N_VERSION);
    // n8n's API answers in well under a second on an idle machine; a shared, loaded one (load average 30-70) has taken
    // over 15 s a request (the edge's default bound, and more than ownerConnection's 3 s probe): wait for it, bounded.
    await until('n8n REST to answer', async () => (await httpGet(`${baseUrl}/rest/settings`, 30_000)).status === 200, { timeoutMs: 600_000, intervalMs: 2_000 });
    const connection = { ...(await ownerConnection(baseUrl)), timeoutMs: 90_000 };
    const workload = await createWorkload(api, connection, `chain-${randomBytes(3).toString('hex')}`);
    const answers = [await callWebhookUntilServed(baseUrl, workload.webhookPath)];
    // In queue mode each call waits for a worker to run the execution: on a loaded 2-core machine that has taken over 30 s.
    for (let i = 1; i < CALLS; i += 1) answers.push(await callWebhook(baseUrl, workload.webhookPath, true, 120_000));
    expect(answers.map((a) => a.status)).toEqual(Array(CALLS).fill(200));
    const tenantDb = new URL(world!.tenantDatabaseUrl);
    tenantDb.pathname = `/${database}`;
    const rows = await until(`${CALLS} finished executions in the tenant database`, async () => {
      const found = await executionsOf(tenantDb.toString(), workload.workflow.id);
      return found.length === CALLS && found.every((r) => r.status === 'success') ? found : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const perMinute = rows.length / COLLECTOR_WINDOW_MINUTES;

    // The controller's own /metrics carries them (no other exporter is scraped), once a pass has seen them all finished.
    const series = (name: string, value: number) => new RegExp(`${name}\\{[^}]*tenant="${tenant}"[^}]*\\} ${value}\\n`);
    await until('the executions on the controller\'s /metrics', async () => {
      const text = await (await fetch(`${controller!.url.replace(/\/$/, '')}/metrics`)).text();
      // Each execution's queue wait observed once (after the collector's settle time).
      return [series('rp9_tenant_executions_month', rows.length), series('rp9_tenant_executions_min', perMinute), series('rp9_tenant_queue_wait_seconds_count', rows.length), series('rp9_tenant_execution_success_ratio', 1)]
        .every((re) => re.test(text));
    }, { timeoutMs: 90_000, intervalMs: 500 });

    // Prometheus has scraped that figure for the bot's whole window (1 min) and nothing else in it.
    const selector = `rp9_tenant_executions_min{tenant="${tenant}"}`;
    await prometheus.waitForSeries(`(min_over_time(${selector}[1m]) == ${perMinute}) and (max_over_time(${selector}[1m]) == ${perMinute}) and (count_over_time(${selector}[1m]) >= 30)`, { attempts: 240, delayMs: 1_000 });

    // Act 2: the autoscale bot, its metrics through that Prometheus, its base branch on the GitHub contract server.
    stack = await startConfigStack(files(world!.environment));
    const metrics = createPrometheusMetrics(createPrometheusClient({ url: prometheus.url }));
    const seen = (await metrics.window('1m', new Date())).get(tenant);
    const report = await runBot('autoscale', await runDeps(stack, { metrics }));

    // Assert: what the bot read is what n8n ran, and it decided on it.
    expect(seen).toMatchObject({ executionsPerMinute: perMinute, executionsMonth: rows.length });
    expect(report.proposals.map((p) => [p.tenant, p.riskClass, p.outcome])).toEqual([[tenant, 'withinCeiling', 'planned']]);
    expect(report.proposals[0]!.changes).toEqual(['spec.resources.workers: 1 → 2']);
    const pulls = [...stack.gh.state.repo(FULL_NAME).pulls.values()];
    expect(pulls.map((p) => [p.headRef, p.merged])).toEqual([[`rp9/autoscale/${tenant}`, true]]);
    // The evidence the bot put in its PR: the figure it read, against the limit.
    expect(pulls[0]!.body).toContain(`| \`executionsPerMinute\` | ${perMinute}/min | > 1.1/min | 1m |`);
    expect(stack.file(`tenants/${tenant}.yaml`)).toContain('workers: 2');
  }, 25 * 60_000);
});
