// The upgrades bot end to end, wired as `rp9 bots run upgrades` wires it:
// versions from an npm registry (a local packument server), health from a real
// Prometheus (rp9_tenant_ready), PRs on the contract server, the soak clock
// from git history, and the controller's plan after the merge.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runBot } from '../../bots/runner/run-bot.js';
import { runDepsFrom } from '../../bots/runner/wire.js';
import { botsSettingsFromEnv } from '../../bots/sources/env.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { controllerPlanForMerge, exposition, filesAt, FULL_NAME, lineDiff, platformYaml, startConfigStack, startMetricsStack, writes, type ConfigStack, type MetricsStack } from './bots-support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const dedicated = (name: string, options: { canary?: boolean; pin?: string } = {}) => [
  'apiVersion: rp9.io/v1',
  'kind: Tenant',
  'metadata:',
  `  name: ${name}`,
  `  email: ops@${name}.example`,
  ...(options.canary ? ['  labels:', '    rp9.io/canary: "true"'] : []),
  'spec:',
  '  plan: pro',
  '  mode: dedicated',
  '  region: us-east',
  `  subdomain: ${name}`,
  ...(options.pin ? [`  n8n: { version: "${options.pin}" } # pinned by the upgrades bot`] : []),
  '',
].join('\n');

function packument(now: number): string {
  const time: Record<string, string> = {
    created: new Date(now - 400 * DAY).toISOString(),
    modified: new Date(now - DAY).toISOString(),
    '1.123.4': new Date(now - 30 * DAY).toISOString(),
    '1.123.5': new Date(now - 5 * DAY).toISOString(),
    '1.123.6': new Date(now - DAY).toISOString(),
    '1.124.0': new Date(now - 8 * DAY).toISOString(),
    '2.0.0': new Date(now - 20 * DAY).toISOString(),
    '2.1.0': new Date(now - 6 * DAY).toISOString(),
    '2.2.0-beta.1': new Date(now - 4 * DAY).toISOString(),
  };
  const versions = Object.fromEntries(Object.keys(time).filter((v) => /^\d/.test(v)).map((v) => [v, { name: 'n8n', version: v }]));
  // Like the real registry: `latest` is a 2.x major while the fleet runs 1.123.
  return JSON.stringify({ name: 'n8n', 'dist-tags': { latest: '2.1.0', next: '2.2.0-beta.1' }, versions, time });
}

let registry: Server;
let registryUrl: string;
let prometheus: MetricsStack;
let stack: ConfigStack | undefined;

