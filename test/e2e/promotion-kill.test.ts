// kill -9 at each step of a promotion. A real shared n8n 2.41.1 (main +
// worker, queue mode; rp9 does not run it) holds a shared tenant's 10
// workflows (5 active, webhooks, one header-auth credential used by a node),
// made by the tenant's member user that rp9's members pass invited. A merged
// promotion is run by real `rp9 controller` child processes on one
// PostgreSQL store and one state directory, as a restarted controller finds
// them. For each step of the promotion, in order: the test polls the journal
// (the store's operation steps) until the step has started (its "before"
// record written, its "after" not) and the live process has had time to run
// it (it leads, and its operations loop, every second, has passed the step
// at least once), then SIGKILLs the process and starts a fresh one, which
// takes the lease, adopts the operation and re-runs the step from the
// journal. A step that is over before the kill lands (too quick to catch) is
// killed right after instead, and the test says which. One promotion, ten
// real kills. At the end: the journal says done; on the dedicated n8n the
// same ids and content hashes (controller/promotion/content.ts), no
// duplicate, the credential decrypts to the same data, the webhook answers
// through the route's new target; nothing of the tenant active on shared;
// exactly one pre-migration backup; and, sampled all along from both n8n
// databases, no workflow ever active on both.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseName, mainContainerName, workerContainerName } from '../../controller/compile/names.js';
import { promotionKind } from '../../controller/operations/promotion.js';
import { contentDifferences, tenantContent } from '../../controller/promotion/content.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { storeOptionsFromEnv } from '../../controller/store/store.js';
import type { Operation } from '../../controller/store/types.js';
import { execIn } from '../../edges/n8n/cli-exec.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { n8nApiFor } from '../../edges/n8n/index.js';
import { DEFAULT_N8N_VERSION, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { platformYaml } from './bots-support.js';
import { spawnController, stopControllerProcesses, type ControllerProcess } from './support/controller-process.js';
import { getJson } from './support/http.js';
import { callWebhookUntilServed, WEBHOOK_HEADER } from './support/n8n-workload.js';
import { activeIn, startSharedN8n, type SharedN8nInstance } from './support/shared-n8n.js';
import { promotionYaml, seedSharedTenant, sharedTenantYaml, type SharedTenantWorkload } from './support/shared-tenant.js';
import { until } from './support/wait.js';
import { createWorld, type World } from './support/world.js';

const id = randomBytes(2).toString('hex');
const tenant = `pk${id}`;
const email = `ops@${tenant}.example`;
const file = `tenants/${tenant}.yaml`;
const api = n8nApiFor(DEFAULT_N8N_VERSION);
const docker = new Docker({ socketPath: inject('dockerSocket') });
const postgresUrl = inject('postgresUrl');
const STEPS = promotionKind.steps.map((s) => s.name);
/** The operations loop's interval in the controller processes (RP9_OPERATIONS_INTERVAL_SECONDS). */
const OPERATIONS_INTERVAL_SECONDS = 1;
/** How long a step must have been running under the live leader before the kill: one pass of its operations loop and a half. */
const IN_STEP_MS = OPERATIONS_INTERVAL_SECONDS * 1500;
/** A fresh leader's operations wait for its first config (git fetched, parsed): counted from when it leads. */
const CONFIG_GRACE_MS = 3_000;
/** Lease timing: a fresh process takes the dead one's lease within TTL seconds. */
const LEASE = { RP9_LEASE_TTL_SECONDS: '6', RP9_LEASE_RENEW_SECONDS: '1' };

let shared: SharedN8nInstance | undefined;
let world: World | undefined;
let store: Store | undefined;
let seeded: SharedTenantWorkload;
let controller: ControllerProcess | undefined;
let spawned = 0;
const sampler = { samples: 0, both: [] as string[], stop: false, done: Promise.resolve() };

function superuserUrl(database: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Every process is the same controller restarted: one state directory (`name`), the shared n8n's settings, short intervals. */
async function startProcess(): Promise<ControllerProcess> {
  spawned += 1;
  return spawnController(world!, {
    name: 'ctl',
    intervalSeconds: 5,
    startTimeoutMs: 180_000,
    env: {
      ...LEASE,
      RP9_OPERATIONS_INTERVAL_SECONDS: String(OPERATIONS_INTERVAL_SECONDS),
      RP9_HEALTH_TIMEOUT_SECONDS: '600',
      RP9_TELEMETRY_INTERVAL_SECONDS: '3600',
      RP9_LOG_LEVEL: 'info',
      RP9_SHARED_N8N_CONTAINER: shared!.mainContainer,
      RP9_SHARED_N8N_API_KEY: shared!.owner.apiKey as string,
      RP9_SHARED_N8N_URL: shared!.url,
      RP9_SHARED_N8N_DATABASE_URL: shared!.databaseUrl,
    },
  });
}

async function promotion(): Promise<Operation | undefined> {
  return (await store!.operations.listByKind('promotion', 1))[0];
}

async function leads(child: ControllerProcess): Promise<boolean> {
  return (await getJson<{ role: string }>(`${child.url}/readyz`).catch(() => ({ body: { role: 'unreachable' } }))).body.role === 'leader';
}

function where(op: Operation): string {
  return op.steps.map((s) => `${s.name}:${s.status}`).join(' ');
}

/** rp9's temporary export and import files left in a container's /tmp (decrypted credentials, for a crash mid-CLI). */
async function leftovers(container: string): Promise<string[]> {
  const run = await execIn(docker, container, ['sh', '-c', 'ls /tmp | grep "^rp9-" || true']);
  return run.stdout.toString('utf8').split('\n').filter(Boolean);
}

function startSampler(): void {
  sampler.done = (async () => {
    while (!sampler.stop) {
      const [onShared, onDedicated] = await Promise.all([activeIn(shared!.databaseUrl, seeded.workflows), activeIn(superuserUrl(databaseName(tenant)), seeded.workflows)]).catch(() => [new Set<string>(), new Set<string>()]);
      sampler.samples += 1;
      for (const w of onShared) if (onDedicated.has(w)) sampler.both.push(`${new Date().toISOString()} ${w}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
}

beforeAll(async () => {
  shared = await startSharedN8n({ docker, postgresUrl, redisUrl: inject('redisUrl'), database: `rp9_e2e_pk_shared_${id}`, prefix: `rp9e2e-pk-${process.pid}`, encryptionKey: 'rp9-e2e-pk-shared-key' }, (cleanup) => {
    shared = { stop: cleanup } as SharedN8nInstance;
  });
  world = await createWorld({
    id: 'pk',
    postgresUrl,
    dockerSocket: inject('dockerSocket'),
    files: (environment) => ({
      'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION, 'spec.sharedN8n.url': shared!.url, 'spec.sharedN8n.version': DEFAULT_N8N_VERSION, 'spec.backups.drills.every': 'never' }),
      [file]: sharedTenantYaml({ name: tenant, email }),
    }),
  });
  const options = storeOptionsFromEnv(world.env(), { cwd: tmpdir() });
  store = await openStore({ databaseUrl: options.databaseUrl!, masterKey: options.masterKey!, notify: () => undefined });
  // The first process: its members pass invites the tenant's user on the shared n8n; the member accepts and works there.
  controller = await startProcess();
  const member = await until('the members pass to invite the tenant on the shared n8n', async () => {
    const found = await store!.sharedMembers.get(tenant);
    return found?.acceptUrl && found.projectId ? found : undefined;
  }, { timeoutMs: 180_000, intervalMs: 1_000 });
  seeded = await seedSharedTenant(api, shared.url, { email, acceptUrl: member.acceptUrl as string }, `pk-${id}`);
  startSampler();
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 15 * 60_000);

afterAll(async () => {
  sampler.stop = true;
  await sampler.done;
  await stopControllerProcesses().catch(() => undefined);
  await store?.close();
  // The world removes the environment's containers, network and databases (the dedicated stack's too).
  await world?.close();
  await shared?.stop();
}, 180_000);

describe('kill -9 of rp9 controller at each step of a promotion', () => {
  it('survives a SIGKILL in every step: resumed from the journal by a fresh process, nothing lost, duplicated or active on both sides', async () => {
    expect(STEPS).toEqual(['backup', 'dedicated-up', 'precopy', 'record', 'freeze', 'export', 'import', 'activate', 'verify', 'switch', 'finish']);
    const began = Date.now();
    const elapsed = () => `+${((Date.now() - began) / 1000).toFixed(1)} s`;
    await world!.push({ [file]: promotionYaml({ name: tenant, email, reason: 'promotion-kill e2e' }) }, `promote ${tenant}`);
    const op = await until('the promotion to start', promotion, { timeoutMs: 120_000, intervalMs: 500 });
    console.info(`[promotion-kill] ${elapsed()}: promotion ${op.id} started`);

    const kills: { step: string; pid: number; at: 'in step' | 'right after'; journal: string }[] = [];
    for (const [k, step] of STEPS.entries()) {
      const live = controller!;
      let ledSince: number | undefined;
      // Bounded by the step's own timeout plus a process start: a step that does not move under a fresh process fails here.
      const timeoutMs = ((promotionKind.steps[k]?.timeoutSeconds ?? 600) + 240) * 1000;
      const seen = await until(`step ${step} under pid ${live.pid} (running for ${IN_STEP_MS} ms while it leads, or over)`, async () => {
        ledSince ??= (await leads(live)) ? Date.now() : undefined;
        const current = await store!.operations.get(op.id);
        if (!current) throw new Error(`operation ${op.id} is gone`);
        const s = current.steps[k]!;
        if (current.status !== 'running' || s.status === 'done') return current;
        if (s.status !== 'running' || ledSince === undefined) throw new Error(`${where(current)}; leads: ${ledSince !== undefined}`);
        const since = Math.max(ledSince + (k === 0 ? 0 : CONFIG_GRACE_MS), s.startedAt?.getTime() ?? Date.now());
        if (Date.now() - since < IN_STEP_MS) throw new Error(`${step} running for ${Date.now() - since} ms`);
        return current;
      }, { timeoutMs, intervalMs: 100 });
      expect(seen.status === 'running' || seen.status === 'done', `${where(seen)}: ${seen.error ?? ''}`).toBe(true);
      const exit = await live.kill('SIGKILL');
      expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
      const journal = (await store!.operations.get(op.id))!;
      const at = journal.steps[k]!.status === 'running' ? 'in step' : 'right after';
      kills.push({ step, pid: live.pid, at, journal: where(journal) });
      console.info(`[promotion-kill] ${elapsed()}: SIGKILL pid ${live.pid} ${at} ${step}; journal ${where(journal)}`);
      // Nothing claims more than was done: the operation is finished only when every step is done. (The
      // operations loop runs steps back to back, so a kill "right after" switch can land after finish too.)
      if (journal.finishedAt) expect(journal.steps.filter((s) => s.status !== 'done').map((s) => s.name), where(journal)).toEqual([]);
      else expect(journal.status, where(journal)).toBe('running');
      controller = await startProcess();
    }

    // The last fresh process finishes whatever the last kill interrupted.
    const end = await until('the promotion to finish', async () => {
      const current = await store!.operations.get(op.id);
      return current?.finishedAt ? current : undefined;
    }, { timeoutMs: 10 * 60_000, intervalMs: 500 });
    console.info(`[promotion-kill] ${elapsed()}: ${end.status} after ${kills.length} kills (${spawned} processes); freeze ${Number(end.state.freezeSeconds).toFixed(1)} s; kills: ${kills.map((k) => `${k.step} (${k.at})`).join(', ')}`);
    expect(end.status, end.error ?? '').toBe('done');
    expect(end.steps.map((s) => [s.name, s.status])).toEqual(STEPS.map((s) => [s, 'done']));
    expect(kills.map((k) => k.step)).toEqual(STEPS);
    // The steps that run n8n's CLI for seconds are caught while running (the others when they are quick enough to catch).
    expect(kills.filter((k) => k.at === 'in step').map((k) => k.step)).toEqual(expect.arrayContaining(['backup', 'precopy', 'verify']));
    // Nothing changed on shared after the pre-copy: the freeze exported and imported nothing (the deactivation
    // and a crash in any step leave the shared fingerprint as the pre-copy took it).
    expect(end.state.carried).toBe('precopy');

    // Exactly one pre-migration backup, the one the journal names.
    const backups = (await store!.backups.list(tenant)).filter((b) => b.kind === 'pre-migration');
    expect(backups.map((b) => b.id)).toEqual([end.state.backupId]);

    // Same ids and content on dedicated, nothing extra or twice; the credential decrypts to the same data.
    const dedicatedMain = mainContainerName(tenant);
    const sharedMain = shared!.mainContainer;
    const projectId = (await store!.sharedMembers.get(tenant))!.projectId as string;
    const onShared = tenantContent(await exportItems(docker, sharedMain, 'workflows', { projectId }), await exportItems(docker, sharedMain, 'credentials', { projectId }));
    const dedicatedWorkflows = await exportItems(docker, dedicatedMain, 'workflows');
    const dedicatedCredentials = await exportItems(docker, dedicatedMain, 'credentials');
    const onDedicated = tenantContent(dedicatedWorkflows, dedicatedCredentials);
    expect(onShared.workflows.items.map((i) => i.id).sort()).toEqual(seeded.workflows);
    expect(dedicatedWorkflows.map((w) => String(w.id)).sort()).toEqual(seeded.workflows);
    expect(dedicatedCredentials.map((c) => String(c.id))).toEqual([seeded.workload.credential.id]);
    expect(contentDifferences(onShared, onDedicated)).toEqual([]);
    expect(onDedicated.workflows.sha256).toBe(onShared.workflows.sha256);
    expect(onDedicated.credentials.sha256).toBe(onShared.credentials.sha256);
    expect(dedicatedCredentials[0]?.data).toEqual({ name: WEBHOOK_HEADER.name, value: WEBHOOK_HEADER.value });

    // Active on dedicated exactly as they were on shared; none of the tenant's active on shared.
    expect(end.state.activeOnShared).toEqual(seeded.active);
    expect([...(await activeIn(superuserUrl(databaseName(tenant)), seeded.workflows))].sort()).toEqual(seeded.active);
    expect([...(await activeIn(shared!.databaseUrl, seeded.workflows))]).toEqual([]);

    // The route's target is the dedicated n8n, and the tenant's webhook answers there with its credential's header.
    const route = await readFile(join(world!.routesDir, `rp9-${tenant}.yaml`), 'utf8');
    const target = new URL(/url:\s*"?([^\s"]+)/.exec(route)?.[1] ?? 'http://missing');
    expect(target.hostname).toBe(dedicatedMain);
    const address = (await docker.getContainer(dedicatedMain).inspect()).NetworkSettings.Networks[world!.network]!.IPAddress;
    const answer = await callWebhookUntilServed(`http://${address}:${target.port}`, seeded.workload.webhookPath);
    expect(JSON.parse(answer.body)).toEqual({ msg: `hello ${seeded.workload.webhookPath}` });

    // The CLI's temporary files (decrypted credentials) are gone from both n8n instances, though processes were killed
    // mid-export and mid-import; the dedicated worker too (it runs the credentials import and export).
    expect(await leftovers(sharedMain)).toEqual([]);
    expect(await leftovers(dedicatedMain)).toEqual([]);
    expect(await leftovers(workerContainerName(tenant, 1))).toEqual([]);

    // Never active on both, over every sample of the whole promotion.
    expect(sampler.samples).toBeGreaterThan(20);
    expect(sampler.both).toEqual([]);
  }, 60 * 60_000);
});
