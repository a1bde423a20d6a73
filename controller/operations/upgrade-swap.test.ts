// The upgrade's swap step on real PostgreSQL databases shaped like n8n's
// (green: 1.123.81's execution tables, blue: 2.41.1's): new work is held (the
// route answers 503 with Retry-After) before anything else; under the hold,
// green's changes since the copy are carried to blue (a recording n8n CLI on
// the two databases), green stops main first, its queue drains (bounded), and
// its executions since the copy are copied into blue; then the route moves.
// An upgrade journaled before the catch-up fails on a changed green, and the
// undo brings the route back to green. The apply ports record their calls.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { queryRows as rows, runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { fakePorts } from '../apply/test-support.js';
import type { DesiredRoute } from '../model.js';
import { silentLogger } from '../../kernel/log/logger.js';
import type { Operation } from '../store/types.js';
import { executionMark, n8nDigest, n8nItemHashes } from '../upgrades/n8n-digest.js';
import { executionsSql, N8N_1_EXECUTION_TABLES, N8N_2_EXECUTION_TABLES } from '../upgrades/fixtures/n8n-execution-schemas.js';
import type { N8nCli } from '../upgrades/item-catch-up.js';
import { databaseExists } from '../upgrades/database-copy.js';
import { OperationError, StepWaiting, type StepContext } from './kind.js';
import { upgradeKind, type UpgradeDeps } from './upgrade.js';

const adminUrl = inject('postgresUrl');
const databases = scratchDatabases(adminUrl, 'rp9_swap');
const blueDatabases: string[] = [];
afterAll(async () => {
  for (const name of blueDatabases) await runSql(adminUrl, `drop database if exists ${name} with (force)`);
  await databases.dropAll();
});


const swap = upgradeKind.steps.find((s) => s.name === 'swap')!;
const watch = upgradeKind.steps.find((s) => s.name === 'watch')!;
const route = (tenant: string, target: DesiredRoute['target'], hash = 'h'): DesiredRoute => ({ kind: 'route', name: tenant, tenant, hosts: [`${tenant}.test`], target, hash });

async function greenDatabase(): Promise<{ tenant: string; url: string }> {
  const url = await databases.create();
  const tenant = new URL(url).pathname.slice(1).replace(/^rp9_/, '').replaceAll('_', '-');
  await runSql(url, `${N8N_1_EXECUTION_TABLES}
    insert into workflow_entity values ('w1', 'hook', true, '[]', '{}');
    insert into migrations (name) values ('m1'), ('m2');`);
  return { tenant, url };
}

/** Blue as the copy and its migrations leave it: green's rows so far in n8n 2.x's schema. */
async function blueDatabase(greenUrl: string, executions: number): Promise<string> {
  const blue = new URL(greenUrl);
  blue.pathname = `${blue.pathname}_blue`;
  blueDatabases.push(blue.pathname.slice(1));
  await runSql(adminUrl, `create database ${blue.pathname.slice(1)}`);
  await runSql(blue.toString(), `${N8N_2_EXECUTION_TABLES}
    insert into workflow_entity values ('w1', 'hook', true, '[]', '{}');
    insert into migrations (name) values ('m1'), ('m2'), ('m3');
    ${executions > 0 ? executionsSql(1, executions) : ''}`);
  return blue.toString();
}

/**
 * n8n's CLI as the swap uses it, on the colours' databases: export reads green's rows, import upserts blue's.
 * `log` also gets each call (the ports' calls, to see the CLI's place around the hold); `afterImport` runs after each import.
 */
function fakeCli(greenUrl: string, blueUrl: string, options: { log?: string[]; afterImport?: () => Promise<void> } = {}) {
  const { afterImport } = options;
  const calls: string[] = [];
  const record = (call: string) => {
    calls.push(call);
    options.log?.push(call);
  };
  const cli: N8nCli = {
    async exportItems(container, what) {
      record(`export ${what} ${container}`);
      const table = what === 'workflows' ? 'workflow_entity' : 'credentials_entity';
      return (await rows(greenUrl, `select * from ${table} order by id`)) as Record<string, unknown>[];
    },
    async importItems(container, what, items, options) {
      record(`import ${what} ${container} ${items.map((i) => String(i.id)).join(',')}${options?.activeState ? ` ${options.activeState}` : ''}`);
      const table = what === 'workflows' ? 'workflow_entity' : 'credentials_entity';
      for (const item of items) {
        const columns = Object.keys(item);
        await runSql(blueUrl, `insert into ${table} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')}) on conflict (id) do update set ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`, columns.map((c) => (typeof item[c] === 'object' && item[c] !== null ? JSON.stringify(item[c]) : item[c])));
      }
      await afterImport?.();
    },
  };
  return { cli, calls };
}


