import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { fsObjectStore } from '../../edges/object-store/index.js';
import { PassThrough } from 'node:stream';
import { createLogger, silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { runSql } from '../../test/harness/scratch-databases.js';
import { backupInput } from '../backups/naming.js';
import { backupRuntime } from '../backups/runtime.js';
import { bindKind, StepWaiting, type OperationKind } from '../operations/kind.js';
import { databaseName } from '../compile/names.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import { openStore, type Store } from '../store/index.js';
import { createOperationEngine } from '../operations/engine.js';
import type { Operation } from '../store/types.js';
import { createOperationsTicker, MAX_BACK_TO_BACK, nextPassDelay, operationMoved, startOperationsLoop } from './operations-loop.js';

const admin = inject('postgresUrl');
const tenant = `ol${randomBytes(3).toString('hex')}`;
let store: Store;
let dir: string;

async function config(schedules: string, more: string[] = [], extra = ''): Promise<GoodConfig> {
  const encode = (text: string) => new TextEncoder().encode(text);
  const loaded = loadConfig({
    platform: { path: 'platform.yaml', bytes: await readFile(new URL('../../platform.yaml', import.meta.url)) },
    tenants: [tenant, ...more].map((name) => ({ path: `tenants/${name}.yaml`, bytes: encode(`apiVersion: rp9.io/v1\nkind: Tenant\nmetadata: { name: ${name}, email: ops@acme.example.com }\nspec: { plan: starter, region: us-east, subdomain: ${name}, mode: dedicated, backups: { schedules: ${schedules} }${name === tenant ? extra : ''} }\n`) })),
    problems: [],
  });
  if (!loaded.platform) throw new Error(JSON.stringify(loaded.diagnostics));
  return { commit: 'c1', platform: loaded.platform, config: loaded };
}

/** A logger at `level` whose JSON lines are collected in `lines`. */
function capturedLogger(level: 'warn' | 'info'): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return { lines, logger: createLogger({ level, stream }) };
}

beforeAll(async () => {
  store = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
  dir = await mkdtemp(join(tmpdir(), 'rp9-ops-loop-'));
  await runSql(admin, `create database ${databaseName(tenant)}`);
  const url = new URL(admin);
  url.pathname = `/${databaseName(tenant)}`;
  await runSql(url.toString(), "create table workflow_entity (id text primary key); insert into workflow_entity values ('w1')");
});
afterAll(async () => {
  await store?.close();
  await runSql(admin, `drop database if exists ${databaseName(tenant)} with (force)`);
  await runSql(admin, `drop database if exists ${databaseName(tenant)}_drill with (force)`);
  await rm(dir, { recursive: true, force: true });
});

