// kill -9 during a restore: `rp9 restore <tenant> --backup <id> --sandbox`
// runs as a process of its own and is SIGKILLed once its sandbox is half up:
// the sandbox database restored, the journal at start-stack, the sandbox's
// n8n container started (not yet healthy, no route). Nothing claims success:
// the operation is still running at start-stack, no integrity or RTO in its
// state, the catalogue holds only the backup it restores. The sweep keeps
// the half-made sandbox while its operation is unfinished. The controller's
// engine (another process's role, here the test's) sees the runner is dead,
// adopts the operation, re-runs start-stack on what is there and checks the
// sandbox: done, healthy. When its TTL ends the sweep removes it whole:
// containers, route, volume, database and role, secrets. The sandbox's n8n is
// real (the image from deploy/n8n-image/); the tenant's backup is a database
// of its own without n8n (`--skip-n8n`), so only the sandbox's n8n starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { backupInput } from '../../controller/backups/naming.js';
import { backupRuntime } from '../../controller/backups/runtime.js';
import { mainContainerName } from '../../controller/compile/names.js';
import { LABEL } from '../../controller/model.js';
import { createDatabaseAdmin, type DatabaseAdmin } from '../../controller/postgres/tenant-databases.js';
import { sandboxName } from '../../controller/sandbox/sandbox.js';
import { sandboxRuntime } from '../../controller/sandbox/sandbox-runtime.js';
import { sweepSandboxes } from '../../controller/sandbox/sandbox-sweep.js';
import { routeFileName } from '../../controller/traefik/index.js';
import { fsObjectStore } from '../../edges/object-store/index.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { DEFAULT_N8N_VERSION, ensureN8nImage, N8N_IMAGE_BUILD_TIMEOUT_MS } from '../harness/n8n-image.js';
import { runSql, scratchDatabases } from '../harness/scratch-databases.js';
import { platformYaml } from './bots-support.js';
import { tenantFile } from './support/config.js';
import { startN8nController, type N8nController } from './support/n8n-controller.js';
import { until } from './support/wait.js';