beforeAll(async () => {
  registry = createServer((request, response) => {
    if (request.url !== '/n8n') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(packument(Date.now()));
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/n8n`;
  prometheus = await startMetricsStack(() => exposition({ rp9_tenant_ready: { acme: 1, wayne: 0, stark: 1, umbrella: 1 } }), 'rp9_tenant_ready{tenant="umbrella"}');
});
afterAll(async () => {
  await prometheus?.stop();
  await new Promise((resolve) => registry?.close(resolve));
});
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('upgrades bot, end to end', () => {
  it('steps the healthy canary to the newest aged patch (not the 2.x latest) by itself, holds the rest, plans the new image, and takes the next step only after the soak', async () => {
    const files = {
      'platform.yaml': platformYaml({ 'spec.policies.upgrades.registryUrl': registryUrl }),
      'tenants/acme.yaml': dedicated('acme', { canary: true, pin: '1.123.4' }),
      'tenants/wayne.yaml': dedicated('wayne', { canary: true, pin: '1.123.4' }),
      'tenants/stark.yaml': dedicated('stark', { pin: '1.123.4' }),
      'tenants/umbrella.yaml': dedicated('umbrella'),
    };
    stack = await startConfigStack(files, { seededHoursAgo: 48 }); // the fleet has run 1.123.4 for two days: soaked
    const settings = botsSettingsFromEnv({ RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: FULL_NAME, RP9_GITHUB_API_URL: stack.gh.url, RP9_BOTS_GIT_CACHE_DIR: stack.gitCacheDir, RP9_PROMETHEUS_URL: prometheus.url });
    const deps = () => runDepsFrom(settings, { bot: 'upgrades', dryRun: false, now: new Date(), logger: silentLogger() });

    const report = await runBot('upgrades', await deps());

    expect(report.proposals.map((p) => [p.tenant, p.riskClass, p.changes.join(), p.outcome])).toEqual([['acme', 'patch', 'spec.n8n.version: "1.123.4" → "1.123.5"', 'planned']]);
    expect(report.held.map((h) => [h.tenant, h.code])).toEqual([
      ['stark', 'upgrades.waiting-for-canaries'],
      ['umbrella', 'upgrades.waiting-for-canaries'],
      ['wayne', 'upgrades.unhealthy'],
    ]);
    expect(report.results).toEqual([expect.objectContaining({ tenant: 'acme', pullRequest: 'created', merge: 'merged' })]);
    const pr = stack.gh.state.repo(FULL_NAME).pulls.get(1)!;
    expect(pr).toMatchObject({ headRef: 'rp9/upgrades/acme', title: expect.stringContaining('1.123.5'), merged: true });
    expect([...pr.labels].sort()).toEqual(['auto-merge', 'bot:upgrades', 'risk:patch', 'rp9-bot']);
    expect(pr.body).toContain('autoMerge.upgrades.patch = true');
    expect(lineDiff(files['tenants/acme.yaml'], stack.file('tenants/acme.yaml')!)).toEqual({
      removed: ['  n8n: { version: "1.123.4" } # pinned by the upgrades bot'],
      added: ['  n8n: { version: "1.123.5" } # pinned by the upgrades bot'],
    });

    const { plan } = await controllerPlanForMerge(files, filesAt(stack));
    const acme = plan.tenants.find((t) => t.tenant === 'acme')!;
    const main = acme.actions.find((a) => a.name === 'rp9-acme-main')!;
    expect(main).toMatchObject({ op: 'recreate', downtime: true });
    expect(main.changes).toContainEqual({ field: 'image', from: 'rp9/n8n:1.123.4', to: 'rp9/n8n:1.123.5' });
    expect(plan.tenants.filter((t) => t.change !== 'noop').map((t) => t.tenant)).toEqual(['acme']);

    // Next run: the canary runs the patch but hasn't soaked 24 h, so it does not take its next step (1.124.0) yet;
    // wayne is still unhealthy: nothing to write.
    stack.gh.state.clearRequests();
    const again = await runBot('upgrades', await deps());

    expect(again.proposals).toEqual([]);
    expect(again.held.map((h) => [h.tenant, h.code])).toEqual([
      ['acme', 'upgrades.soaking'],
      ['stark', 'upgrades.waiting-for-canaries'],
      ['umbrella', 'upgrades.waiting-for-canaries'],
      ['wayne', 'upgrades.unhealthy'],
    ]);
    expect(again.operations).toEqual([]);
    expect(writes(stack.gh)).toEqual([]);

    // A day and a half later (health still read now: Prometheus has no future samples): acme has soaked 1.123.5 and
    // takes the next step, the newest 1.x minor, which goes to review; the unhealthy canary wayne still holds the rest on 1.123.5.
    const later = await runDepsFrom(settings, { bot: 'upgrades', dryRun: false, now: new Date(Date.now() + 36 * HOUR), logger: silentLogger() });
    const third = await runBot('upgrades', { ...later, health: () => later.metrics!.ready(new Date()) });

    expect(third.proposals.map((p) => [p.tenant, p.riskClass, p.changes.join(), p.outcome])).toEqual([['acme', 'minor', 'spec.n8n.version: "1.123.5" → "1.124.0"', 'planned']]);
    expect(third.held.map((h) => [h.tenant, h.code, h.reason])).toEqual([
      ['stark', 'upgrades.waiting-for-canaries', expect.stringContaining('every canary runs 1.123.5')],
      ['umbrella', 'upgrades.waiting-for-canaries', expect.stringContaining('every canary runs 1.123.5')],
      ['wayne', 'upgrades.unhealthy', expect.stringContaining('next step 1.123.5 (patch)')],
    ]);
    expect(third.results).toEqual([expect.objectContaining({ tenant: 'acme', pullRequest: 'created', merge: 'review' })]);
    const minor = stack.gh.state.repo(FULL_NAME).pulls.get(2)!;
    expect(minor).toMatchObject({ headRef: 'rp9/upgrades/acme', merged: false });
    expect([...minor.labels].sort()).toEqual(['bot:upgrades', 'needs-review', 'risk:minor', 'rp9-bot']);
    expect(minor.body).toContain('autoMerge.upgrades.minor = false');
  });
});
