// The upgrades bot's whole path, ending in a real reconcile: a healthy canary
// (rp9_tenant_ready in a real Prometheus) running `<image>:1.123.4`, an npm
// packument offering the aged patch 1.123.5, the bot's PR auto-merged on the
// contract server (autoMerge.upgrades.patch), the merged tenant file pushed to
// the git smart-HTTP repo the controller reads, and the next reconcile pass
// recreating main and worker on `<image>:1.123.5`.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBot } from '../../bots/runner/run-bot.js';
import { runDepsFrom } from '../../bots/runner/wire.js';
import { botsSettingsFromEnv } from '../../bots/sources/env.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { exposition, FULL_NAME, lineDiff, platformYaml, startConfigStack, startControllerRig, startMetricsStack, type ConfigStack, type ControllerRig, type MetricsStack } from './bots-support.js';
import { tenantYaml } from '../../bots/core/fixtures.js';

const DAY = 86_400_000;
const id = randomBytes(3).toString('hex');
const tenant = `bots-up-${id}`;
const environment = `bots-up-e2e-${id}`;
const image = `rp9/n8n-bots-up-${id}`;
const file = `tenants/${tenant}.yaml`;
const pinned = (version: string) => `  n8n: { version: "${version}" } # pinned by the upgrades bot`;

/** Only one newer release: the patch 1.123.5, published 5 days ago (minReleaseAgeDays is 3). */
function packument(now: number): string {
  const time: Record<string, string> = {
    created: new Date(now - 400 * DAY).toISOString(),
    modified: new Date(now - 5 * DAY).toISOString(),
    '1.123.4': new Date(now - 30 * DAY).toISOString(),
    '1.123.5': new Date(now - 5 * DAY).toISOString(),
  };
  const versions = Object.fromEntries(['1.123.4', '1.123.5'].map((v) => [v, { name: 'n8n', version: v }]));
  return JSON.stringify({ name: 'n8n', 'dist-tags': { latest: '1.123.5' }, versions, time });
}

let registry: Server;
let prometheus: MetricsStack;
let stack: ConfigStack;
let rig: ControllerRig;
let files: Record<string, string>;

beforeAll(async () => {
  registry = createServer((request, response) => {
    if (request.url !== '/n8n') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(packument(Date.now()));
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/n8n`;
  files = {
    'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': image, 'spec.policies.upgrades.registryUrl': registryUrl }),
    [file]: tenantYaml(tenant, ['plan: starter', 'mode: dedicated', pinned('1.123.4').trimStart()], ['labels:', '  rp9.io/canary: "true"']),
  };
  prometheus = await startMetricsStack(() => exposition({ rp9_tenant_ready: { [tenant]: 1 } }), `rp9_tenant_ready{tenant="${tenant}"}`);
  // Seeded 48 h ago, longer than soakHours: the canary has soaked the version it runs.
  stack = await startConfigStack(files, { seededHoursAgo: 48 });
  rig = await startControllerRig({ id, environment, files, images: [`${image}:1.123.4`, `${image}:1.123.5`], tenants: [tenant] });
});

afterAll(async () => {
  await rig?.stop();
  await stack?.stop();
  await prometheus?.stop();
  await new Promise((resolve) => registry?.close(resolve));
});

async function imagesOf(names: string[]): Promise<string[]> {
  return Promise.all(names.map(async (name) => (await rig.docker.getContainer(name).inspect()).Config.Image));
}

describe('an upgrades PR that the controller then applies', () => {
  it('auto-merges the canary patch and the next reconcile pass recreates main and worker on the new image', { timeout: 120_000 }, async () => {
    const containers = [`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`];
    const initial = await rig.reconcile();
    expect(initial).toMatchObject({ kind: 'applied', commit: rig.repo.head, failures: [] });
    expect(await rig.running()).toEqual(containers);
    expect(await imagesOf(containers)).toEqual([`${image}:1.123.4`, `${image}:1.123.4`]);
    const before = await Promise.all(containers.map(async (name) => (await rig.docker.getContainer(name).inspect()).Id));

    const settings = botsSettingsFromEnv({ RP9_GITHUB_TOKEN: 'test-token', RP9_GITHUB_REPOSITORY: FULL_NAME, RP9_GITHUB_API_URL: stack.gh.url, RP9_BOTS_GIT_CACHE_DIR: stack.gitCacheDir, RP9_PROMETHEUS_URL: prometheus.url });
    const report = await runBot('upgrades', await runDepsFrom(settings, { bot: 'upgrades', dryRun: false, now: new Date(), logger: silentLogger() }));

    expect(report.held).toEqual([]);
    expect(report.proposals.map((p) => [p.tenant, p.riskClass, p.changes.join()])).toEqual([[tenant, 'patch', 'spec.n8n.version: "1.123.4" → "1.123.5"']]);
    expect(report.results).toEqual([expect.objectContaining({ tenant, pullRequest: 'created', merge: 'merged' })]);
    const pr = stack.gh.state.repo(FULL_NAME).pulls.get(1)!;
    expect(pr).toMatchObject({ headRef: `rp9/upgrades/${tenant}`, title: expect.stringContaining('1.123.5'), merged: true, state: 'closed' });
    expect([...pr.labels].sort()).toEqual(['auto-merge', 'bot:upgrades', 'risk:patch', 'rp9-bot']);
    expect(pr.body).toContain('autoMerge.upgrades.patch = true');
    const merged = stack.file(file)!;
    expect(lineDiff(files[file]!, merged)).toEqual({ removed: [pinned('1.123.4')], added: [pinned('1.123.5')] });

    const mergeCommit = await rig.push({ [file]: merged }, `upgrades: ${tenant} to 1.123.5 (merged on GitHub)`);
    const applied = await rig.reconcile();

    expect(applied).toMatchObject({ kind: 'applied', commit: mergeCommit, failures: [] });
    const actions = applied.plan?.tenants.find((t) => t.tenant === tenant)?.actions ?? [];
    expect(actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual(containers.map((name) => `recreate container ${name}`));
    for (const action of actions) expect(action.changes).toContainEqual({ field: 'image', from: `${image}:1.123.4`, to: `${image}:1.123.5` });
    expect(await rig.running()).toEqual(containers);
    expect(await imagesOf(containers)).toEqual([`${image}:1.123.5`, `${image}:1.123.5`]);
    const after = await Promise.all(containers.map(async (name) => (await rig.docker.getContainer(name).inspect()).Id));
    expect(after.filter((containerId) => before.includes(containerId))).toEqual([]);
    expect((await rig.store.status.get(tenant))?.appliedCommit).toBe(mergeCommit);
  });
});