const id = randomBytes(2).toString('hex');
const tenant = `rk${id}`;
const environment = `restore-kill-${id}`;
const network = `rp9-restore-kill-${id}`;
const sandbox = sandboxName(tenant, new Date());
const tenantDb = `rp9_${tenant}`;
const sandboxDb = `rp9_${sandbox.replaceAll('-', '_')}`;
const files = {
  'platform.yaml': platformYaml({ 'spec.environment': environment, 'spec.dedicated.image': 'rp9/n8n', 'spec.dedicated.n8nVersion': DEFAULT_N8N_VERSION }),
  ...tenantFile({ name: tenant, cpu: 1, memoryMb: 1536, workers: 1 }),
};
const entry = fileURLToPath(new URL('./support/rp9-main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const postgresUrl = inject('postgresUrl');
const docker = new Docker({ socketPath: inject('dockerSocket') });
const stores = scratchDatabases(postgresUrl, 'restore_kill');
const masterKey = randomBytes(32);
let ctl: N8nController | undefined;
let databases: DatabaseAdmin;
let dir = '';
let storeUrl = '';
let child: ChildProcess | undefined;

async function running(container: string): Promise<boolean> {
  return (await docker.getContainer(container).inspect().catch(() => undefined))?.State.Running === true;
}

beforeAll(async () => {
  await ensureN8nImage(docker, DEFAULT_N8N_VERSION);
  databases = createDatabaseAdmin(postgresUrl);
  storeUrl = await stores.create();
  ctl = await startN8nController({ docker, postgresUrl, redisUrl: inject('redisUrl'), hostFromContainers: inject('hostFromContainers'), environment, network, files, databases: [tenantDb, sandboxDb], healthTimeoutSeconds: 600, store: { databaseUrl: storeUrl, masterKey } });
  dir = await mkdtemp(join(tmpdir(), 'rp9-restore-kill-'));
  await mkdir(join(dir, 'tenants'));
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  // The tenant's database (no n8n ran on it: n8n migrates the sandbox's copy when it starts) and its n8n key.
  await runSql(postgresUrl, `create database ${tenantDb}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${tenantDb}`;
  await runSql(url.toString(), `create table rp9_note (id serial primary key, note text); insert into rp9_note (note) select md5(g::text) from generate_series(1, 1000) g`);
  await ctl.store.secrets.set(tenant, 'encryption-key', randomBytes(24).toString('base64url'));
}, N8N_IMAGE_BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  // stop() removes the environment's containers, volumes, network and the two databases.
  await ctl?.stop();
  await stores.dropAll();
  await databases?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 180_000);

describe('kill -9 during rp9 restore --sandbox', () => {
  it('claims nothing; the controller adopts the restore and finishes it; the sweep removes the sandbox at its TTL', async () => {
    const { store, settings } = ctl!;
    const objects = fsObjectStore(join(settings.stateDir, 'backups'));
    const source = (path: string) => ({ path, bytes: Buffer.from(files[path as keyof typeof files]!) });
    const config = loadConfig({ platform: source('platform.yaml'), tenants: [source(`tenants/${tenant}.yaml`)], problems: [] });
    const runtime = sandboxRuntime({ settings, docker, databases, store, objects, config: () => ({ platform: config.platform!, tenants: config.tenants }) });
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: postgresUrl, restore: runtime.restore, logger: silentLogger(), runner: 'controller' });
    const input = backupInput(tenant, 'manual', new Date(), { mode: 'dedicated', n8nVersion: DEFAULT_N8N_VERSION });
    const backup = await engine.runToEnd((await engine.start('backup', tenant, { ...input })).id);
    expect(backup.status, backup.error ?? '').toBe('done');
    const catalogue = await store.backups.list(tenant);
    expect(catalogue.map((b) => [b.id, b.status])).toEqual([[input.backupId, 'verified']]);

    child = spawn(process.execPath, ['--import', 'tsx', entry, 'restore', tenant, '--backup', input.backupId, '--sandbox', '--ttl', '1h', '--dir', dir, '--state-dir', settings.stateDir], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, USER: 'alice', ...ctl!.env, DATABASE_URL: storeUrl, RP9_MASTER_KEY: masterKey.toString('hex'), DOCKER_HOST: `unix://${inject('dockerSocket')}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c) => (stderr += String(c)));
    let gone = false;
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => {
      gone = true;
      resolve(code);
    }));

    // Wait (bounded) until the sandbox is half up: its database restored, the journal at start-stack, its n8n started.
    const main = mainContainerName(sandbox);
    const half = await until('the sandbox half up (start-stack, main running)', async () => {
      if (gone) return 'exited' as const;
      const [op] = await store.operations.listUnfinished(tenant);
      return op?.steps[op.currentStep]?.name === 'start-stack' && (await running(main)) ? op : undefined;
    }, { timeoutMs: 600_000, intervalMs: 200 });
    expect(half, `rp9 restore exited before the sandbox was half up: ${stderr}`).not.toBe('exited');
    child.kill('SIGKILL');
    expect(await exited).toBeNull();

    // Nothing claims success: the journal says start-stack is running; no integrity, no RTO; the catalogue is as before.
    const [op] = await store.operations.listUnfinished(tenant);
    expect(op?.id).toBe((half as Exclude<typeof half, 'exited'>).id);
    expect(op?.status).toBe('running');
    expect(op?.steps.map((s) => [s.name, s.status])).toEqual([['check-backup', 'done'], ['create-database', 'done'], ['restore-database', 'done'], ['start-stack', 'running'], ['import-export', 'pending'], ['check-integrity', 'pending']]);
    expect(op?.state.integrity).toBeUndefined();
    expect(op?.state.rtoSeconds).toBeUndefined();
    expect((await store.backups.list(tenant)).map((b) => [b.id, b.status])).toEqual([[input.backupId, 'verified']]);
    expect((await databases.observe(environment)).map((d) => d.name)).toEqual([sandboxDb]);
    // The half-made sandbox is its operation's: the sweep leaves it while the operation is unfinished, even past its TTL.
    const stack = runtime.stack();
    const expiresAt = String(op?.state.expiresAt);
    expect(await sweepSandboxes(stack, store.operations, new Date(), silentLogger())).toEqual([]);
    expect(await sweepSandboxes(stack, store.operations, new Date(Date.parse(expiresAt) + 1_000), silentLogger())).toEqual([]);
    expect((await stack.inventory()).map((s) => s.name)).toEqual([sandbox]);

    // The controller's engine adopts it (its runner is dead), re-runs start-stack on what is there and checks it.
    const adopted = await engine.pass();
    expect(adopted.map((o) => o.id)).toContain(op?.id);
    const end = await engine.runToEnd(op?.id as string);
    expect(end.status, end.error ?? '').toBe('done');
    expect(end.state).toMatchObject({ sandbox, url: `https://${sandbox}.${config.platform!.spec.domain}/`, integrity: { healthy: true, workflows: null, credentials: null } });
    expect(Number(end.state.rtoSeconds)).toBeGreaterThan(0);
    expect(await running(main)).toBe(true);
    expect(existsSync(join(settings.routesDir, routeFileName(sandbox)))).toBe(true);
    expect(await store.operations.listUnfinished(tenant)).toEqual([]);

    // Kept until its TTL; then the sweep removes it whole.
    expect(await sweepSandboxes(stack, store.operations, new Date(), silentLogger())).toEqual([]);
    expect(await sweepSandboxes(stack, store.operations, new Date(Date.parse(expiresAt) + 1_000), silentLogger())).toEqual([sandbox]);
    expect(await stack.inventory()).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: { label: [`${LABEL.tenant}=${sandbox}`] } })).toEqual([]);
    expect(existsSync(join(settings.routesDir, routeFileName(sandbox)))).toBe(false);
    expect((await databases.observe(environment)).map((d) => d.name)).toEqual([]);
    expect(await store.secrets.names(sandbox)).toEqual([]);
    expect((await store.backups.list(tenant)).map((b) => [b.id, b.status])).toEqual([[input.backupId, 'verified']]);
  }, 20 * 60_000);
});
