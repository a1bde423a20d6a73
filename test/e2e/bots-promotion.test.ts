// The promotion bot end to end: Trigger A from a real Prometheus, Trigger B
// from the config, PRs on the contract server (auto-merge for high priority,
// review for medium), the CLI's dry run, and the controller's plan after the merge.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changedFields } from '../../bots/core/ownership.js';
import { formatWindow, nextMaintenanceWindow } from '../../bots/promotion/window.js';
import { runBot } from '../../bots/runner/run-bot.js';
import type { BotMetrics } from '../../bots/sources/types.js';
import { main } from '../../cli/main.js';
import { controllerPlanForMerge, exposition, filesAt, FULL_NAME, platformYaml, runDeps, startConfigStack, startMetricsStack, writes, type ConfigStack, type MetricsStack } from './bots-support.js';

const shared = (name: string, plan: string, region: string, extra = '') => [
  'apiVersion: rp9.io/v1',
  'kind: Tenant',
  'metadata:',
  `  name: ${name}`,
  `  email: ops@${name}.example`,
  'spec:',
  `  plan: ${plan}`,
  '  mode: shared # moves to dedicated when it outgrows the shared pool',
  `  region: ${region}`,
  `  subdomain: ${name}`,
  ...(extra ? [extra] : []),
  '',
].join('\n');

const files = {
  // Medium and low promotions wait for a human here (the example platform.yaml auto-merges them): this test is about the review path.
  'platform.yaml': platformYaml({ 'spec.autoMerge.promotion.medium': false, 'spec.autoMerge.promotion.low': false }),
  'tenants/hooli.yaml': shared('hooli', 'pro', 'us-west'),
  'tenants/soylent.yaml': shared('soylent', 'pro', 'eu-west', '  compliance: { dataResidency: eu }'),
  'tenants/initech.yaml': shared('initech', 'starter', 'us-west'),
};

let prometheus: MetricsStack;
let metrics: BotMetrics;
let stack: ConfigStack | undefined;

beforeAll(async () => {
  prometheus = await startMetricsStack(() => exposition({
      rp9_tenant_queue_wait_p95_seconds: { hooli: 12, initech: 0.5 },
      rp9_tenant_cpu_percent: { hooli: 100, initech: 20 },
      rp9_tenant_executions_month: { hooli: 12000, initech: 300 },
      rp9_tenant_concurrent_executions: { hooli: 12, initech: 1 },
    }), 'rp9_tenant_concurrent_executions{tenant="hooli"}');
  metrics = prometheus.metrics;
});
afterAll(async () => {
  await prometheus?.stop();
});
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('promotion bot, end to end', () => {
  it('moves a high-priority tenant to dedicated by itself, leaves a medium one for review, and the controller plans the move', async () => {
    stack = await startConfigStack(files);
    const now = new Date();

    const report = await runBot('promotion', await runDeps(stack, { metrics, now }));

    expect(report.candidates?.map((c) => [c.tenant, c.score, c.priority])).toEqual([['hooli', 100, 'high'], ['soylent', 40, 'medium']]);
    expect(report.results).toEqual([
      expect.objectContaining({ kind: 'propose', tenant: 'hooli', pullRequest: 'created', merge: 'merged' }),
      expect.objectContaining({ kind: 'propose', tenant: 'soylent', pullRequest: 'created', merge: 'review' }),
    ]);
    const pulls = [...stack.gh.state.repo(FULL_NAME).pulls.values()];
    expect(pulls.map((p) => [p.headRef, p.merged, p.state, [...p.labels].sort().join(' ')])).toEqual([
      ['rp9/promotion/hooli', true, 'closed', 'auto-merge bot:promotion risk:high rp9-bot'],
      ['rp9/promotion/soylent', false, 'open', 'bot:promotion needs-review risk:medium rp9-bot'],
    ]);
    expect(pulls[0]?.body).toContain('High queue latency: 12 s p95');
    expect(pulls[1]?.body).toContain('Data residency required: eu');

    // Only the promotion bot's fields changed on main, and the mode line keeps its comment.
    const merged = stack.file('tenants/hooli.yaml')!;
    expect(changedFields(files['tenants/hooli.yaml'], merged)).toEqual(['spec.mode', 'spec.promotion.reason', 'spec.promotion.ttlMinutes', 'spec.promotion.window']);
    expect(merged).toContain('  mode: dedicated # moves to dedicated when it outgrows the shared pool\n');
    expect(merged).toContain(`    window: "${formatWindow(nextMaintenanceWindow({ weekdays: [0, 6], hourUtc: 22 }, now))}"\n`);
    expect(stack.file('tenants/soylent.yaml')).toBe(files['tenants/soylent.yaml']);

    // The controller reads the merge and plans hooli's dedicated stack and the route switch.
    const { plan } = await controllerPlanForMerge(files, filesAt(stack));
    const hooli = plan.tenants.find((t) => t.tenant === 'hooli')!;
    expect(hooli.change).toBe('update');
    expect(hooli.actions.map((a) => `${a.op} ${a.kind} ${a.name}`).sort()).toEqual([
      'create container rp9-hooli-main',
      'create container rp9-hooli-worker-1',
      'create container rp9-hooli-worker-2',
      'create database rp9_hooli',
      'create volume rp9-hooli-data',
      'update route hooli',
    ]);
    expect(plan.tenants.filter((t) => t.change !== 'noop').map((t) => t.tenant)).toEqual(['hooli']);
  });

  it('`rp9 bots run promotion --dry-run` prints the candidate table and writes nothing', async () => {
    stack = await startConfigStack(files);
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: { write: (chunk: string) => ((out.stdout += chunk), true) },
      stderr: { write: (chunk: string) => ((out.stderr += chunk), true) },
      env: { RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: FULL_NAME, RP9_GITHUB_API_URL: stack.gh.url, RP9_PROMETHEUS_URL: prometheus.url, RP9_BOTS_GIT_CACHE_DIR: stack.gitCacheDir, RP9_LOG_LEVEL: 'error' },
      cwd: process.cwd(),
    } as unknown as Parameters<typeof main>[1];

    const code = await main(['bots', 'run', 'promotion', '--dry-run'], io);

    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(out.stdout).toContain([
      'TENANT   PLAN  SCORE  PRIORITY  REASONS',
      'hooli    pro     100  high      High queue latency: 12 s p95; High execution volume: 12,000/month; High concurrency: 12 simultaneous executions',
      'soylent  pro      40  medium    Data residency required: eu',
    ].join('\n'));
    expect(out.stdout).toContain('hooli: commit tenants/hooli.yaml on rp9/promotion/hooli, open a pull request');
    expect(out.stdout).not.toContain('metrics unavailable');
    expect(writes(stack.gh)).toEqual([]);
  });
});
