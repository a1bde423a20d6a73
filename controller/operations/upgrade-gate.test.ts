// The upgrade's gate step on real PostgreSQL databases shaped like n8n's (the
// three tables the digest reads), green's and blue's: the smoke execution is
// asked for with blue's stack (main, workers, main's port, blue's database,
// the target version), a failing smoke fails the gate with
// `upgrade.smoke-failed`, and the digests are read after the smoke, so a
// canary the smoke left on blue fails the gate too. The real smoke, on real
// n8n, is in test/e2e/controller-n8n-upgrade.test.ts.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { silentLogger } from '../../kernel/log/logger.js';
import type { DesiredContainer } from '../model.js';
import type { Operation } from '../store/types.js';
import type { BlueSmokeInput, BlueSmokeResult } from '../upgrades/smoke-run.js';
import { OperationError, type StepContext } from './kind.js';
import { upgradeKind, type UpgradeDeps } from './upgrade.js';
import { n8nDigest } from '../upgrades/n8n-digest.js';

const adminUrl = inject('postgresUrl');
const databases = scratchDatabases(adminUrl, 'rp9_gate');
const blueNames: string[] = [];
afterAll(async () => {
  for (const name of blueNames) await runSql(adminUrl, `drop database if exists ${name} with (force)`);
  await databases.dropAll();
});

const gate = upgradeKind.steps.find((s) => s.name === 'gate')!;

const N8N_TABLES = `create table workflow_entity (id text primary key, name text, active boolean, nodes json, connections json);
  create table credentials_entity (id text primary key, name text, type text, data text);
  create table migrations (id serial primary key, name text);
  insert into workflow_entity values ('w1', 'hook', true, '[]', '{}');
  insert into credentials_entity values ('c1', 'key', 'httpHeaderAuth', 'enc');
  insert into migrations (name) values ('m1'), ('m2');`;

/** Green's database (a scratch one) and blue's beside it (`<green>_blue`), both holding the same n8n rows. */
async function colours(): Promise<{ tenant: string; blueUrl: string; greenUrl: string }> {
  const greenUrl = await databases.create();
  const green = new URL(greenUrl).pathname.slice(1);
  const blue = `${green}_blue`;
  await runSql(adminUrl, `create database ${blue}`);
  blueNames.push(blue);
  const blueUrl = new URL(adminUrl);
  blueUrl.pathname = `/${blue}`;
  await runSql(greenUrl, N8N_TABLES);
  await runSql(blueUrl.toString(), N8N_TABLES);
  return { tenant: green.replace(/^rp9_/, '').replaceAll('_', '-'), blueUrl: blueUrl.toString(), greenUrl };
}

function container(name: string): DesiredContainer {
  return { kind: 'container', name, env: { N8N_PORT: '15678' } } as unknown as DesiredContainer;
}

function harness(tenant: string, smoke: (blue: BlueSmokeInput) => Promise<BlueSmokeResult>) {
  const asked: BlueSmokeInput[] = [];
  const deps = {
    stack: (_t: string, colour: 'green' | 'blue') => ({
      containers: colour === 'blue' ? [container(`rp9-${tenant}-blue-main`), container(`rp9-${tenant}-blue-worker-1`)] : [],
    }),
    adminUrl,
    unhealthy: async () => undefined,
    smoke: async (blue: BlueSmokeInput) => {
      asked.push(blue);
      return smoke(blue);
    },
  } as unknown as UpgradeDeps;
  const state = { fromColour: 'green', toColour: 'blue', fromVersion: '1.123.81', toVersion: '2.41.1', blueContainers: [`rp9-${tenant}-blue-main`, `rp9-${tenant}-blue-worker-1`] };
  const ctx: StepContext<UpgradeDeps> = {
    operation: { id: 'op-gate-1', tenant, kind: 'upgrade', state } as unknown as Operation,
    state,
    deps,
    signal: new AbortController().signal,
    log: silentLogger(),
    progress: () => undefined,
  };
  return { asked, ctx };
}

const passed: BlueSmokeResult = { ok: true, detail: 'execution 7 of the canary ran on w1 through blue\'s queue', executionId: '7', worker: 'w1', seconds: 3.2, removed: { execution_entity: 1, webhook_entity: 1, workflow_entity: 1 } };

describe('upgrade gate', () => {
  it('runs the smoke on blue\'s stack and records its result with the digests', async () => {
    const { tenant, blueUrl } = await colours();
    const h = harness(tenant, async () => passed);

    const result = await gate.run(h.ctx);

    expect(h.asked).toEqual([{ operationId: 'op-gate-1', version: '2.41.1', main: `rp9-${tenant}-blue-main`, workers: [`rp9-${tenant}-blue-worker-1`], port: 15678, databaseUrl: blueUrl }]);
    expect(result).toMatchObject({ gate: { smoke: passed, green: { workflows: 1, credentials: 1 }, blue: { workflows: 1, credentials: 1 } } });
  });

  it('a failing smoke fails the gate (upgrade.smoke-failed), naming why', async () => {
    const { tenant } = await colours();
    const h = harness(tenant, async () => ({ ok: false, detail: 'no blue worker (w1) logged execution 7', seconds: 2, removed: {} }));

    const failure = await gate.run(h.ctx).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(OperationError);
    expect(failure).toMatchObject({ code: 'upgrade.smoke-failed', message: expect.stringContaining('no blue worker (w1) logged execution 7') });
  });

  it('reads the digests after the smoke: a canary left on blue fails the gate', async () => {
    const { tenant, blueUrl } = await colours();
    const h = harness(tenant, async (blue) => {
      await runSql(blue.databaseUrl, `insert into workflow_entity values ('rp9smoke00000000', 'canary', true, '[]', '{}')`);
      return passed;
    });

    const failure = await gate.run(h.ctx).catch((e: unknown) => e);

    expect(failure).toMatchObject({ code: 'upgrade.gate-failed', message: expect.stringContaining('workflows 1 on green, 2 on blue') });
    expect(h.asked[0]?.databaseUrl).toBe(blueUrl);
  });

  it('compares blue with the copy, not with green now: an edit on green while blue starts passes (the swap carries it); blue losing a row of the copy fails', async () => {
    const { tenant, blueUrl, greenUrl } = await colours();
    const h = harness(tenant, async () => passed);
    (h.ctx.state as Record<string, unknown>).copyDigest = await n8nDigest(blueUrl);
    await runSql(greenUrl, `update workflow_entity set name = 'edited on green after the copy' where id = 'w1'; insert into workflow_entity values ('w2', 'added on green', false, '[]', '{}')`);

    expect(await gate.run(h.ctx)).toMatchObject({ gate: { green: { workflows: 1 }, blue: { workflows: 1 } } });

    await runSql(blueUrl, `delete from credentials_entity where id = 'c1'`);
    const failure = await gate.run(h.ctx).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'upgrade.gate-failed', message: expect.stringContaining('blue does not hold what the copy of green held: credentials 1 on green, 0 on blue') });
  });
});
