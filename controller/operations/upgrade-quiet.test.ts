// Blue kept quiet until the swap, on real PostgreSQL databases shaped like
// n8n's (workflow_entity with versionId and activeVersionId as n8n 1.123 and
// 2.x have them, workflow_history, webhook_entity, the execution tables):
// copy-database's quieting marks inactive only the copy's active workflows
// that fire by themselves (judged by the active version's nodes too) and
// leaves webhook-only ones active; the gate reads the quieted ones as active
// and fails when one fires on blue; the swap holds, catches up (a changed
// self-firing workflow goes in inactive), stops green, moves the route and
// only then activates on blue what green had active at its stop (the CLI edge
// is a fake that writes the databases as n8n's export and import do); a
// re-run activates only what is left; an activation n8n did not make fails
// the swap, and its undo stops blue's main before green starts again.
// The real import on real n8n: test/e2e/controller-n8n-upgrade.test.ts.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { queryRows as rows, runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { fakePorts } from '../apply/test-support.js';
import type { DesiredContainer, DesiredRoute } from '../model.js';
import { silentLogger } from '../../kernel/log/logger.js';
import type { Operation } from '../store/types.js';
import { N8N_1_EXECUTION_TABLES } from '../upgrades/fixtures/n8n-execution-schemas.js';
import { quietSet } from '../upgrades/blue-quiet-plan.js';
import { activeWorkflowIds, activeWorkflows, deactivateWorkflows } from '../upgrades/blue-quiet.js';
import type { N8nCli } from '../upgrades/item-catch-up.js';
import { n8nDigest, n8nItemHashes } from '../upgrades/n8n-digest.js';
import { OperationError, type StepContext } from './kind.js';
import { upgradeKind, type UpgradeDeps } from './upgrade.js';

const adminUrl = inject('postgresUrl');
const databases = scratchDatabases(adminUrl, 'rp9_quiet');
const blueDatabases: string[] = [];
afterAll(async () => {
  for (const name of blueDatabases) await runSql(adminUrl, `drop database if exists ${name} with (force)`);
  await databases.dropAll();
});

const gate = upgradeKind.steps.find((s) => s.name === 'gate')!;
const swap = upgradeKind.steps.find((s) => s.name === 'swap')!;

const WEBHOOK = `[{"name":"Webhook","type":"n8n-nodes-base.webhook"}]`;
const SCHEDULE = `[{"name":"Schedule","type":"n8n-nodes-base.scheduleTrigger"}]`;

// w1 a webhook (active), w2 a schedule (inactive), w3 a schedule (active), w4 active with a webhook-only draft whose
// active version (workflow_history) holds a schedule (a 2.x draft not yet published).
const N8N_TABLES = `${N8N_1_EXECUTION_TABLES}
  alter table workflow_entity add column "versionId" text, add column "activeVersionId" text, add column "staticData" json;
  create table workflow_history ("versionId" text primary key, "workflowId" text, nodes json not null, connections json not null default '{}');
  create table webhook_entity ("webhookPath" text, method text, "workflowId" text, node text, primary key ("webhookPath", method));
  insert into workflow_entity (id, name, active, nodes, "versionId", "activeVersionId") values
    ('w1', 'hook', true, '${WEBHOOK}', 'v1', 'v1'), ('w2', 'off', false, '${SCHEDULE}', 'v2', null),
    ('w3', 'tick', true, '${SCHEDULE}', 'v3', 'v3'), ('w4', 'edited', true, '${WEBHOOK}', 'v4b', 'v4a');
  insert into workflow_history values ('v1', 'w1', '${WEBHOOK}'), ('v3', 'w3', '${SCHEDULE}'), ('v4a', 'w4', '${SCHEDULE}'), ('v4b', 'w4', '${WEBHOOK}');
  insert into webhook_entity values ('hook', 'GET', 'w1', 'Webhook'), ('w4hook', 'GET', 'w4', 'Webhook');
  insert into credentials_entity values ('c1', 'key', 'httpHeaderAuth', 'enc');
  insert into migrations (name) values ('m1'), ('m2');`;

