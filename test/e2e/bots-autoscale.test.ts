// The autoscale bot end to end: a real Prometheus scraping per-tenant gauges,
// the config repo on the GitHub contract server, the runner, and the
// controller reading the merged commit over git smart-HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runBot } from '../../bots/runner/run-bot.js';
import type { BotMetrics } from '../../bots/sources/types.js';
import { controllerPlanForMerge, exposition, filesAt, FULL_NAME, lineDiff, platformYaml, runDeps, startConfigStack, startMetricsStack, writes, type ConfigStack, type MetricsStack } from './bots-support.js';

const tenant = (name: string, cpu: number) => [
  '# yaml-language-server: $schema=../schemas/tenant.schema.json',
  'apiVersion: rp9.io/v1',
  'kind: Tenant',
  'metadata:',
  `  name: ${name}`,
  `  email: ops@${name}.example`,
  'spec:',
  '  plan: pro',
  '  mode: dedicated',
  '  region: us-east',
  `  subdomain: ${name}`,
  '  resources:',
  `    cpu: ${cpu} # sized by hand after the March incident`,
  '    memoryMb: 2048',
  '    workers: 2',
  '',
].join('\n');

const hot = 95;
let initechCpu = hot;
let prometheus: MetricsStack;
let metrics: BotMetrics;
let stack: ConfigStack | undefined;

