// "An upgrade whose blue fails its health gate: the tenant is untouched, and a
// PR reverts the version." A dedicated tenant runs real n8n (green, on the
// platform default) with a published webhook workflow behind a credential.
// Its config repo lives on the GitHub contract server. Its tenant file moves
// to a version whose image is rp9's n8n stand-in (test/images: it starts,
// passes the container healthcheck, and is no n8n at all), so blue comes up
// "healthy" and then fails the gate proper: the smoke execution of rp9's
// canary through blue cannot run. The upgrade operation, driven step by step
// (the operations loop's job), must roll back before any swap: the route file
// (sampled every 100 ms all along) never leaves green, green's containers are
// the very same and still answer the webhook, blue's containers and database
// are gone, the next pass stalls the tenant with UpgradeFailed without
// touching it or retrying, and the forge got exactly one PR, which sets the
// version back in a tenant file that validates.
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { Octokit } from '@octokit/rest';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { databaseExists } from '../../controller/upgrades/database-copy.js';
import { REVERT_BOT } from '../../controller/upgrades/revert-pr.js';
import { routeTarget } from './support/route-follower.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { ensureTestImage } from '../harness/test-image.js';
import { FULL_NAME, OWNER as GH_OWNER, REPO } from './bots-support.js';
import type { N8nController } from './support/n8n-controller.js';
import { realN8nTenantYaml } from './support/n8n-tenant.js';
import { arrangeGreen, databaseUrlOf, diagnose, driveUpgrade, startUpgradeController, upgradeRig } from './support/n8n-upgrade.js';
import { callWebhook, callWebhookUntilServed, executionsOf } from './support/n8n-workload.js';

const rig = upgradeRig('gte');
const { id, tenant, database, blueDatabase, main, worker, blueMain, blueWorker } = rig;
/** The version git asks for: its image is the n8n stand-in (healthy to Docker, not n8n). */
const STAND_IN_VERSION = '2.42.0-rp9-stand-in';

const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
let controller: N8nController | undefined;

beforeAll(async () => {
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  await ensureTestImage(docker, `rp9/n8n:${STAND_IN_VERSION}`);
  controller = await startUpgradeController(rig, {
    docker,
    postgresUrl,
    redisUrl: inject('redisUrl'),
    hostFromContainers: inject('hostFromContainers'),
    fromVersion: DEFAULT_N8N_VERSION,
    github: true,
    watchSeconds: 20,
  });
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await controller?.stop();
}, 180_000);

async function containerIds(): Promise<Record<string, { id: string; running: boolean; image: string }>> {
  const out: Record<string, { id: string; running: boolean; image: string }> = {};
  for (const name of [main, worker]) {
    const info = await docker.getContainer(name).inspect();
    out[name] = { id: info.Id, running: info.State.Running, image: info.Config.Image };
  }
  return out;
}

