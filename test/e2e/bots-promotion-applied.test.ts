// The promotion bot's whole path, ending in real reconcile passes: a shared
// tenant that a real Prometheus shows hot (Trigger A, medium priority), the
// bot's PR left for review on the contract server, merged there by a person
// through the REST API, the merged tenant file pushed to the git smart-HTTP
// repo the controller reads. The controller provisions the dedicated database,
// volume and containers at once and keeps the route on the shared n8n; once
// the window opens the tenant is due for the promotion operation, which moves
// its workflows and then the route (docs/operations.md, "Promote shared →
// dedicated").
import { randomBytes } from 'node:crypto';
import { Octokit } from '@octokit/rest';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { changedFields } from '../../bots/core/ownership.js';
import { formatWindow, nextMaintenanceWindow } from '../../bots/promotion/window.js';
import { runBot } from '../../bots/runner/run-bot.js';
import { loadConfig } from '../../config/load-config.js';
import { duePromotions } from '../../controller/promotion/views.js';
import { readRoute } from './support/routes.js';
import { exposition, FULL_NAME, OWNER, platformYaml, REPO, runDeps, startConfigStack, startControllerRig, startMetricsStack, type ConfigStack, type ControllerRig, type MetricsStack } from './bots-support.js';
import { tenantYaml } from '../../bots/core/fixtures.js';

const id = randomBytes(3).toString('hex');
const tenant = `bots-pr-${id}`;
const environment = `bots-pr-e2e-${id}`;
const image = `rp9/n8n-bots-pr-${id}`;
const file = `tenants/${tenant}.yaml`;
const files = {
  // A person merges the medium promotion here, so it must wait for review (the example platform.yaml auto-merges medium and low).
  'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': image, 'spec.dedicated.n8nVersion': '1.123.4', 'spec.autoMerge.promotion.medium': false, 'spec.autoMerge.promotion.low': false }),
  [file]: tenantYaml(tenant, ['plan: starter', 'mode: shared']),
};
const SHARED_N8N = 'http://n8n-shared:5678';

let prometheus: MetricsStack;
let stack: ConfigStack;
let rig: ControllerRig;

beforeAll(async () => {
  // Queue wait at twice its threshold (40 points) and executions just over half the pro plan's (5,500: 33 × 0.55 = 18.15): 58, medium.
  prometheus = await startMetricsStack(() => exposition({
    rp9_tenant_queue_wait_p95_seconds: { [tenant]: 12 },
    rp9_tenant_cpu_percent: { [tenant]: 20 },
    rp9_tenant_executions_month: { [tenant]: 5500 },
    rp9_tenant_concurrent_executions: { [tenant]: 1 },
  }), `rp9_tenant_concurrent_executions{tenant="${tenant}"}`);
  stack = await startConfigStack(files);
  rig = await startControllerRig({ id, environment, files, images: [`${image}:1.123.4`], tenants: [tenant] });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await rig?.stop();
  await stack?.stop();
  await prometheus?.stop();
});

/** Where the tenant's route file sends its traffic. */
async function routeTarget(): Promise<string | undefined> {
  const text = await readRoute(rig.routesDir, tenant);
  const body = text === undefined ? undefined : parse(text) as { http: { services: Record<string, { loadBalancer: { servers: { url: string }[] } }> } };
  return body?.http.services[`rp9-${tenant}`]?.loadBalancer.servers[0]?.url;
}