/** Green's database and blue's (`<green>_blue`, a template copy: the same rows). */
async function colours(): Promise<{ tenant: string; greenUrl: string; blueUrl: string }> {
  const greenUrl = await databases.create();
  const green = new URL(greenUrl).pathname.slice(1);
  await runSql(greenUrl, N8N_TABLES);
  await runSql(adminUrl, `create database ${green}_blue template ${green}`);
  blueDatabases.push(`${green}_blue`);
  const blueUrl = new URL(adminUrl);
  blueUrl.pathname = `/${green}_blue`;
  return { tenant: green.replace(/^rp9_/, '').replaceAll('_', '-'), greenUrl, blueUrl: blueUrl.toString() };
}

/** Blue quieted as copy-database does it; returns the journaled `quiet`. */
async function quieten(blueUrl: string) {
  const quiet = quietSet(await activeWorkflows(blueUrl));
  await deactivateWorkflows(blueUrl, quiet.quiet);
  return quiet;
}

const container = (name: string) => ({ kind: 'container', name, env: { N8N_PORT: '15678' } }) as unknown as DesiredContainer;
const route = (tenant: string, target: DesiredRoute['target'], hash = 'h'): DesiredRoute => ({ kind: 'route', name: tenant, tenant, hosts: [`${tenant}.test`], target, hash });

/**
 * n8n's CLI on the colours' databases: export reads a main's rows; import upserts them with a new version (a
 * workflow_history row of the JSON's nodes), active on that version as the JSON says (--activeState=fromJson).
 */
function fakeCli(urls: Record<string, string>, calls: string[], options: { activates?: boolean } = {}): N8nCli {
  return {
    async exportItems(main, what) {
      calls.push(`${main}: export ${what}`);
      if (what === 'credentials') return [];
      return (await rows(urls[main]!, 'select id, name, active, nodes, connections, "versionId", "staticData" from workflow_entity order by id')) as Record<string, unknown>[];
    },
    async importItems(main, what, items, opts) {
      calls.push(`${main}: import ${what} ${items.map((w) => `${String(w.id)}${w.active === true ? '+' : '-'}`).join(',')}${opts?.activeState ? ` ${opts.activeState}` : ''}`);
      for (const w of items) {
        const active = opts?.activeState === 'fromJson' && w.active === true && options.activates !== false;
        const version = `${String(w.id)}-imported-${calls.length}`;
        await runSql(urls[main]!, `insert into workflow_history values ($1, $2, $3, $4)`, [version, w.id, JSON.stringify(w.nodes), JSON.stringify(w.connections ?? {})]);
        await runSql(urls[main]!, `insert into workflow_entity (id, name, active, nodes, connections, "versionId", "activeVersionId", "staticData") values ($1, $2, $3, $4, $5, $6, case when $3 then $6 end, $7)
          on conflict (id) do update set name = excluded.name, active = excluded.active, nodes = excluded.nodes, connections = excluded.connections, "versionId" = excluded."versionId", "activeVersionId" = excluded."activeVersionId", "staticData" = excluded."staticData"`,
        [w.id, w.name, active, JSON.stringify(w.nodes), JSON.stringify(w.connections ?? {}), version, w.staticData === undefined ? null : JSON.stringify(w.staticData)]);
      }
    },
  };
}