describe('an upgrade whose blue fails its health gate', () => {
  it('rolls back before any swap: green untouched and serving, blue gone, Stalled UpgradeFailed, one revert PR that validates', async () => {
    const ctl = controller!;
    const github = ctl.github!;
    const routeFile = join(ctl.settings.routesDir, `rp9-${tenant}.yaml`);

    // Arrange: green on real n8n with a webhook workflow behind a credential.
    const green = await arrangeGreen(ctl, docker, rig, DEFAULT_N8N_VERSION);
    expect(JSON.parse((await callWebhookUntilServed(green.url, green.workload.webhookPath)).body)).toEqual({ msg: `hello ${tenant}-${id}` });
    const greenBefore = await containerIds();
    expect(Object.values(greenBefore).map((c) => [c.running, c.image])).toEqual([[true, `rp9/n8n:${DEFAULT_N8N_VERSION}`], [true, `rp9/n8n:${DEFAULT_N8N_VERSION}`]]);
    const executionsBefore = await executionsOf(databaseUrlOf(postgresUrl, database), green.workload.workflow.id);

    // Act: git asks for the stand-in's version; the pass starts an upgrade, which runs to its end.
    await ctl.commit({ [rig.file]: realN8nTenantYaml(tenant, { version: STAND_IN_VERSION }) }, `upgrade ${tenant} to n8n ${STAND_IN_VERSION}`);
    const upgraded = await ctl.reconcile();
    expect(upgraded.failures).toEqual([]);
    expect(upgraded.plan?.tenants.find((t) => t.tenant === tenant)?.operation).toMatchObject({ kind: 'upgrade', status: 'start', from: DEFAULT_N8N_VERSION, to: STAND_IN_VERSION });
    const [started] = await ctl.store.operations.listUnfinished(tenant);
    // The route file, sampled all along: where it points, and how often.
    const targets = new Map<string, number>();
    const sample = async () => {
      const target = routeTarget(await readFile(routeFile, 'utf8').catch((e: Error) => `url: unreadable:${e.message.replace(/\s+/g, '_')}`));
      targets.set(target, (targets.get(target) ?? 0) + 1);
    };
    await sample();
    const sampler = setInterval(() => void sample(), 100);
    let blueSeen = false;
    const { op } = await driveUpgrade(ctl, started!, {
      each: async () => {
        blueSeen ||= (await docker.getContainer(blueMain).inspect().then(() => true, () => false));
      },
    }).finally(() => clearInterval(sampler));
    await sample();
    const failedStep = op.steps.find((s) => s.error !== null);
    console.info(`[controller-n8n-upgrade-gate] upgrade ${op.status} at step ${failedStep?.name}: ${op.error}; route samples ${JSON.stringify(Object.fromEntries(targets))}`);
    if (op.status !== 'rolled-back') console.error(op.state.undoError, await diagnose(docker, rig, 4_000));

    // Assert: rolled back at the gate, before any swap; blue had come up (so the gate, not the start, refused it).
    expect(op.status).toBe('rolled-back');
    expect(blueSeen).toBe(true);
    expect(failedStep?.name).toBe('gate');
    expect(op.state.swappedAt).toBeUndefined();
    expect(op.steps.find((s) => s.name === 'swap')?.status).toBe('pending');
    // The route never pointed anywhere but green's main.
    expect([...targets.keys()].every((t) => t.startsWith(`http://${main}:5678`)), JSON.stringify([...targets])).toBe(true);
    // Green: the very same containers, running, serving the webhook with its credential.
    expect(await containerIds()).toEqual(greenBefore);
    expect(JSON.parse((await callWebhookUntilServed(green.url, green.workload.webhookPath)).body)).toEqual({ msg: `hello ${tenant}-${id}` });
    expect((await callWebhook(green.url, green.workload.webhookPath, false)).status).toBe(403);
    expect((await executionsOf(databaseUrlOf(postgresUrl, database), green.workload.workflow.id)).length).toBeGreaterThan(executionsBefore.length);
    // Blue: containers and database gone.
    for (const gone of [blueMain, blueWorker]) await expect(docker.getContainer(gone).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await databaseExists(postgresUrl, blueDatabase)).toBe(false);
    expect(await databaseExists(postgresUrl, database)).toBe(true);

    // The next pass stalls the tenant with UpgradeFailed, touches nothing and starts no new upgrade.
    const after = await ctl.reconcile();
    const plan = after.plan?.tenants.find((t) => t.tenant === tenant);
    expect(plan?.operation).toMatchObject({ kind: 'upgrade', status: 'failed', to: STAND_IN_VERSION });
    expect(plan?.actions.filter((a) => a.kind === 'container' || a.kind === 'route')).toEqual([]);
    const status = await ctl.store.status.get(tenant);
    expect(status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Stalled', status: 'True', reason: 'UpgradeFailed' })]));
    expect(await ctl.store.operations.listUnfinished(tenant)).toEqual([]);
    expect(await containerIds()).toEqual(greenBefore);
    // The operation's own UpgradeFailed event (the pass's Stalled condition records another) names the PR.
    const event = (await ctl.store.events.recent({ tenant, limit: 20 })).find((e) => e.reason === 'UpgradeFailed' && (e.data as { operationId?: string }).operationId === op.id);
    expect(event?.message).toMatch(/revert PR #\d+ .* sets the version back to /);

    // The forge: exactly one PR, on rp9's branch, setting the version back in a tenant file that validates.
    const pulls = [...github.gh.state.repo(FULL_NAME).pulls.values()];
    expect(pulls).toHaveLength(1);
    const open = (await new Octokit({ baseUrl: github.gh.url, auth: 'test-token' }).pulls.list({ owner: GH_OWNER, repo: REPO, state: 'open' })).data;
    expect(open.map((p) => p.head.ref)).toEqual([`rp9/${REVERT_BOT}/${tenant}`]);
    expect(open[0]!.body).toContain(op.id);
    expect(open[0]!.body).toContain('Failed at step: `gate`');
    const proposed = github.file(rig.file, open[0]!.head.ref)!;
    expect(proposed).toMatch(new RegExp(`version: "?${DEFAULT_N8N_VERSION.replaceAll('.', '\\.')}"?`));
    expect(proposed).not.toContain(STAND_IN_VERSION);
    expect(github.file(rig.file, 'main')).toContain(STAND_IN_VERSION);
    expect(open[0]!.base.ref).toBe('main');
    const loaded = loadConfig({
      platform: { path: 'platform.yaml', bytes: new TextEncoder().encode(github.file('platform.yaml', open[0]!.head.ref)!) },
      tenants: [{ path: rig.file, bytes: new TextEncoder().encode(proposed) }],
      problems: [],
    });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded.tenants.find((t) => t.name === tenant)?.tenant.spec.n8n?.version).toBe(DEFAULT_N8N_VERSION);
  }, 25 * 60_000);
});