function harness(tenant: string, cli?: N8nCli) {
  const ports = fakePorts();
  ports.stopContainer = async (name, timeoutSeconds) => void ports.calls.push(`${name}: stopContainer ${timeoutSeconds}s`);
  const routes: string[] = [];
  // The route file as the fake holds it: which route, written when.
  const file: { route?: DesiredRoute; at?: Date } = {};
  ports.writeRoute = async (r) => {
    ports.calls.push(`writeRoute ${r.target.type}${r.target.type === 'dedicated' ? ` ${r.target.url}` : ''}`);
    routes.push(r.target.type);
    Object.assign(file, { route: r, at: new Date() });
  };
  ports.routedSince = async (r) => (file.route?.hash === r.hash && JSON.stringify(file.route.target) === JSON.stringify(r.target) ? file.at : undefined);
  const colourRoute = (colour: 'green' | 'blue') => route(tenant, { type: 'dedicated', url: `http://rp9-${tenant}${colour === 'blue' ? '-blue' : ''}-main:5678` });
  const deps = {
    stack: (_t: string, colour: 'green' | 'blue') => ({ database: { kind: 'database', name: '', tenant, database: '', role: '', hash: '' }, containers: [], route: colourRoute(colour) }),
    ports: () => ports,
    adminUrl,
    heldRoute: () => route(tenant, { type: 'suspended', url: 'http://rp9-suspended.test:9090' }, 'h-held'),
    unhealthy: async () => undefined,
    ...(cli ? { n8nCli: cli } : {}),
    drainSeconds: () => 1,
    watchSeconds: () => 900,
    errorRatePolicy: () => ({ maxRise: 0.1, minExecutions: 10 }),
    now: () => new Date('2026-12-06T10:10:00Z'),
  } as unknown as UpgradeDeps;
  const ctx = (state: Record<string, unknown>): StepContext<UpgradeDeps> => ({
    operation: { id: 'op', tenant, kind: 'upgrade', state } as unknown as Operation,
    state,
    deps,
    signal: new AbortController().signal,
    log: silentLogger(),
    progress: () => undefined,
  });
  return { ports, routes, ctx, file };
}

/** The harness with a fake CLI whose calls land among the ports' calls. */
function harnessWithCli(tenant: string, greenUrl: string, blueUrl: string, afterImport?: () => Promise<void>) {
  const forward: N8nCli = { exportItems: (...a) => cli.cli.exportItems(...a), importItems: (...a) => cli.cli.importItems(...a) };
  const h = harness(tenant, forward);
  const cli = fakeCli(greenUrl, blueUrl, { log: h.ports.calls, ...(afterImport ? { afterImport } : {}) });
  return { h, cli };
}