function harness(tenant: string, urls: { greenUrl: string; blueUrl: string }, options: { activates?: boolean } = {}) {
  const ports = fakePorts();
  ports.stopContainer = async (name) => void ports.calls.push(`${name}: stopContainer`);
  const file: { route?: DesiredRoute; at?: Date } = {};
  ports.writeRoute = async (r) => {
    ports.calls.push(`writeRoute ${r.target.type}${r.target.type === 'dedicated' ? ` ${r.target.url}` : ''}`);
    Object.assign(file, { route: r, at: new Date() });
  };
  ports.routedSince = async (r) => (file.route?.hash === r.hash && JSON.stringify(file.route.target) === JSON.stringify(r.target) ? file.at : undefined);
  const colourRoute = (colour: 'green' | 'blue') => route(tenant, { type: 'dedicated', url: `http://rp9-${tenant}${colour === 'blue' ? '-blue' : ''}-main:5678` });
  const cli = fakeCli({ [`rp9-${tenant}-main`]: urls.greenUrl, [`rp9-${tenant}-blue-main`]: urls.blueUrl }, ports.calls, options);
  const deps = {
    stack: (_t: string, colour: 'green' | 'blue') => ({
      database: { kind: 'database' },
      containers: colour === 'blue' ? [container(`rp9-${tenant}-blue-main`), container(`rp9-${tenant}-blue-worker-1`)] : [container(`rp9-${tenant}-main`)],
      route: colourRoute(colour),
    }),
    ports: () => ports,
    adminUrl,
    heldRoute: () => route(tenant, { type: 'suspended', url: 'http://rp9-suspended.test:9090' }, 'h-held'),
    unhealthy: async () => undefined,
    smoke: async () => ({ ok: true, detail: 'not here' }),
    n8nCli: cli,
    drainSeconds: () => 1,
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
  return { ports, ctx, file };
}

describe('quieting the copy', () => {
  it('marks inactive only the active workflows that fire by themselves (the active version\'s nodes count), as n8n does; webhook-only ones stay active', async () => {
    const { blueUrl } = await colours();

    const quiet = await quieten(blueUrl);

    expect(quiet).toEqual({ mode: 'quiet', active: ['w1', 'w3', 'w4'], quiet: ['w3', 'w4'], published: { w4: 'v4a' } });
    expect(await rows(blueUrl, 'select id, active, "activeVersionId" from workflow_entity order by id')).toEqual([
      { id: 'w1', active: true, activeVersionId: 'v1' },
      { id: 'w2', active: false, activeVersionId: null },
      { id: 'w3', active: false, activeVersionId: null },
      { id: 'w4', active: false, activeVersionId: null },
    ]);
    expect(await rows(blueUrl, 'select "workflowId" from webhook_entity')).toEqual([{ workflowId: 'w1' }]);
    // A second quieting (a resumed copy-database works on a fresh copy; here on the same one) finds nothing more.
    expect(await quieten(blueUrl)).toEqual({ mode: 'quiet', active: ['w1'], quiet: [] });
  });

  it('takes an older schema without activeVersionId, workflow_history or webhook_entity', async () => {
    const url = await databases.create();
    await runSql(url, `create table workflow_entity (id text primary key, name text, active boolean, nodes json, connections json);
      insert into workflow_entity values ('a', 'tick', true, '${SCHEDULE}', '{}'), ('b', 'hook', true, '${WEBHOOK}', '{}'), ('c', 'off', false, '${SCHEDULE}', '{}');`);
    expect(await quieten(url)).toEqual({ mode: 'quiet', active: ['a', 'b'], quiet: ['a'] });
    expect(await activeWorkflowIds(url)).toEqual(['b']);
  });
});

describe('the gate with a quiet blue', () => {
  const state = (quiet: unknown) => ({ fromColour: 'green', toColour: 'blue', toVersion: '2.41.1', quiet });

  it('passes: the quieted workflows read as active, blue holds what green holds', async () => {
    const { tenant, greenUrl, blueUrl } = await colours();
    const quiet = await quieten(blueUrl);

    const result = await gate.run(harness(tenant, { greenUrl, blueUrl }).ctx(state(quiet)));

    expect(result).toMatchObject({ gate: { quiet: 2 } });
    expect(await n8nDigest(blueUrl, { activeAs: quiet.quiet })).toEqual(await n8nDigest(greenUrl));
    expect(await n8nDigest(blueUrl)).not.toEqual(await n8nDigest(greenUrl));
  });

  it('fails (upgrade.gate-failed) when a quieted workflow is active on blue', async () => {
    const { tenant, greenUrl, blueUrl } = await colours();
    const quiet = await quieten(blueUrl);
    await runSql(blueUrl, `update workflow_entity set active = true, "activeVersionId" = 'v3' where id = 'w3'`);

    const failure = await gate.run(harness(tenant, { greenUrl, blueUrl }).ctx(state(quiet))).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(OperationError);
    expect(failure).toMatchObject({ code: 'upgrade.gate-failed', message: expect.stringContaining('fire by themselves before the swap: w3') });
  });

  it('fails when green deactivated a quieted workflow since the copy', async () => {
    const { tenant, greenUrl, blueUrl } = await colours();
    const quiet = await quieten(blueUrl);
    await runSql(greenUrl, `update workflow_entity set active = false, "activeVersionId" = null where id = 'w3'`);
    await expect(gate.run(harness(tenant, { greenUrl, blueUrl }).ctx(state(quiet)))).rejects.toMatchObject({ code: 'upgrade.gate-failed', message: expect.stringContaining('workflow contents differ') });
  });

  it('a live blue (1.x) is compared as it is', async () => {
    const { tenant, greenUrl, blueUrl } = await colours();
    expect(await gate.run(harness(tenant, { greenUrl, blueUrl }).ctx(state({ mode: 'live', reason: '1.x' })))).not.toHaveProperty('gate.quiet');
  });
});

describe('the swap with a quiet blue', () => {
  async function quieted() {
    const c = await colours();
    const quiet = await quieten(c.blueUrl);
    const state = {
      fromColour: 'green', toColour: 'blue', toVersion: '2.41.1',
      greenContainers: [`rp9-${c.tenant}-main`, `rp9-${c.tenant}-worker-1`], blueContainers: [`rp9-${c.tenant}-blue-main`, `rp9-${c.tenant}-blue-worker-1`],
      greenDigest: await n8nDigest(c.greenUrl), greenItems: await n8nItemHashes(c.greenUrl), quiet,
    };
    return { ...c, state };
  }

  it('holds, stops green, moves the route, and only then activates the quieted workflows on blue in one import: the hold does not wait for it', async () => {
    const { tenant, greenUrl, blueUrl, state } = await quieted();
    const h = harness(tenant, { greenUrl, blueUrl });

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls).toEqual([
      'writeRoute suspended',
      `rp9-${tenant}-main: stopContainer`,
      `rp9-${tenant}-worker-1: stopContainer`,
      `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`,
      `rp9-${tenant}-blue-main: export workflows`,
      `rp9-${tenant}-blue-main: import workflows w3+,w4+ fromJson`,
    ]);
    expect(result).toMatchObject({ holdSeconds: expect.any(Number), blueActivation: { method: 'import:workflow --activeState=fromJson', activated: ['w3', 'w4'], alreadyActive: ['w1'], blueOnly: [], importSeconds: expect.any(Number), draftsKept: ['w4'] } });
    expect(await activeWorkflowIds(blueUrl)).toEqual(['w1', 'w3', 'w4']);
    // w4's active version (the schedule) is what was activated; its unpublished draft (the webhook) is kept as the draft.
    const w4 = 'select w.nodes::text as draft, w."versionId", h.nodes::text as active from workflow_entity w join workflow_history h on h."versionId" = w."activeVersionId" where w.id = \'w4\'';
    expect(await rows(blueUrl, w4)).toEqual([{ draft: WEBHOOK, versionId: 'v4b', active: SCHEDULE }]);
  });

  it('gives an activated workflow green\'s static data as green left it at its stop (a polling trigger\'s position)', async () => {
    const { tenant, greenUrl, blueUrl, state } = await quieted();
    await runSql(greenUrl, `update workflow_entity set "staticData" = '{"node:Poll":{"lastId":42}}' where id = 'w3'`);

    const result = await swap.run(harness(tenant, { greenUrl, blueUrl }).ctx(state));

    expect(result).toMatchObject({ blueActivation: { staticData: 2 } });
    expect(await rows(blueUrl, 'select "staticData"::text as s from workflow_entity where id = \'w3\'')).toEqual([{ s: '{"node:Poll":{"lastId":42}}' }]);
  });

  it('activates what green had active at its stop: a quieted one green deactivated stays off, a self-firing one green added goes in inactive before the hold (the pre-sync, green\'s main still running) and is activated after', async () => {
    const { tenant, greenUrl, blueUrl, state } = await quieted();
    await runSql(greenUrl, `update workflow_entity set active = false, "activeVersionId" = null where id = 'w3';
      insert into workflow_entity (id, name, active, nodes, "versionId", "activeVersionId") values ('w5', 'new tick', true, '${SCHEDULE}', 'v5', 'v5')`);
    const h = harness(tenant, { greenUrl, blueUrl });

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls).toEqual([
      `rp9-${tenant}-main: export workflows`,
      `rp9-${tenant}-blue-main: import workflows w3-,w5- fromJson`,
      'writeRoute suspended',
      `rp9-${tenant}-main: stopContainer`,
      `rp9-${tenant}-worker-1: stopContainer`,
      `writeRoute dedicated http://rp9-${tenant}-blue-main:5678`,
      `rp9-${tenant}-blue-main: export workflows`,
      `rp9-${tenant}-blue-main: import workflows w4+,w5+ fromJson`,
    ]);
    expect(result).toMatchObject({ blueActivation: { activated: ['w4', 'w5'], alreadyActive: ['w1'] } });
    expect(await activeWorkflowIds(blueUrl)).toEqual(['w1', 'w4', 'w5']);
  });

  it('a re-run after a crash that came after the route moved activates only what is left; one after the activation, nothing', async () => {
    const { tenant, greenUrl, blueUrl, state } = await quieted();
    const h = harness(tenant, { greenUrl, blueUrl });
    await swap.run(h.ctx(state));
    // As if the controller died after w3's activation, before w4's.
    await runSql(blueUrl, `update workflow_entity set active = false, "activeVersionId" = null where id = 'w4'`);
    h.ports.calls.length = 0;

    const resumed = await swap.run(h.ctx(state));

    expect(resumed).toMatchObject({ swapResumed: true, blueActivation: { activated: ['w4'], alreadyActive: ['w1', 'w3'] } });
    expect(h.ports.calls.filter((c) => c.includes('import'))).toEqual([`rp9-${tenant}-blue-main: import workflows w4+ fromJson`]);
    h.ports.calls.length = 0;
    expect(await swap.run(h.ctx(state))).toMatchObject({ blueActivation: { activated: [], importSeconds: null } });
    expect(h.ports.calls.filter((c) => c.includes('import') || c.includes('export') || c.includes('suspended'))).toEqual([]);
  });

  it('an activation n8n did not make fails the swap (upgrade.activation-failed); the undo stops blue\'s main before green starts and counts what blue served', async () => {
    const { tenant, greenUrl, blueUrl, state } = await quieted();
    const h = harness(tenant, { greenUrl, blueUrl }, { activates: false });

    const failure = await swap.run(h.ctx(state)).catch((e: unknown) => e);

    expect(failure).toMatchObject({ code: 'upgrade.activation-failed', message: expect.stringContaining('w3, w4') });
    h.ports.calls.length = 0;
    const undone = await swap.undo!(h.ctx(state));
    expect(h.ports.calls).toEqual([
      'writeRoute suspended',
      `rp9-${tenant}-blue-main: stopContainer`,
      `rp9-${tenant}-main: startContainer`,
      `rp9-${tenant}-worker-1: startContainer`,
      `rp9-${tenant}-main: waitHealthy`,
      `rp9-${tenant}-worker-1: waitHealthy`,
      `writeRoute dedicated http://rp9-${tenant}-main:5678`,
    ]);
    expect(undone).toMatchObject({ swappedAt: expect.any(String), lostOnBlue: { executions: 0, changes: [] } });
  });

  it('a live blue (1.x) activates nothing and carries a changed self-firing workflow as its JSON says', async () => {
    const { tenant, greenUrl, blueUrl } = await colours();
    await runSql(greenUrl, `insert into workflow_entity (id, name, active, nodes, "versionId", "activeVersionId") values ('w5', 'new tick', true, '${SCHEDULE}', 'v5', 'v5')`);
    const h = harness(tenant, { greenUrl, blueUrl });
    // Blue is green as it was at the copy: its hashes are the ones journaled then.
    const state = {
      fromColour: 'green', toColour: 'blue', toVersion: '1.123.82', greenContainers: [`rp9-${tenant}-main`], blueContainers: [`rp9-${tenant}-blue-main`],
      greenDigest: await n8nDigest(blueUrl), greenItems: await n8nItemHashes(blueUrl), quiet: { mode: 'live', reason: '1.x' },
    };

    const result = await swap.run(h.ctx(state));

    expect(h.ports.calls.filter((x) => x.includes('import'))).toEqual([`rp9-${tenant}-blue-main: import workflows w5+ fromJson`]);
    expect(result).not.toHaveProperty('blueActivation');
  });
});