describe('operations loop', () => {
  it('runs due scheduled backups to the end on the leader, catches a missed slot up once, and prunes by retention', async () => {
    const objects = fsObjectStore(join(dir, 'backups'));
    const metrics = createMetrics({ defaultMetrics: false });
    let now = new Date('2026-12-05T10:00:00Z');
    let leader = false;
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller', metrics });
    const good = await config('[daily]');
    const ticker = createOperationsTicker({ intervalMs: 1000, engine, store, objects, config: () => good, isLeader: () => leader, logger: silentLogger(), now: () => now });

    expect(await ticker.tick()).toEqual({ advanced: 0, moved: 0, started: [], pruned: [], sandboxesRemoved: [] });
    expect(await store.operations.listUnfinished(tenant)).toEqual([]);

    leader = true;
    // The dedicated stack was never applied (no appliedCommit: its first pass may still be migrating): no backup yet.
    for (let i = 0; i < 3; i += 1) expect((await ticker.tick()).started).toEqual([]);
    expect(await store.operations.list(tenant)).toEqual([]);
    await store.status.update(tenant, { phase: 'active', appliedCommit: 'c1' });
    // Ticks until the day's backup is done: one start, then one step per tick (bounded).
    const started: string[] = [];
    for (let i = 0; i < 12 && (await store.backups.list(tenant)).length === 0; i += 1) started.push(...(await ticker.tick()).started);
    const kinds = async (ids: string[]) => Promise.all(ids.map(async (id) => (await store.operations.get(id))?.kind));
    expect((await kinds(started)).filter((k) => k === 'backup')).toHaveLength(1);
    const [first] = await store.backups.list(tenant);
    expect(first).toMatchObject({ kind: 'daily', status: 'verified', createdAt: now });
    expect(await metrics.registry.metrics()).toContain(`rp9_backups_total{tenant="${tenant}",type="daily",status="success"} 1`);
    // This engine has no sandbox edges (no drill kind): the quarter's drill is not started, and the pass goes on.
    for (let i = 0; i < 3; i += 1) started.push(...(await ticker.tick()).started);
    expect(await kinds(started)).toEqual(['backup']);
    expect(await store.operations.listByKind('drill')).toEqual([]);

    // Nine days with no leader: one catch-up backup, not nine.
    now = new Date('2026-12-14T10:00:00Z');
    const later: string[] = [];
    for (let i = 0; i < 12; i += 1) later.push(...(await ticker.tick()).started);
    expect(await kinds(later)).toEqual(['backup']);
    expect((await store.backups.list(tenant)).map((b) => b.createdAt.toISOString())).toEqual(['2026-12-14T10:00:00.000Z', '2026-12-05T10:00:00.000Z']);

    // Retention keeps 7 dailies: add old ones so the oldest fall out; the newest verified one is never pruned.
    for (let day = 15; day <= 21; day += 1) {
      now = new Date(`2026-12-${day}T03:00:00Z`);
      for (let i = 0; i < 12; i += 1) await ticker.tick();
    }
    const kept = await store.backups.list(tenant);
    expect(kept).toHaveLength(7);
    expect(kept.map((b) => b.createdAt.toISOString().slice(0, 10))).not.toContain('2026-12-05');
    expect(await objects.list(`tenants/${tenant}/backups/20261205T100000Z-daily/`)).toEqual([]);
    expect((await objects.list(`tenants/${tenant}/backups/`)).filter((k) => k.endsWith('manifest.json'))).toHaveLength(7);
  }, 180_000);

  it('starts one restore drill at a time on the platform: the next due tenant waits until the running drill ends', async () => {
    const objects = fsObjectStore(join(dir, 'backups'));
    const other = `${tenant}b`;
    // The real clock: the engine stamps a drill's start with it, and a drill started since the quarter's slot is not due again.
    const now = new Date();
    // The drill kind here only holds the drill open until released: what is under test is the loop's scheduling.
    let release = false;
    const holding: OperationKind<undefined> = { name: 'drill', deadlineSeconds: 3600, steps: [{ name: 'hold', timeoutSeconds: 60, async run() { if (!release) throw new StepWaiting('held by the test'); } }] };
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller', extraKinds: { drill: bindKind(holding, undefined) } });
    const good = await config('[]', [other]);
    for (const name of [tenant, other]) {
      if ((await store.backups.list(name)).some((b) => b.status === 'verified')) continue;
      const input = backupInput(name, 'manual', new Date('2027-01-01T00:00:00Z'), { mode: 'dedicated', n8nVersion: '2.41.1' });
      await runSql(admin, `create database ${databaseName(name)}`).catch(() => undefined);
      expect((await engine.runToEnd((await engine.start('backup', name, { ...input })).id)).status).toBe('done');
    }
    const ticker = createOperationsTicker({ intervalMs: 1000, engine, store, objects, config: () => good, isLeader: () => true, logger: silentLogger(), now: () => now });
    const first = (await ticker.tick()).started;
    expect(first).toHaveLength(1);
    expect((await ticker.tick()).started).toEqual([]);
    expect((await store.operations.listUnfinished()).filter((op) => op.kind === 'drill')).toHaveLength(1);
    release = true;
    // One pass: the held drill finishes, then the other tenant's starts.
    const second = (await ticker.tick()).started;
    expect(second).toHaveLength(1);
    expect(new Set([...(await Promise.all([...first, ...second].map(async (id) => (await store.operations.get(id))?.tenant)))])).toEqual(new Set([tenant, other]));
    await runSql(admin, `drop database if exists ${databaseName(other)} with (force)`);
  }, 120_000);
  it('runs the rest of the pass when the Docker engine cannot be listed for demotions (warned once), and exports when a first daily backup is expected', async () => {
    const own = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
    try {
      const { lines, logger } = capturedLogger('warn');
      const objects = fsObjectStore(join(dir, 'backups-no-docker'));
      const metrics = createMetrics({ defaultMetrics: false });
      const { engine } = backupRuntime({ store: own, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller' });
      const good = await config('[daily]');
      const now = new Date('2026-12-05T10:00:00Z');
      const ticker = createOperationsTicker({
        intervalMs: 1000, engine, store: own, objects, config: () => good, isLeader: () => true, logger, metrics, now: () => now,
        dedicatedStacks: async () => {
          throw new Error('connect ENOENT /var/run/docker.sock');
        },
      });
      await own.status.update(tenant, { phase: 'active', appliedCommit: 'c1' });

      const first = await ticker.tick();
      expect(await Promise.all(first.started.map(async (id) => (await own.operations.get(id))?.kind))).toEqual(['backup']);
      // No success yet: BackupMissed counts from now (the first sight of the schedule).
      expect(await metrics.registry.metrics()).toContain(`rp9_backup_expected_since_timestamp_seconds{tenant="${tenant}",type="daily"} ${now.getTime() / 1000}`);
      for (let i = 0; i < 12 && (await own.backups.list(tenant)).length === 0; i += 1) await ticker.tick();
      expect(await own.backups.list(tenant)).toHaveLength(1);
      expect(lines.filter((l) => l.includes('demotion.docker-unreachable'))).toHaveLength(1);
    } finally {
      await own.close();
    }
  }, 120_000);

  it("starts no shared tenant's backup this controller cannot take: not configured (warned once, the expected gauge still counts), or before the members pass made its user", async () => {
    const own = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
    try {
      const { lines, logger } = capturedLogger('warn');
      const objects = fsObjectStore(join(dir, 'backups-shared'));
      const metrics = createMetrics({ defaultMetrics: false });
      const { engine } = backupRuntime({ store: own, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller' });
      const name = `${tenant}s`;
      const loaded = loadConfig({
        platform: { path: 'platform.yaml', bytes: await readFile(new URL('../../platform.yaml', import.meta.url)) },
        tenants: [{ path: `tenants/${name}.yaml`, bytes: new TextEncoder().encode(`apiVersion: rp9.io/v1\nkind: Tenant\nmetadata: { name: ${name}, email: ops@acme.example.com }\nspec: { plan: starter, region: us-east, subdomain: ${name}, mode: shared, backups: { schedules: [daily] } }\n`) }],
        problems: [],
      });
      if (!loaded.platform) throw new Error(JSON.stringify(loaded.diagnostics));
      const good: GoodConfig = { commit: 'c1', platform: loaded.platform, config: loaded };
      const now = new Date('2026-12-05T10:00:00Z');
      const ticker = (sharedBackups: { exportable: boolean; membersManaged: boolean }) =>
        createOperationsTicker({ intervalMs: 1000, engine, store: own, objects, config: () => good, isLeader: () => true, logger, metrics, now: () => now, sharedBackups });
      const warned = () => lines.filter((l) => l.includes('backup.not-configured'));

      // Embedded defaults: no shared n8n container or database. Nothing starts; one warning, however many passes.
      const bare = ticker({ exportable: false, membersManaged: false });
      for (let i = 0; i < 3; i += 1) expect((await bare.tick()).started).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(await own.operations.list(name)).toEqual([]);
      expect(warned()).toHaveLength(1);
      expect(warned()[0]).toContain(name);
      expect(warned()[0]).toContain('RP9_SHARED_N8N_CONTAINER');
      // BackupMissed still counts: the schedule is expected since the first sight of it.
      expect(await metrics.registry.metrics()).toContain(`rp9_backup_expected_since_timestamp_seconds{tenant="${name}",type="daily"} ${now.getTime() / 1000}`);

      // Configured, with members managed by rp9: the backup waits for the tenant's user, then starts.
      const managed = ticker({ exportable: true, membersManaged: true });
      for (let i = 0; i < 2; i += 1) expect((await managed.tick()).started).toEqual([]);
      await own.sharedMembers.upsert(name, { email: 'ops@acme.example.com', userId: 'u1', projectId: 'p1' });
      const started = (await managed.tick()).started;
      expect(await Promise.all(started.map(async (id) => (await own.operations.get(id))?.kind))).toEqual(['backup']);
      expect(warned()).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('warns once per tenant and generation about a due promotion this controller cannot run (promotion.not-configured)', async () => {
    const { lines, logger } = capturedLogger('warn');
    const objects = fsObjectStore(join(dir, 'backups-promo'));
    // The backup runtime's engine knows no promotion kind: no shared n8n configured.
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller' });
    let good = await config('[]', [], ', promotion: { window: "2026-12-05T09:00:00Z", ttlMinutes: 10 }');
    const ticker = createOperationsTicker({ intervalMs: 1000, engine, store, objects, config: () => good, isLeader: () => true, logger, now: () => new Date('2026-12-05T10:00:00Z') });
    for (let i = 0; i < 3; i += 1) await ticker.tick();
    await new Promise((resolve) => setImmediate(resolve));
    const warned = () => lines.filter((l) => l.includes('promotion.not-configured'));
    expect(warned()).toHaveLength(1);
    expect(warned()[0]).toContain(tenant);
    // Git changes the tenant (a new generation): one more line, then quiet again.
    good = await config('[]', [], ', promotion: { window: "2026-12-05T09:30:00Z", ttlMinutes: 10 }');
    for (let i = 0; i < 2; i += 1) await ticker.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warned()).toHaveLength(2);
  });

  it('steps no operation before the first config is loaded (a fresh leader after a crash), then resumes it; says so once (operations.no-config-yet)', async () => {
    const { lines, logger } = capturedLogger('info');
    const objects = fsObjectStore(join(dir, 'backups-no-config'));
    // A kind whose step reads the config, as the promotion's do: run before one is loaded, it would fail and roll back.
    let good: GoodConfig | undefined;
    const runs: string[] = [];
    const readsConfig: OperationKind<undefined> = { name: 'reads-config', deadlineSeconds: 3600, steps: [{ name: 'read', timeoutSeconds: 60, async run() { if (!good) throw new Error('no config loaded yet'); runs.push(good.commit); } }] };
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller', extraKinds: { 'reads-config': bindKind(readsConfig, undefined) } });
    // Journaled by the process that died: the step is running.
    const op = await engine.start('reads-config', `${tenant}n`);
    const ticker = createOperationsTicker({ intervalMs: 1000, engine, store, objects, config: () => good, isLeader: () => true, logger, now: () => new Date('2026-12-05T10:00:00Z') });

    for (let i = 0; i < 3; i += 1) expect(await ticker.tick()).toEqual({ advanced: 0, moved: 0, started: [], pruned: [], sandboxesRemoved: [] });
    expect((await store.operations.get(op.id))?.steps.map((s) => [s.name, s.status])).toEqual([['read', 'running']]);
    expect(runs).toEqual([]);

    good = await config('[]');
    await ticker.tick();
    expect((await store.operations.get(op.id))?.status).toBe('done');
    expect(runs).toEqual(['c1']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter((l) => l.includes('operations.no-config-yet'))).toHaveLength(1);
  });

  it('counts as moved only the operations whose journal a pass changed (a waiting step does not), and runs their steps back to back without the interval', async () => {
    const own = await openStore({ memory: true, masterKey: randomBytes(32), notify: () => undefined });
    try {
      const loaded = await config('[]');
      let release = false;
      const ran: string[] = [];
      const relay: OperationKind<undefined> = {
        name: 'relay',
        deadlineSeconds: 3600,
        steps: [
          { name: 'one', timeoutSeconds: 60, async run() { ran.push('one'); } },
          { name: 'wait', timeoutSeconds: 60, async run() { if (!release) throw new StepWaiting('held by the test'); ran.push('wait'); } },
          { name: 'three', timeoutSeconds: 60, async run() { ran.push('three'); } },
          { name: 'four', timeoutSeconds: 60, async run() { ran.push('four'); } },
        ],
      };
      const engine = createOperationEngine({ operations: own.operations, kinds: { relay: bindKind(relay, undefined) }, logger: silentLogger(), runner: 'controller' });
      const objects = fsObjectStore(join(dir, 'backups-relay'));
      const ticker = createOperationsTicker({ intervalMs: 1000, engine, store: own, objects, config: () => loaded, isLeader: () => true, logger: silentLogger() });
      const op = await engine.start('relay', tenant, {});
      expect(await ticker.tick()).toMatchObject({ advanced: 1, moved: 1 });
      // Held: stepped, but its journal is as it was.
      expect(await ticker.tick()).toMatchObject({ advanced: 1, moved: 0 });
      expect(await ticker.tick()).toMatchObject({ advanced: 1, moved: 0 });
      release = true;

      // The loop, with an interval far longer than the test waits: the three steps left run back to back.
      const stop = startOperationsLoop({ intervalMs: 3_600_000, engine, store: own, objects, config: () => loaded, isLeader: () => true, logger: silentLogger() });
      try {
        const deadline = Date.now() + 30_000;
        while ((await own.operations.get(op.id))?.finishedAt === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await stop();
      }
      const done = await own.operations.get(op.id);
      expect(done?.status).toBe('done');
      expect(ran).toEqual(['one', 'wait', 'three', 'four']);
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe('operationMoved and nextPassDelay', () => {
  const at = new Date('2026-12-06T10:00:00Z');
  function op(currentStep: number, statuses: Operation['steps'][number]['status'][], extra: Partial<Operation> = {}): Operation {
    return {
      id: 'op1', tenant: 't', kind: 'relay', status: 'running', currentStep, state: {}, error: null, startedAt: at, updatedAt: at, finishedAt: null,
      steps: statuses.map((status, i) => ({ name: `s${i}`, status, startedAt: null, finishedAt: null, error: null })),
      ...extra,
    } as Operation;
  }
  it.each([
    ['not seen before the pass', undefined, op(0, ['running', 'pending']), true],
    ['a step done', op(0, ['running', 'pending']), op(1, ['done', 'running']), true],
    ['a step failed', op(0, ['running', 'pending']), op(0, ['failed', 'pending'], { status: 'failed' }), true],
    ['a step undone', op(1, ['done', 'failed'], { status: 'failed' }), op(1, ['done', 'rolled-back'], { status: 'failed' }), true],
    ['finished', op(1, ['done', 'running']), op(2, ['done', 'done'], { status: 'done', finishedAt: at }), true],
    ['waiting (StepWaiting)', op(1, ['done', 'running']), op(1, ['done', 'running']), false],
  ] as const)('%s', (_what, before, after, moved) => {
    expect(operationMoved(before, after)).toBe(moved);
  });

  it.each([
    ['a pass that moved an operation', { moved: 1, started: [] }, 0, 0],
    ['a pass that started one', { moved: 0, started: ['op2'] }, 3, 0],
    ['a pass where nothing moved', { moved: 0, started: [] }, 0, 30_000],
    ['a failed pass', undefined, 0, 30_000],
    ['too many passes in a row', { moved: 1, started: [] }, MAX_BACK_TO_BACK, 30_000],
  ] as const)('%s', (_what, result, backToBack, delay) => {
    expect(nextPassDelay(result === undefined ? undefined : { moved: result.moved, started: [...result.started] }, backToBack, 30_000)).toBe(delay);
  });
});
