// The enforcement bot end to end: a real Prometheus scraping the controller's
// usage gauges and a Traefik router counter, the config repo on the GitHub
// contract server, the runner with its effects, and the controller planning
// the merged throttle.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MeterEvent, Notice } from '../../bots/enforcement/decide.js';
import { runBot } from '../../bots/runner/run-bot.js';
import type { EnforcementEffects } from '../../bots/runner/types.js';
import type { DesiredRoute } from '../../controller/model.js';
import { controllerPlanForMerge, filesAt, FULL_NAME, platformYaml, runDeps, startConfigStack, startMetricsStack, type ConfigStack, type MetricsStack } from './bots-support.js';

function tenant(name: string, plan: string, extra: string[] = []): string {
  return [
    '# yaml-language-server: $schema=../schemas/tenant.schema.json',
    'apiVersion: rp9.io/v1', 'kind: Tenant', 'metadata:', `  name: ${name}`, `  email: ops@${name}.example`,
    'spec:', `  plan: ${plan}`, '  mode: shared', '  region: us-east', `  subdomain: ${name}`, ...extra.map((line) => `  ${line}`), '',
  ].join('\n');
}

// hooli's route counts 600 more requests at every scrape: past its 1,000 an hour after three.
let scrapes = 0;
function exposition(): string {
  scrapes += 1;
  return [
    '# TYPE rp9_tenant_executions_month gauge',
    'rp9_tenant_executions_month{tenant="initech",mode="shared",plan="starter"} 1000',
    'rp9_tenant_executions_month{tenant="acme",mode="shared",plan="pro"} 10250',
    'rp9_tenant_executions_month{tenant="hooli",mode="shared",plan="starter"} 10',
    'rp9_tenant_executions_month{tenant="wayne",mode="shared",plan="starter"} 5',
    '# TYPE rp9_tenant_concurrent_executions gauge',
    'rp9_tenant_concurrent_executions{tenant="initech",mode="shared",plan="starter"} 1',
    '# TYPE traefik_router_requests_total counter',
    `traefik_router_requests_total{router="rp9-hooli@file",code="200",method="GET",protocol="http"} ${600 * scrapes}`,
    `traefik_router_requests_total{router="dashboard@internal",code="200",method="GET",protocol="http"} ${100_000 * scrapes}`,
    '',
  ].join('\n');
}

class RecordingEffects implements EnforcementEffects {
  readonly sent = new Map<string, Notice>();
  readonly meters: MeterEvent[] = [];
  async notify(notice: Notice): Promise<'sent' | 'duplicate' | 'rate-limited'> {
    if (this.sent.has(notice.key)) return 'duplicate';
    this.sent.set(notice.key, notice);
    return 'sent';
  }
  async meter(event: MeterEvent): Promise<void> {
    this.meters.push(event);
  }
}

let prometheus: MetricsStack;
let stack: ConfigStack | undefined;

beforeAll(async () => {
  prometheus = await startMetricsStack(exposition, 'count_over_time(traefik_router_requests_total{router="rp9-hooli@file"}[1m]) >= 3');
}, 60_000);
afterAll(async () => {
  await prometheus?.stop();
});
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('enforcement bot, end to end', () => {
  it('suspends a starter tenant for review, throttles one over its API calls (auto-merged, the controller rate limits its route), lifts a new period\'s suspension, bills pro overage once', async () => {
    const suspendedLastMonth = ['suspended: true', 'suspendedReason: "enforcement: executionsMonthly at 100 % of 1,000 in 2000-01"'];
    const before = {
      'platform.yaml': platformYaml(),
      'tenants/initech.yaml': tenant('initech', 'starter'),
      'tenants/acme.yaml': tenant('acme', 'pro', ['billing: { stripeCustomerId: cus_Acme1 }']),
      'tenants/hooli.yaml': tenant('hooli', 'starter'),
      'tenants/wayne.yaml': tenant('wayne', 'starter', suspendedLastMonth),
    };
    stack = await startConfigStack(before);
    const effects = new RecordingEffects();

    const report = await runBot('enforcement', await runDeps(stack, { metrics: prometheus.metrics, effects }));

    expect(report.metricsUnavailable).toBeUndefined();
    expect(report.proposals.map((p) => [p.tenant, p.riskClass, p.outcome, p.autoMerge.autoMerge])).toEqual([
      ['hooli', 'throttle', 'planned', true],
      ['initech', 'suspend', 'planned', false],
      ['wayne', 'lift', 'planned', true],
    ]);
    const pulls = [...stack.gh.state.repo(FULL_NAME).pulls.values()];
    const initech = pulls.find((p) => p.headRef === 'rp9/enforcement/initech')!;
    expect(initech).toMatchObject({ state: 'open', merged: false });
    expect(initech.labels).toContain('risk:suspend');
    expect(initech.body).toContain('autoMerge.enforcement.suspend = false');
    expect(stack.file('tenants/initech.yaml', 'rp9/enforcement/initech')).toContain('suspendedReason: "enforcement: executionsMonthly at 100 % of 1,000 in');
    expect(pulls.find((p) => p.headRef === 'rp9/enforcement/hooli')).toMatchObject({ merged: true });
    expect(pulls.find((p) => p.headRef === 'rp9/enforcement/wayne')).toMatchObject({ merged: true });
    expect(stack.file('tenants/wayne.yaml')).not.toContain('suspendedReason');

    // Notices: each once; the meter event for acme's 250 executions over.
    expect([...effects.sent.keys()].map((key) => key.replace(/\/\d{4}-\d{2}$/, ''))).toEqual([
      'acme/executionsMonthly/warning',
      'hooli/apiCallsHourly/warning', 'hooli/apiCallsHourly/throttle',
      'initech/executionsMonthly/warning', 'initech/executionsMonthly/throttle', 'initech/executionsMonthly/suspend',
      'wayne/all/lifted',
    ]);
    expect(effects.meters).toEqual([expect.objectContaining({ tenant: 'acme', customer: 'cus_Acme1', value: 250, identifier: expect.stringMatching(/^acme:executionsMonthly:\d{4}-\d{2}-\d{2}T\d{2}$/) })]);

    // The controller plans the merged throttle: hooli's route gets its rate limit.
    const { plan } = await controllerPlanForMerge(before, filesAt(stack));
    const hooli = plan.tenants.find((t) => t.tenant === 'hooli')!;
    expect(hooli.actions.map((a) => [a.op, a.kind])).toEqual([['update', 'route']]);
    expect((hooli.actions[0]?.desired as DesiredRoute).rateLimit).toEqual({ perMinute: 17, burst: 17 });

    // The next hourly run: nothing new is sent; the same meter identifier within the hour.
    const again = await runBot('enforcement', await runDeps(stack, { metrics: prometheus.metrics, effects }));
    expect(again.effects?.filter((e) => e.kind === 'notice').every((e) => e.outcome === 'duplicate')).toBe(true);
    expect(again.proposals.map((p) => p.tenant)).toEqual(['initech']);
  }, 120_000);

  it('decides nothing without Prometheus, and says so', async () => {
    stack = await startConfigStack({ 'platform.yaml': platformYaml(), 'tenants/initech.yaml': tenant('initech', 'starter') });

    const report = await runBot('enforcement', await runDeps(stack));

    expect(report.metricsUnavailable).toBe('no Prometheus configured');
    expect(report.operations).toEqual([]);
    expect(report.effects).toEqual([]);
  });
});