describe('a promotion PR that the controller then applies', () => {
  it('provisions the dedicated stack when the reviewed PR is merged and leaves the route to the promotion operation that is due once the window opens', { timeout: 120_000 }, async () => {
    const dedicated = [`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`];
    const initial = await rig.reconcile();
    expect(initial).toMatchObject({ kind: 'applied', commit: rig.repo.head, failures: [] });
    expect(await routeTarget()).toBe(SHARED_N8N);
    expect(await rig.running()).toEqual([]);
    expect(await rig.databases()).toEqual([]);

    const now = new Date();
    const report = await runBot('promotion', await runDeps(stack, { metrics: prometheus.metrics, now }));

    expect(report.candidates?.map((c) => [c.tenant, c.score, c.priority])).toEqual([[tenant, 58, 'medium']]);
    expect(report.results).toEqual([expect.objectContaining({ kind: 'propose', tenant, pullRequest: 'created', merge: 'review' })]);
    const pr = stack.gh.state.repo(FULL_NAME).pulls.get(1)!;
    expect(pr).toMatchObject({ headRef: `rp9/promotion/${tenant}`, merged: false, state: 'open' });
    expect([...pr.labels].sort()).toEqual(['bot:promotion', 'needs-review', 'risk:medium', 'rp9-bot']);
    expect(pr.body).toContain('High queue latency: 12 s p95');
    expect(pr.body).toContain('High execution volume: 5,500/month');
    expect(stack.file(file)).toBe(files[file]);

    // A reviewer merges it (autoMerge.promotion.medium set to false above), as a person would: PUT …/pulls/1/merge.
    const human = new Octokit({ auth: 'test-token', baseUrl: stack.gh.url });
    const { data: merge } = await human.pulls.merge({ owner: OWNER, repo: REPO, pull_number: 1, merge_method: 'squash' });
    expect(merge.merged).toBe(true);
    const merged = stack.file(file)!;
    const window = nextMaintenanceWindow({ weekdays: [0, 6], hourUtc: 22 }, now);
    expect(changedFields(files[file]!, merged)).toEqual(['spec.mode', 'spec.promotion.reason', 'spec.promotion.ttlMinutes', 'spec.promotion.window']);
    expect(merged).toContain(`    window: "${formatWindow(window)}"\n`);

    const routeBefore = await readRoute(rig.routesDir, tenant);
    const mergeCommit = await rig.push({ [file]: merged }, `promotion: ${tenant} to dedicated (merged on GitHub)`);
    const provisioned = await rig.reconcile();

    expect(provisioned).toMatchObject({ kind: 'applied', commit: mergeCommit, failures: [] });
    const actions = provisioned.plan?.tenants.find((t) => t.tenant === tenant)?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
    expect(actions).toEqual([
      `create database rp9_${tenant.replaceAll('-', '_')}`,
      `create volume rp9-${tenant}-data`,
      ...dedicated.map((name) => `create container ${name}`),
    ]);
    expect(await rig.running()).toEqual(dedicated);
    expect(await rig.databases()).toEqual([`rp9_${tenant.replaceAll('-', '_')}`]);
    expect(await readRoute(rig.routesDir, tenant)).toBe(routeBefore);
    expect(await routeTarget()).toBe(SHARED_N8N);
    expect((await rig.store.status.get(tenant))?.appliedCommit).toBe(mergeCommit);

    // Same commit, the clock one minute into the window: the reconcile pass does
    // not move the route by itself (that would land the tenant on an empty n8n);
    // the tenant is now due for a promotion operation, which moves its data and
    // then the route (controller/operations/promotion.ts, started by the
    // operations loop).
    vi.setSystemTime(window.getTime() + 60_000);
    const atWindow = await rig.reconcile();

    expect(atWindow).toMatchObject({ kind: 'noop', commit: mergeCommit, failures: [] });
    expect(await routeTarget()).toBe(SHARED_N8N);
    expect(await rig.running()).toEqual(dedicated);
    const source = (path: string, text: string) => ({ path, bytes: Buffer.from(text) });
    const config = loadConfig({ platform: source('platform.yaml', files['platform.yaml']), tenants: [source(file, merged)], problems: [] });
    expect(duePromotions(config.tenants, new Map(), new Date(), mergeCommit).map((d) => [d.tenant, d.input.window])).toEqual([[tenant, formatWindow(window)]]);
    vi.setSystemTime(window.getTime() - 60_000);
    expect(duePromotions(config.tenants, new Map(), new Date(), mergeCommit)).toEqual([]);
  });
});
