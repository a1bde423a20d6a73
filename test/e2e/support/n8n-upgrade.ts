// What the blue/green upgrade e2e tests share: the names of one dedicated
// tenant's two stacks, its controller (support/n8n-controller.ts) with the
// tenant on its starting version, green made ready with a workload, and the
// upgrade operation driven step by step (the operations loop's job).
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { N8nConnection } from '../../../edges/n8n/index.js';
import { n8nApiFor } from '../../../edges/n8n/index.js';
import type { Operation } from '../../../controller/store/types.js';
import { DEFAULT_N8N_VERSION } from '../../harness/n8n-image.js';
import { platformYaml } from '../bots-support.js';
import { containerLogs } from '../n8n-containers.js';
import { startN8nController, type N8nController, type N8nControllerOptions } from './n8n-controller.js';
import { realN8nTenantYaml } from './n8n-tenant.js';
import { createWorkload, N8N_REST_TIMEOUT_MS, ownerConnection, type Workload } from './n8n-workload.js';
import { until } from './wait.js';

export interface UpgradeRig {
  id: string;
  tenant: string;
  file: string;
  database: string;
  blueDatabase: string;
  environment: string;
  network: string;
  main: string;
  worker: string;
  blueMain: string;
  blueWorker: string;
}

export function upgradeRig(tenant: string): UpgradeRig {
  const id = randomBytes(3).toString('hex');
  return {
    id,
    tenant,
    file: `tenants/${tenant}.yaml`,
    database: `rp9_${tenant}`,
    blueDatabase: `rp9_${tenant}_blue`,
    environment: `n8n-${tenant}-${id}`,
    network: `rp9-n8n-${tenant}-${id}`,
    main: `rp9-${tenant}-main`,
    worker: `rp9-${tenant}-worker-1`,
    blueMain: `rp9-${tenant}-blue-main`,
    blueWorker: `rp9-${tenant}-blue-worker-1`,
  };
}

export interface UpgradeControllerOptions extends Pick<N8nControllerOptions, 'docker' | 'postgresUrl' | 'redisUrl' | 'hostFromContainers' | 'watchSeconds' | 'github' | 'suspendedUrl'> {
  /** The tenant's pinned n8n version to start from (the platform default is DEFAULT_N8N_VERSION). */
  fromVersion: string;
  /** The tenant's memory (default realN8nTenantYaml's 1536 MB). */
  memoryMb?: number;
}

/** The controller with the rig's tenant pinned to `fromVersion`; both colours' databases dropped before and after. */
export function startUpgradeController(rig: UpgradeRig, options: UpgradeControllerOptions): Promise<N8nController> {
  const { fromVersion, memoryMb, ...rest } = options;
  return startN8nController({
    ...rest,
    environment: rig.environment,
    network: rig.network,
    files: {
      'platform.yaml': platformYaml({ 'spec.environment': rig.environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION }),
      [rig.file]: realN8nTenantYaml(rig.tenant, { version: fromVersion, ...(memoryMb ? { memoryMb } : {}) }),
    },
    // Blue before green: a role is dropped only after every database it owns.
    databases: [rig.blueDatabase, rig.database],
    healthTimeoutSeconds: 180,
  });
}

/** The last lines of the logs of both stacks' containers, for a failure's message. */
export async function diagnose(docker: Docker, rig: UpgradeRig, tail = 6_000): Promise<string> {
  const parts = await Promise.all([rig.main, rig.worker, rig.blueMain, rig.blueWorker].map(async (name) => {
    const logs = await containerLogs(docker.getContainer(name)).catch((error: Error) => error.message);
    return `--- ${name}\n${logs.slice(-tail)}`;
  }));
  return parts.join('\n');
}

/** n8n's URL of container `name` on the tenant network. */
export async function mainUrl(docker: Docker, rig: UpgradeRig, name: string): Promise<string> {
  const info = await docker.getContainer(name).inspect();
  return `http://${info.NetworkSettings.Networks[rig.network]!.IPAddress}:5678`;
}

/** `postgresUrl` pointed at database `name`. */
export function databaseUrlOf(postgresUrl: string, name: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Green {
  url: string;
  connection: N8nConnection;
  workload: Workload;
}

/**
 * Green as the first reconcile pass applies it, ready (under load n8n answers
 * "starting up" for a while after its healthcheck passes), with an owner, an
 * API key, a credential and a published webhook workflow made through the
 * adapter of `version`.
 */
export async function arrangeGreen(ctl: N8nController, docker: Docker, rig: UpgradeRig, version: string): Promise<Green> {
  const first = await ctl.reconcile();
  if (first.failures.length > 0) throw new Error(`the first pass failed: ${JSON.stringify(first.failures)}\n${await diagnose(docker, rig)}`);
  const url = await mainUrl(docker, rig, rig.main);
  await until(`n8n ${version} to be ready (${url}/healthz/readiness answering 200)`, async () => (await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.status === 200, { timeoutMs: N8N_REST_TIMEOUT_MS, intervalMs: 1_000 });
  const connection = await ownerConnection(url);
  const workload = await createWorkload(n8nApiFor(version), connection, `${rig.tenant}-${rig.id}`);
  return { url, connection, workload };
}

/**
 * Steps `op` on the controller's engine, as the operations loop does, until
 * `done` says so (default: the operation finished); `each` runs after every
 * step. Returns the operation as journaled last and the seconds spent per step.
 */
export async function driveUpgrade(ctl: N8nController, op: Operation, options: { what?: string; done?: (op: Operation) => boolean; each?: (op: Operation) => Promise<void>; timeoutMs?: number; intervalMs?: number } = {}): Promise<{ op: Operation; seconds: Record<string, number> }> {
  const seconds: Record<string, number> = {};
  const done = options.done ?? ((o: Operation) => o.finishedAt !== null);
  let current = op;
  await until(options.what ?? 'the upgrade operation to finish', async () => {
    const step = current.steps[current.currentStep]?.name ?? 'end';
    const started = Date.now();
    current = await ctl.engine.step(current.id);
    seconds[step] = (seconds[step] ?? 0) + (Date.now() - started) / 1000;
    await options.each?.(current);
    return done(current);
  }, { timeoutMs: options.timeoutMs ?? 12 * 60_000, intervalMs: options.intervalMs ?? 1_000 });
  return { op: current, seconds };
}