describe('upgrade swap', () => {
  it('holds new work, stops green (main within the hold\'s 5 s bound, then workers within a stop timeout above n8n\'s graceful shutdown), copies the executions green wrote since the copy into blue with their ids, then moves the route to blue', async () => {
    const { tenant, url } = await greenDatabase();
    await runSql(url, executionsSql(1, 3));
    // The copy: marks first, then blue made of green's rows so far (n8n 2.x's schema after its migrations).
    const marks = { greenDigest: await n8nDigest(url), greenItems: await n8nItemHashes(url), greenMark: await executionMark(url) };
    const blueUrl = await blueDatabase(url, 3);
    // Green's steady load after the copy.
    await runSql(url, executionsSql(4, 3));
    const h = harness(tenant);
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`], ...marks };

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls).toEqual([
      'writeRoute suspended',
      `rp9-${tenant}-main: stopContainer 5s`,
      `rp9-${tenant}-worker-1: stopContainer 45s`,
      `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`,
    ]);
    expect(marks.greenMark).toBe(3);
    expect(result).toMatchObject({
      swappedAt: expect.any(String),
      holdSeconds: expect.any(Number),
      drain: { unfinished: 0 },
      catchUp: { workflows: 0, credentials: 0, deleted: 0, executions: 3, replacedExecutions: 0, skippedExecutions: 0, seconds: expect.any(Number) },
    });
    expect(await rows(blueUrl, 'select id, status, "storedAt" from execution_entity order by id')).toEqual([1, 2, 3, 4, 5, 6].map((id) => ({ id, status: 'success', storedAt: 'db' })));
    expect(await rows(blueUrl, 'select "executionId", data from execution_data where "executionId" > 3 order by 1')).toEqual([4, 5, 6].map((id) => ({ executionId: id, data: `[{"run":${id}}]` })));
    // Blue's next execution does not collide with a copied one.
    expect(await rows(blueUrl, `select nextval(pg_get_serial_sequence('execution_entity', 'id'))::int as next`)).toEqual([{ next: 7 }]);
  });

  it('carries the workflows and credentials green changed, added or deleted since the copy to blue with n8n\'s CLI instead of failing', async () => {
    const { tenant, url } = await greenDatabase();
    await runSql(url, `insert into workflow_entity values ('w2', 'old', false, '[]', '{}'), ('w3', 'gone', false, '[]', '{}')`);
    const marks = { greenDigest: await n8nDigest(url), greenItems: await n8nItemHashes(url), greenMark: await executionMark(url) };
    const blueUrl = await blueDatabase(url, 0);
    await runSql(blueUrl, `insert into workflow_entity values ('w2', 'old', false, '[]', '{}'), ('w3', 'gone', false, '[]', '{}')`);
    // Between the copy and the swap, on green: w2 edited, w4 added, w3 deleted, a credential added.
    await runSql(url, `update workflow_entity set name = 'edited', nodes = '[{"n":1}]' where id = 'w2';
      insert into workflow_entity values ('w4', 'added', true, '[]', '{}');
      delete from workflow_entity where id = 'w3';
      insert into credentials_entity values ('c1', 'key', 'httpHeaderAuth', 'encrypted')`);
    const { h } = harnessWithCli(tenant, url, blueUrl);
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], blueContainers: [`rp9-${tenant}-blue-main`], ...marks };

    const result = await swap.run(h.ctx(state));

    // Carried before the hold, while green serves; under the hold nothing more had changed: no CLI there.
    expect(h.ports.calls).toEqual([
      `export credentials rp9-${tenant}-main`,
      `export workflows rp9-${tenant}-main`,
      `import credentials rp9-${tenant}-blue-main c1`,
      `import workflows rp9-${tenant}-blue-main w2,w4 fromJson`,
      'writeRoute suspended',
      `rp9-${tenant}-main: stopContainer 5s`,
      `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`,
    ]);
    expect(result).toMatchObject({ preSync: { workflows: 2, credentials: 1, deleted: 1, seconds: expect.any(Number) }, catchUp: { workflows: 0, credentials: 0, deleted: 0, executions: 0 } });
    expect(result).not.toHaveProperty('catchUp.restartedBlueMain');
    expect(result).not.toHaveProperty('preSync.restartedBlueMain');
    const items = 'select id, name, active, nodes::text as nodes from workflow_entity order by id';
    expect(await rows(blueUrl, items)).toEqual(await rows(url, items));
    expect(h.ports.calls.at(-1)).toBe(`writeRoute dedicated http://rp9-${tenant}-blue-main:5678`);
  });

  it('a deleted workflow that was active on blue restarts blue\'s main before the hold (its triggers stay registered until then)', async () => {
    const { tenant, url } = await greenDatabase();
    const marks = { greenDigest: await n8nDigest(url), greenItems: await n8nItemHashes(url), greenMark: await executionMark(url) };
    const blueUrl = await blueDatabase(url, 0);
    await runSql(url, `delete from workflow_entity where id = 'w1'`);
    const h = harness(tenant, fakeCli(url, blueUrl).cli);
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], blueContainers: [`rp9-${tenant}-blue-main`], ...marks };

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls).toEqual([
      `rp9-${tenant}-blue-main: stopContainer 45s`,
      `rp9-${tenant}-blue-main: startContainer`,
      `rp9-${tenant}-blue-main: waitHealthy`,
      'writeRoute suspended',
      `rp9-${tenant}-main: stopContainer 5s`,
      `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`,
    ]);
    expect(result).toMatchObject({ preSync: { workflows: 0, credentials: 0, deleted: 1, restartedBlueMain: true }, catchUp: { workflows: 0, credentials: 0, deleted: 0 } });
    expect(await rows(blueUrl, 'select id from workflow_entity')).toEqual([]);
  });

  it('what green changes while the pre-sync runs is carried under the hold (only that), and so is what a green whose main is down changed', async () => {
    const { tenant, url } = await greenDatabase();
    await runSql(url, `insert into workflow_entity values ('w2', 'old', false, '[]', '{}')`);
    const marks = { greenDigest: await n8nDigest(url), greenItems: await n8nItemHashes(url), greenMark: await executionMark(url) };
    const blueUrl = await blueDatabase(url, 0);
    await runSql(blueUrl, `insert into workflow_entity values ('w2', 'old', false, '[]', '{}')`);
    await runSql(url, `update workflow_entity set name = 'first edit' where id = 'w2'`);
    // A person saves w1 on green while the pre-sync's import runs (after its export).
    let saved = false;
    const { h } = harnessWithCli(tenant, url, blueUrl, async () => {
      if (saved) return;
      saved = true;
      await runSql(url, `update workflow_entity set name = 'saved during the pre-sync' where id = 'w1'`);
    });
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], blueContainers: [`rp9-${tenant}-blue-main`], ...marks };

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls).toEqual([
      `export workflows rp9-${tenant}-main`,
      `import workflows rp9-${tenant}-blue-main w2 fromJson`,
      'writeRoute suspended',
      `export workflows rp9-${tenant}-main`,
      `import workflows rp9-${tenant}-blue-main w1 fromJson`,
      `rp9-${tenant}-main: stopContainer 5s`,
      `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`,
    ]);
    expect(result).toMatchObject({ preSync: { workflows: 1 }, catchUp: { workflows: 1 } });
    const items = 'select id, name from workflow_entity order by id';
    expect(await rows(blueUrl, items)).toEqual(await rows(url, items));

    // Green's main down at the swap (a re-run after a kill under the hold): no pre-sync; the hold carries everything since the copy.
    const { tenant: t2, url: url2 } = await greenDatabase();
    const marks2 = { greenDigest: await n8nDigest(url2), greenItems: await n8nItemHashes(url2), greenMark: await executionMark(url2) };
    const blue2 = await blueDatabase(url2, 0);
    await runSql(url2, `update workflow_entity set name = 'edited' where id = 'w1'`);
    const { h: h2 } = harnessWithCli(t2, url2, blue2);
    let down = true;
    h2.ctx({}).deps.unhealthy = async (names: readonly string[]) => (down && names.includes(`rp9-${t2}-main`) ? 'not running' : undefined);
    h2.ports.startContainer = async (name) => {
      down = false;
      h2.ports.calls.push(`${name}: startContainer`);
    };
    const second = await swap.run(h2.ctx({ fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${t2}-main`], blueContainers: [`rp9-${t2}-blue-main`], ...marks2 }));
    expect(h2.ports.calls[0]).toBe('writeRoute suspended');
    expect(second).not.toHaveProperty('preSync');
    expect(second).toMatchObject({ catchUp: { workflows: 1 } });
  });

  it('the drain is bounded: an execution still running when it ends is journaled and copied as green left it', async () => {
    const { tenant, url } = await greenDatabase();
    const marks = { greenDigest: await n8nDigest(url), greenItems: await n8nItemHashes(url), greenMark: await executionMark(url) };
    const blueUrl = await blueDatabase(url, 0);
    await runSql(url, executionsSql(1, 1, 'running'));
    const h = harness(tenant);

    const result = await swap.run(h.ctx({ fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], ...marks }));

    expect(result).toMatchObject({ drain: { unfinished: 1, seconds: expect.any(Number) }, catchUp: { executions: 1 } });
    expect((result as { drain: { seconds: number } }).drain.seconds).toBeGreaterThanOrEqual(1);
    expect(await rows(blueUrl, 'select id, status from execution_entity')).toEqual([{ id: 1, status: 'running' }]);
  });

  it('the drain does not wait for an editor\'s manual run (it executed on the main the hold killed): copied as green left it', async () => {
    const { tenant, url } = await greenDatabase();
    const marks = { greenDigest: await n8nDigest(url), greenItems: await n8nItemHashes(url), greenMark: await executionMark(url) };
    const blueUrl = await blueDatabase(url, 0);
    await runSql(url, `${executionsSql(1, 1, 'running')} update execution_entity set mode = 'manual' where id = 1`);
    const h = harness(tenant);

    const result = await swap.run(h.ctx({ fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], ...marks }));

    expect(result).toMatchObject({ drain: { unfinished: 0 }, catchUp: { executions: 1 } });
    expect((result as { drain: { seconds: number } }).drain.seconds).toBeLessThan(1);
    expect(await rows(blueUrl, 'select id, status, mode from execution_entity')).toEqual([{ id: 1, status: 'running', mode: 'manual' }]);
  });

  it('re-run after a crash that came after the switch (the route file already on blue): no second hold, no second check; the swap time is the route file\'s', async () => {
    const { tenant, url } = await greenDatabase();
    const h = harness(tenant);
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`, `rp9-${tenant}-worker-1`], greenDigest: await n8nDigest(url) };
    // The killed run: held, checked, switched; killed while green stopped (nothing journaled).
    const switchedAt = new Date('2026-12-06T10:05:00.000Z');
    Object.assign(h.file, { route: h.ctx(state).deps.stack(tenant, 'blue')!.route, at: switchedAt });
    // What green runs since (its own triggers) is no reason to take blue away again: the check passed under the hold.
    await runSql(url, `insert into workflow_entity values ('w2', 'new', false, '[]', '{}')`);

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls).toEqual([
      `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`,
      `rp9-${tenant}-main: stopContainer 45s`,
      `rp9-${tenant}-worker-1: stopContainer 45s`,
    ]);
    expect(h.routes).not.toContain('suspended');
    expect(result).toEqual({ swappedAt: '2026-12-06T10:05:00.000Z', swapResumed: true });
  });

  it('re-run after a crash during the hold (the route file held): holds and catches up again, then switches', async () => {
    const { tenant, url } = await greenDatabase();
    const h = harness(tenant);
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], greenDigest: await n8nDigest(url) };
    Object.assign(h.file, { route: h.ctx(state).deps.heldRoute(tenant), at: new Date('2026-12-06T10:05:00.000Z') });

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls).toEqual(['writeRoute suspended', `rp9-${tenant}-main: stopContainer 5s`, `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`]);
    expect(result).toMatchObject({ swappedAt: '2026-12-06T10:10:00.000Z', holdSeconds: expect.any(Number) });
  });

  it('an upgrade journaled before the catch-up existed (no per-item hashes at its copy): a green changed since fails the swap while held; the undo routes back to green', async () => {
    const { tenant, url } = await greenDatabase();
    const h = harness(tenant);
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], greenDigest: await n8nDigest(url) };
    await runSql(url, `insert into workflow_entity values ('w2', 'new', false, '[]', '{}')`);

    const failure = await swap.run(h.ctx(state)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OperationError);
    expect((failure as OperationError).code).toBe('upgrade.green-changed');
    expect(h.ports.calls).toEqual(['writeRoute suspended']);
    expect(h.routes).toEqual(['suspended']);

    await swap.undo!(h.ctx(state));
    expect(h.ports.calls.slice(1)).toEqual([`rp9-${tenant}-main: startContainer`, `rp9-${tenant}-main: waitHealthy`, `writeRoute dedicated http://rp9-${tenant}-main:5678`]);
  });

  it('a rollback after the swap: green starts, the route returns to it, and what blue wrote since the swap is journaled as lost', async () => {
    const { tenant, url } = await greenDatabase();
    const blue = new URL(url);
    blue.pathname = `${blue.pathname}_blue`;
    blueDatabases.push(blue.pathname.slice(1));
    await runSql(adminUrl, `create database ${blue.pathname.slice(1)} template ${new URL(url).pathname.slice(1)}`);
    const gateDigest = await n8nDigest(blue.toString());
    const swappedAt = '2026-12-06T10:00:00.000Z';
    await runSql(blue.toString(), `insert into execution_entity ("createdAt", status, finished, mode, "workflowId") values ('2026-12-06T09:59:00Z', 'success', true, 'webhook', 'w1'), ($1, 'success', true, 'webhook', 'w1'), ($1, 'error', true, 'webhook', 'w1'), ($1, 'success', true, 'webhook', 'w1')`, ['2026-12-06T10:05:00Z']);
    await runSql(blue.toString(), `update workflow_entity set name = 'edited on blue'`);
    const h = harness(tenant);
    const state = { fromColour: 'green', toColour: 'blue', greenContainers: [`rp9-${tenant}-main`], swappedAt, gate: { blue: gateDigest } };

    const undone = await swap.undo!(h.ctx(state));

    expect(h.ports.calls).toEqual([`rp9-${tenant}-main: startContainer`, `rp9-${tenant}-main: waitHealthy`, `writeRoute dedicated http://rp9-${tenant}-main:5678`]);
    expect(undone).toEqual({ lostOnBlue: { executions: 3, failedExecutions: 1, changes: ['workflow contents differ'] } });
  });

  describe('the watch compares blue\'s error rate since the swap with green\'s before the copy', () => {
    async function blueWith(success: number, failed: number): Promise<string> {
      const { tenant, url } = await greenDatabase();
      const blue = new URL(url);
      blue.pathname = `${blue.pathname}_blue`;
      blueDatabases.push(blue.pathname.slice(1));
      await runSql(adminUrl, `create database ${blue.pathname.slice(1)} template ${new URL(url).pathname.slice(1)}`);
      // Before the swap (not counted), then after it.
      await runSql(blue.toString(), `insert into execution_entity ("createdAt", status, finished, mode, "workflowId") select '2026-12-06T09:00:00Z', 'error', true, 'webhook', 'w1' from generate_series(1, 50)`);
      await runSql(blue.toString(), `insert into execution_entity ("createdAt", status, finished, mode, "workflowId") select '2026-12-06T10:05:00Z', 'success', true, 'webhook', 'w1' from generate_series(1, $1::int)`, [success]);
      await runSql(blue.toString(), `insert into execution_entity ("createdAt", status, finished, mode, "workflowId") select '2026-12-06T10:05:00Z', 'crashed', true, 'webhook', 'w1' from generate_series(1, $1::int)`, [failed]);
      return tenant;
    }
    const state = { fromColour: 'green', toColour: 'blue', blueContainers: [], swappedAt: '2026-12-06T10:00:00.000Z', greenExecutions: { success: 95, failed: 5 } };

    it('a rise past errorRateRise fails the watch (upgrade.error-rate-rose): the engine rolls back to green', async () => {
      const h = harness(await blueWith(30, 10));

      const failure = await watch.run(h.ctx(state)).catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(OperationError);
      expect((failure as OperationError).code).toBe('upgrade.error-rate-rose');
      expect((failure as OperationError).message).toContain("blue's error rate 25.0 % (10 of 40 failed) is more than 10.0 % above green's 5.0 % before the copy");
    });

    it('a steady rate keeps watching, and the verdict is journaled when the watch passes', async () => {
      const tenant = await blueWith(38, 2);
      const h = harness(tenant);

      const waiting = await watch.run(h.ctx(state)).catch((e: unknown) => e);
      const passed = await watch.run({ ...h.ctx(state), deps: { ...h.ctx(state).deps, watchSeconds: () => 60 } });

      expect(waiting).toBeInstanceOf(StepWaiting);
      expect((waiting as StepWaiting).reason).toContain('watching blue: 600 of 900 s; blue\'s error rate 5.0 %');
      expect(passed).toMatchObject({ watchedSeconds: 600, errorRate: { verdict: 'steady', blueRate: 0.05, greenRate: 0.05 } });
    });
  });

  describe('keepGreenHours', () => {
    const cleanup = upgradeKind.steps.find((s) => s.name === 'cleanup')!;

    it('the watch journals how long green is kept; cleanup waits until then, then removes green\'s containers and database', async () => {
      const { tenant, url } = await greenDatabase();
      const h = harness(tenant);
      const deps = { ...h.ctx({}).deps, keepGreenSeconds: () => 7200, errorRatePolicy: undefined };
      const state = { fromColour: 'green', toColour: 'blue', blueContainers: [], greenContainers: [`rp9-${tenant}-main`], swappedAt: '2026-12-06T09:00:00.000Z' };

      const watched = await watch.run({ ...h.ctx(state), deps });
      const kept = { ...state, ...watched };
      const early = await cleanup.run({ ...h.ctx(kept), deps }).catch((e: unknown) => e);
      const callsWhileKept = [...h.ports.calls];
      const late = await cleanup.run({ ...h.ctx(kept), deps: { ...deps, now: () => new Date('2026-12-06T12:10:00Z') } });

      expect(watched).toMatchObject({ keepGreenSeconds: 7200, greenKeptUntil: '2026-12-06T12:10:00.000Z' });
      expect(upgradeKind.deadlineExtensionSeconds?.({ state: kept } as unknown as Operation)).toBe(7200);
      expect(early).toBeInstanceOf(StepWaiting);
      expect((early as StepWaiting).reason).toBe('green kept until 2026-12-06T12:10:00.000Z (policies.upgrades.keepGreenHours)');
      expect(callsWhileKept).toEqual([]);
      expect(late).toMatchObject({ cleanupErrors: [] });
      expect(h.ports.calls).toEqual([`rp9-${tenant}-main: removeContainer`]);
      expect(await databaseExists(adminUrl, new URL(url).pathname.slice(1))).toBe(false);
    });
  });
});
