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
import { backupRuntime } from '../backups/runtime.js';
import { databaseName } from '../compile/names.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import { openStore, type Store } from '../store/index.js';
import { createOperationsTicker } from './operations-loop.js';

const admin = inject('postgresUrl');
const tenant = `ol${randomBytes(3).toString('hex')}`;
let store: Store;
let dir: string;

async function config(schedules: string, extra = ''): Promise<GoodConfig> {
  const encode = (text: string) => new TextEncoder().encode(text);
  const loaded = loadConfig({
    platform: { path: 'platform.yaml', bytes: await readFile(new URL('../../platform.yaml', import.meta.url)) },
    tenants: [{ path: `tenants/${tenant}.yaml`, bytes: encode(`apiVersion: rp9.io/v1\nkind: Tenant\nmetadata: { name: ${tenant}, email: ops@acme.example.com }\nspec: { plan: starter, region: us-east, subdomain: ${tenant}, mode: dedicated, backups: { schedules: ${schedules} }${extra} }\n`) }],
    problems: [],
  });
  if (!loaded.platform) throw new Error(JSON.stringify(loaded.diagnostics));
  return { commit: 'c1', platform: loaded.platform, config: loaded };
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

    expect(await ticker.tick()).toEqual({ advanced: 0, started: [], pruned: [], sandboxesRemoved: [] });
    expect(await store.operations.listUnfinished(tenant)).toEqual([]);

    leader = true;
    // Ticks until the day's backup is done: one start, then one step per tick (bounded).
    const started: string[] = [];
    for (let i = 0; i < 12 && (await store.backups.list(tenant)).length === 0; i += 1) started.push(...(await ticker.tick()).started);
    const kinds = async (ids: string[]) => Promise.all(ids.map(async (id) => (await store.operations.get(id))?.kind));
    expect((await kinds(started)).filter((k) => k === 'backup')).toHaveLength(1);
    const [first] = await store.backups.list(tenant);
    expect(first).toMatchObject({ kind: 'daily', status: 'verified', createdAt: now });
    expect(await metrics.registry.metrics()).toContain(`rp9_backups_total{tenant="${tenant}",type="daily",status="success"} 1`);
    // The quarter's restore drill starts once the tenant has a verified backup, and runs to the end.
    for (let i = 0; i < 12 && (await store.operations.listUnfinished(tenant)).length > 0; i += 1) started.push(...(await ticker.tick()).started);
    expect(await kinds(started)).toEqual(['backup', 'drill']);
    expect((await store.operations.listByKind('drill')).filter((op) => op.tenant === tenant).map((op) => op.status)).toEqual(['done']);
    expect((await ticker.tick()).started).toEqual([]);

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

  it('warns once per tenant and generation about a due promotion this controller cannot run (promotion.not-configured)', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'warn', stream });
    const objects = fsObjectStore(join(dir, 'backups-promo'));
    // The backup runtime's engine knows no promotion kind: no shared n8n configured.
    const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: admin, logger: silentLogger(), runner: 'controller' });
    let good = await config('[]', ', promotion: { window: "2026-12-05T09:00:00Z", ttlMinutes: 10 }');
    const ticker = createOperationsTicker({ intervalMs: 1000, engine, store, objects, config: () => good, isLeader: () => true, logger, now: () => new Date('2026-12-05T10:00:00Z') });
    for (let i = 0; i < 3; i += 1) await ticker.tick();
    await new Promise((resolve) => setImmediate(resolve));
    const warned = () => lines.filter((l) => l.includes('promotion.not-configured'));
    expect(warned()).toHaveLength(1);
    expect(warned()[0]).toContain(tenant);
    // Git changes the tenant (a new generation): one more line, then quiet again.
    good = await config('[]', ', promotion: { window: "2026-12-05T09:30:00Z", ttlMinutes: 10 }');
    for (let i = 0; i < 2; i += 1) await ticker.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warned()).toHaveLength(2);
  });
});
