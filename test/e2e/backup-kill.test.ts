// kill -9 during a backup: `rp9 backup create` runs as a process of its own
// and is SIGKILLed while its dump streams. Nothing is catalogued; the
// journal still says dump-database is running; another process (the
// controller's engine) sees the runner is dead, adopts the operation, re-runs
// the step and finishes it: one verified backup, no half-written row.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backupRuntime } from '../../controller/backups/runtime.js';
import { verifyBackup } from '../../controller/backups/verify.js';
import { databaseName } from '../../controller/compile/names.js';
import { openStore, type Store } from '../../controller/store/index.js';
import { fsObjectStore } from '../../edges/object-store/index.js';
import { silentLogger } from '../../kernel/log/logger.js';
import { minimalPlatformYaml } from '../fixtures/minimal-platform.js';
import { runSql, scratchDatabases } from '../harness/scratch-databases.js';

const admin = inject('postgresUrl');
const tenant = `k${randomBytes(3).toString('hex')}`;
const stores = scratchDatabases(admin, 'backup_kill');
const masterKey = randomBytes(32);
const entry = fileURLToPath(new URL('./support/rp9-main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';
let storeUrl = '';
let store: Store;
let child: ChildProcess | undefined;

async function partialBytes(root: string): Promise<number> {
  const walk = async (d: string): Promise<number> => {
    let total = 0;
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) total += await walk(p);
      else if (e.name.endsWith('.partial')) total += (await stat(p)).size;
    }
    return total;
  };
  return walk(root);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-backup-kill-'));
  storeUrl = await stores.create();
  store = await openStore({ databaseUrl: storeUrl, masterKey, notify: () => undefined });
  await mkdir(join(dir, 'tenants'));
  await writeFile(join(dir, 'platform.yaml'), minimalPlatformYaml({ name: 'kill-test', environment: 'killtest' }));
  await writeFile(join(dir, 'tenants', `${tenant}.yaml`), `apiVersion: rp9.io/v1\nkind: Tenant\nmetadata: { name: ${tenant}, email: a@b.com }\nspec: { plan: starter, mode: dedicated, region: us-east, subdomain: ${tenant} }\n`);
  await runSql(admin, `create database ${databaseName(tenant)}`);
  const url = new URL(admin);
  url.pathname = `/${databaseName(tenant)}`;
  // Random payload (hard to compress) so the dump streams for a while.
  await runSql(url.toString(), `create table execution_entity (id serial primary key, data text);
    insert into execution_entity (data) select (select string_agg(md5(random()::text || g::text || x::text), '') from generate_series(1, 16) x) from generate_series(1, 150000) g`);
}, 300_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await store?.close();
  await stores.dropAll();
  await runSql(admin, `drop database if exists ${databaseName(tenant)} with (force)`);
  await rm(dir, { recursive: true, force: true });
});

describe('kill -9 during rp9 backup create', () => {
  it('leaves no catalogue row, and the operation is adopted and finished by another process', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', entry, 'backup', 'create', tenant, '--skip-n8n', '--dir', dir, '--state-dir', join(dir, '.rp9')], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, USER: 'alice', DATABASE_URL: storeUrl, RP9_MASTER_KEY: masterKey.toString('hex'), RP9_TENANT_DATABASE_URL: admin },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c) => (stderr += String(c)));
    let gone = false;
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => {
      gone = true;
      resolve(code);
    }));

    // Wait (bounded) until the dump is streaming into the object store.
    const backups = join(dir, '.rp9', 'backups');
    let streaming = false;
    for (let i = 0; i < 1200 && !streaming && !gone; i += 1) {
      const [op] = await store.operations.listUnfinished(tenant);
      streaming = op?.steps[op.currentStep]?.name === 'dump-database' && (await partialBytes(backups)) > 0;
      if (!streaming) await new Promise((r) => setTimeout(r, 50));
    }
    expect(streaming, `the dump never started streaming; rp9 said: ${stderr}`).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBeNull();

    const [op] = await store.operations.listUnfinished(tenant);
    expect(op?.status).toBe('running');
    expect(op?.steps.map((s) => s.status)).toEqual(['done', 'running', 'pending', 'pending', 'pending', 'pending']);
    expect(await store.backups.list(tenant)).toEqual([]);

    const objects = fsObjectStore(backups);
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller' });
    const adopted = await engine.pass();
    expect(adopted.map((o) => o.id)).toContain(op?.id);
    const end = await engine.runToEnd(op?.id as string);
    expect(end.status, end.error ?? '').toBe('done');
    const rows = await store.backups.list(tenant);
    expect(rows).toHaveLength(1);
    await expect(verifyBackup(objects, masterKey, rows[0] as NonNullable<(typeof rows)[0]>)).resolves.toMatchObject({ ok: true });
    expect(await partialBytes(backups)).toBe(0);
  }, 300_000);
});