beforeAll(async () => {
  const all = (value: number) => ({ acme: value, wayne: value, stark: value, initech: value, umbrella: value });
  prometheus = await startMetricsStack(() => exposition({
      rp9_tenant_cpu_percent: { acme: hot, wayne: hot, stark: 50, initech: initechCpu, umbrella: hot },
      rp9_tenant_mem_percent: all(50),
      rp9_tenant_queue_wait_p95_seconds: all(2),
      rp9_tenant_executions_min: all(5),
      rp9_tenant_executions_month: all(1000),
      rp9_tenant_concurrent_executions: all(1),
    }), 'rp9_tenant_cpu_percent{tenant="umbrella"}');
  metrics = prometheus.metrics;
});
afterAll(async () => {
  await prometheus?.stop();
});
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('autoscale bot, end to end', () => {
  it('scales a hot tenant up by one step: PR with only the cpu line, auto-merged, and the controller plans cpu 2 → 3', async () => {
    const before = { 'platform.yaml': platformYaml(), 'tenants/acme.yaml': tenant('acme', 2), 'tenants/wayne.yaml': tenant('wayne', 4), 'tenants/stark.yaml': tenant('stark', 2) };
    stack = await startConfigStack(before);

    const report = await runBot('autoscale', await runDeps(stack, { metrics }));

    // Decision: acme within its ceiling; wayne is at its ceiling, so its step carries a ceiling exception for review.
    expect(report.proposals.map((p) => [p.tenant, p.riskClass, p.outcome, p.code])).toEqual([
      ['acme', 'withinCeiling', 'planned', undefined],
      ['wayne', 'beyondCeiling', 'planned', undefined],
    ]);
    expect(report.results).toEqual([
      expect.objectContaining({ kind: 'propose', tenant: 'acme', pullRequest: 'created', merge: 'merged' }),
      expect.objectContaining({ kind: 'propose', tenant: 'wayne', pullRequest: 'created', merge: 'review' }),
    ]);
    // The pull requests: branch, title, labels, body; acme merged by the runner (no required checks), wayne left for a human.
    const pulls = [...stack.gh.state.repo(FULL_NAME).pulls.values()];
    expect(pulls).toHaveLength(2);
    const pr = pulls.find((p) => p.headRef === 'rp9/autoscale/acme')!;
    expect(pr).toMatchObject({ headRef: 'rp9/autoscale/acme', baseRef: 'main', title: 'autoscale: scale up acme (cpu 2 → 3)', merged: true });
    expect(pr.labels.sort()).toEqual(['auto-merge', 'bot:autoscale', 'risk:withinCeiling', 'rp9-bot']);
    expect(pr.body).toContain('autoMerge.autoscale.withinCeiling = true');
    expect(pr.body).toMatch(/\| `cpuPercent` \| 95% \| > 88% \| 15m \|/);
    expect(pr.body).toContain('<!-- rp9:bot=autoscale tenant=acme -->');
    // The merged base branch: one line changed, its comment kept; wayne's file untouched.
    const merged = stack.file('tenants/acme.yaml')!;
    expect(lineDiff(before['tenants/acme.yaml'], merged)).toEqual({
      removed: ['    cpu: 2 # sized by hand after the March incident'],
      added: ['    cpu: 3 # sized by hand after the March incident'],
    });
    const wayne = pulls.find((p) => p.headRef === 'rp9/autoscale/wayne')!;
    expect(wayne).toMatchObject({ state: 'open', merged: false, autoMerge: null, title: 'autoscale: wayne beyond its plan ceiling (cpu 4 → 5)' });
    expect(wayne.labels.sort()).toEqual(['bot:autoscale', 'needs-review', 'risk:beyondCeiling', 'rp9-bot']);
    expect(wayne.body).toContain('autoMerge.autoscale.beyondCeiling = false');
    expect(stack.file('tenants/wayne.yaml', 'rp9/autoscale/wayne')).toBe(before['tenants/wayne.yaml']
      .replace('    cpu: 4 #', '    cpu: 5 #')
      .replace('    workers: 2\n', `    workers: 2\n    ceilingException: { reason: "autoscale: cpu 4 → 5 (ceiling 4) above the pro plan's ceiling, granted by merging the reviewed pull request" }\n`));
    expect(stack.file('tenants/wayne.yaml')).toBe(before['tenants/wayne.yaml']);

    // The controller reads the merged commit and plans an in-place cpu update, without downtime.
    const { plan, tracked } = await controllerPlanForMerge(before, filesAt(stack));
    expect(tracked).toEqual(['updated', 'updated']);
    const acme = plan.tenants.find((t) => t.tenant === 'acme')!;
    expect(acme.actions.map((a) => [a.op, a.name, a.changes.map((c) => `${c.field} ${String(c.from)} → ${String(c.to)}`).join(', '), a.downtime])).toEqual([
      ['update', 'rp9-acme-main', 'cpu 2 → 3', false],
      ['update', 'rp9-acme-worker-1', 'cpu 2 → 3', false],
      ['update', 'rp9-acme-worker-2', 'cpu 2 → 3', false],
    ]);
    expect(plan.tenants.filter((t) => t.change !== 'noop').map((t) => t.tenant)).toEqual(['acme']);

    // The next run, still hot: the merged change is within the cooldown, so nothing is written.
    stack.gh.state.clearRequests();
    const again = await runBot('autoscale', await runDeps(stack, { metrics }));

    // wayne is still hot: its PR keeps its body, and its branch moves onto main (acme's merge) and nothing else.
    expect(again.held).toEqual([expect.objectContaining({ tenant: 'acme', code: 'autoscale.cooldown' })]);
    expect(again.operations.map((op) => op.tenant)).toEqual(['wayne']);
    expect(again.results).toEqual([expect.objectContaining({ tenant: 'wayne', pullRequest: 'unchanged', commitChanged: true, merge: 'review' })]);
    expect(writes(stack.gh).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/config/git/blobs',
      'POST /repos/acme/config/git/trees',
      'POST /repos/acme/config/git/commits',
      'PATCH /repos/acme/config/git/refs/heads%2Frp9%2Fautoscale%2Fwayne',
    ]);

    // And once more with nothing changed anywhere: nothing is written.
    stack.gh.state.clearRequests();
    const third = await runBot('autoscale', await runDeps(stack, { metrics }));

    expect(third.results).toEqual([expect.objectContaining({ tenant: 'wayne', pullRequest: 'unchanged', commitChanged: false, merge: 'review' })]);
    expect(writes(stack.gh)).toEqual([]);
  });

  it('leaves a PR for review when policy forbids auto-merge; an unchanged situation writes nothing; a recovered tenant\'s PR is closed', async () => {
    stack = await startConfigStack({ 'platform.yaml': platformYaml({ 'spec.autoMerge.autoscale.withinCeiling': false }), 'tenants/initech.yaml': tenant('initech', 2) });

    const first = await runBot('autoscale', await runDeps(stack, { metrics }));

    expect(first.results).toEqual([expect.objectContaining({ tenant: 'initech', pullRequest: 'created', merge: 'review' })]);
    const pr = stack.gh.state.repo(FULL_NAME).pulls.get(1)!;
    expect(pr).toMatchObject({ state: 'open', merged: false, autoMerge: null });
    expect(pr.labels).toContain('needs-review');
    expect(pr.body).toContain('autoMerge.autoscale.withinCeiling = false');

    stack.gh.state.clearRequests();
    const second = await runBot('autoscale', await runDeps(stack, { metrics }));

    expect(second.results).toEqual([expect.objectContaining({ tenant: 'initech', number: 1, pullRequest: 'unchanged', commitChanged: false, merge: 'review' })]);
    expect(writes(stack.gh)).toEqual([]);

    initechCpu = 10;
    await prometheus.waitForSeries('avg_over_time(rp9_tenant_cpu_percent{tenant="initech"}[15m]) < 80');
    const third = await runBot('autoscale', await runDeps(stack, { metrics }));

    expect(third.proposals).toEqual([]);
    expect(third.results).toEqual([{ kind: 'close', tenant: 'initech', number: 1 }]);
    expect(stack.gh.state.repo(FULL_NAME).pulls.get(1)).toMatchObject({ state: 'closed', merged: false });
    const comments = stack.gh.state.repo(FULL_NAME).comments.filter((c) => c.issueNumber === 1);
    expect(comments.map((c) => c.body)).toEqual([expect.stringContaining('the situation that opened this pull request has recovered')]);
    expect(stack.file('tenants/initech.yaml')).toContain('cpu: 2 #');
  });

  it('defers proposals beyond the storm limits and lets the open PR be updated', async () => {
    const platform = platformYaml({ 'spec.policies.bots': { maxOpenPrsPerBot: 25, maxPrsPerHourPerBot: 1 }, 'spec.autoMerge.autoscale.withinCeiling': false });
    stack = await startConfigStack({ 'platform.yaml': platform, 'tenants/acme.yaml': tenant('acme', 2), 'tenants/umbrella.yaml': tenant('umbrella', 2) });

    const first = await runBot('autoscale', await runDeps(stack, { metrics }));
    const second = await runBot('autoscale', await runDeps(stack, { metrics }));

    for (const report of [first, second]) {
      expect(report.proposals.map((p) => [p.tenant, p.outcome, p.code])).toEqual([
        ['umbrella', 'deferred', 'bots.max-prs-per-hour'],
        ['acme', 'planned', undefined],
      ]);
    }
    expect(first.proposals[0]?.reason).toBe('autoscale opened 1 PRs in the last hour (policies.bots.maxPrsPerHourPerBot = 1)');
    expect(second.results).toEqual([expect.objectContaining({ tenant: 'acme', number: 1, pullRequest: 'unchanged' })]);
    expect([...stack.gh.state.repo(FULL_NAME).pulls.values()].map((p) => p.headRef)).toEqual(['rp9/autoscale/acme']);
  });
});
