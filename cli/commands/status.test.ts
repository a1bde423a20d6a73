import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from '../../controller/store/store.js';
import type { TenantStatus } from '../../controller/store/types.js';
import { captureIo } from '../../test/fixtures/capture-io.js';
import { main } from '../main.js';
import { renderStatusTable, renderTenantDetail } from './status.js';

const capture = captureIo;

const now = new Date('2026-03-01T12:00:00Z');
const at = (iso: string) => new Date(iso);

function status(overrides: Partial<TenantStatus>): TenantStatus {
  return {
    tenant: 'acme', phase: 'active', conditions: [], observedCommit: null, observedGeneration: null,
    appliedSpecHash: null, appliedCommit: null, createdAt: at('2026-03-01T09:00:00Z'), updatedAt: at('2026-03-01T11:55:00Z'),
    ...overrides,
  };
}

describe('status rendering', () => {
  it('renders the all-tenants table', () => {
    const text = renderStatusTable([
      status({ conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'ok', lastTransitionTime: at('2026-03-01T11:00:00Z') }], appliedCommit: '0123456789abcdef' }),
      status({ tenant: 'globex', phase: 'provisioning', updatedAt: at('2026-02-27T12:00:00Z') }),
    ], now);

    expect(text).toBe([
      'TENANT  PHASE         READY  REASON                   APPLIED  UPDATED',
      'acme    active        True   ReconciliationSucceeded  0123456  2026-03-01 11:55:00Z (5m ago)',
      'globex  provisioning  -      -                        -        2026-02-27 12:00:00Z (2d ago)',
      '',
    ].join('\n'));
  });

  it('with upgrades, each tenant\'s newest upgrade in a last column (the step of a running one, or the last result)', () => {
    const text = renderStatusTable([status({}), status({ tenant: 'globex' })], now, undefined, new Map([['acme', 'upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue']]));

    expect(text.split('\n')[0]).toMatch(/UPDATED\s+UPGRADE$/);
    expect(text.split('\n')[1]).toMatch(/\(5m ago\)\s+upgrading 1\.123\.81 → 2\.41\.1: step 6\/7 watch, live blue$/);
    expect(text.split('\n')[2]).toMatch(/\(5m ago\)\s+-$/);
  });

  it('a downtime change waiting for its maintenance window reads Pending (window opens <time>)', () => {
    const message = 'Pending (window opens 2026-03-07 22:00 UTC): recreate container rp9-acme-main';
    const text = renderStatusTable([status({ conditions: [{ type: 'Ready', status: 'False', reason: 'MaintenanceWindow', message, lastTransitionTime: at('2026-03-01T11:00:00Z') }] })], now);
    expect(text.split('\n')[1]).toMatch(/^acme\s+active\s+False\s+Pending \(window opens 2026-03-07 22:00 UTC\)\s+-/);
  });

  it('renders one tenant with conditions, operations and events, one line per message', () => {
    const text = renderTenantDetail({
      status: status({
        appliedCommit: '0123456789abcdef', appliedSpecHash: 'sha256:beef', observedCommit: 'fedcba9876543210', observedGeneration: 'g-1',
        conditions: [{ type: 'Ready', status: 'False', reason: 'HealthCheckFailed', message: 'main is\nunhealthy\u001b[31m', lastTransitionTime: at('2026-03-01T11:59:30Z') }],
      }),
      operations: [{
        id: 'op-1', tenant: 'acme', kind: 'promotion', status: 'running', currentStep: 1, state: {}, error: null,
        steps: [{ name: 'snapshot', status: 'done', startedAt: null, finishedAt: null, error: null }, { name: 'copy', status: 'running', startedAt: null, finishedAt: null, error: null }],
        startedAt: at('2026-03-01T11:00:00Z'), updatedAt: at('2026-03-01T11:00:00Z'), finishedAt: null,
      }],
      events: [{ id: 1, time: at('2026-03-01T11:59:00Z'), tenant: 'acme', type: 'Warning', reason: 'HealthCheckFailed', message: 'down', actor: 'controller', commit: 'fedcba9876543210', correlationId: null, data: {} }],
    }, now);

    expect(text).toBe([
      'Tenant:           acme',
      'Phase:            active',
      'Applied commit:   0123456789abcdef',
      'Spec hash:        sha256:beef',
      'Observed commit:  fedcba9876543210',
      'Generation:       g-1',
      'Updated:          2026-03-01 11:55:00Z (5m ago)',
      '',
      'Conditions:',
      '  TYPE   STATUS  REASON             SINCE                           MESSAGE',
      '  Ready  False   HealthCheckFailed  2026-03-01 11:59:30Z (30s ago)  main is unhealthy [31m',
      '',
      'Operations in progress:',
      '  KIND       ID    STATUS   STEP                STARTED',
      '  promotion  op-1  running  2/2 copy (running)  2026-03-01 11:00:00Z (1h ago)',
      '',
      'Recent events:',
      '  TIME                           TYPE     REASON             ACTOR       COMMIT   MESSAGE',
      '  2026-03-01 11:59:00Z (1m ago)  Warning  HealthCheckFailed  controller  fedcba9  down',
      '',
    ].join('\n'));
  });
});

describe('rp9 status with no store', () => {
  it('says nothing has been applied yet, exits 0 and creates nothing', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'rp9-status-'));
    const text = capture({}, cwd);
    const json = capture({}, cwd);
    try {
      const code = await main(['status'], text.io);
      const jsonCode = await main(['status', 'acme', '--output', 'json'], json.io);
      const one = capture({}, cwd);
      const oneCode = await main(['status', 'acme'], one.io);

      expect(code).toBe(0);
      expect(text.out()).toBe(`Nothing has been applied yet: no tenant has a recorded status (no state store in ${join(cwd, '.rp9')}).\n`);
      expect(oneCode).toBe(0);
      expect(one.out()).toBe(`Nothing has been applied yet: tenant "acme" has no recorded status (no state store in ${join(cwd, '.rp9')}).\n`);
      expect(jsonCode).toBe(0);
      expect(JSON.parse(json.out())).toEqual({ backend: `no state store in ${join(cwd, '.rp9')}`, tenants: [] });
      expect(existsSync(join(cwd, '.rp9'))).toBe(false);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

describe('rp9 status on PostgreSQL', () => {
  const admin = inject('postgresUrl');
  const dbName = `rp9_status_test_${randomBytes(4).toString('hex')}`;
  const url = new URL(admin);
  url.pathname = `/${dbName}`;
  const env = { DATABASE_URL: url.toString() };

  async function adminQuery(text: string): Promise<void> {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(text).finally(() => client.end());
  }

  beforeAll(async () => {
    await adminQuery(`create database ${dbName}`);
  });
  afterAll(async () => {
    await adminQuery(`drop database if exists ${dbName} with (force)`);
  });

  it('reports an empty store as nothing applied yet, then shows what the controller recorded', async () => {
    const empty = capture(env, '/');
    expect(await main(['status'], empty.io)).toBe(0);
    expect(empty.out()).toMatch(/^Nothing has been applied yet: no tenant has a recorded status \(PostgreSQL at postgres:\/\/.*\/rp9_status_test_/);

    const store = await openStore({ databaseUrl: env.DATABASE_URL });
    await store.status.update('acme', {
      phase: 'active', appliedCommit: 'abcdef0123456789', appliedSpecHash: 'sha256:1111',
      conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision abcdef012345' }],
    });
    await store.status.update('globex', { phase: 'failed', conditions: [{ type: 'Ready', status: 'False', reason: 'ImageMissing', message: 'no image' }] });
    await store.events.record({ tenant: 'acme', type: 'Normal', reason: 'Applied', message: 'created container rp9-acme-main', actor: 'controller', commit: 'abcdef0123456789' });
    await store.events.record({ tenant: 'globex', type: 'Warning', reason: 'ImageMissing', message: 'no image', actor: 'controller' });
    await store.close();

    const all = capture(env, '/');
    const one = capture(env, '/');
    const json = capture(env, '/');
    const unknown = capture(env, '/');

    expect(await main(['status'], all.io)).toBe(0);
    expect(await main(['status', 'acme'], one.io)).toBe(0);
    expect(await main(['status', 'acme', '-o', 'json'], json.io)).toBe(0);
    expect(await main(['status', 'initech'], unknown.io)).toBe(1);
    const upgrading = await openStore({ databaseUrl: env.DATABASE_URL });
    const op = await upgrading.operations.start({ tenant: 'acme', kind: 'upgrade', steps: ['backup', 'copy-database', 'blue-up', 'gate', 'swap', 'watch', 'cleanup'], state: { fromVersion: '1.123.81', toVersion: '2.41.1', fromColour: 'green', toColour: 'blue' } });
    for (let i = 0; i < 5; i += 1) await upgrading.operations.advance(op.id);
    await upgrading.close();
    const allUpgrading = capture(env, '/');
    const oneUpgrading = capture(env, '/');
    const jsonUpgrading = capture(env, '/');
    expect(await main(['status'], allUpgrading.io)).toBe(0);
    expect(await main(['status', 'acme'], oneUpgrading.io)).toBe(0);
    expect(await main(['status', '-o', 'json'], jsonUpgrading.io)).toBe(0);
    expect(allUpgrading.out().split('\n')[1]).toMatch(/upgrading 1\.123\.81 → 2\.41\.1: step 6\/7 watch, live blue$/);
    expect(oneUpgrading.out()).toContain(`Upgrade:          upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue (operation ${op.id}; rp9 tenant upgrade-status acme)`);
    expect(JSON.parse(jsonUpgrading.out()).upgrades.acme).toMatchObject({ summary: 'upgrading 1.123.81 → 2.41.1: step 6/7 watch, live blue', operation: { id: op.id, step: 'watch', liveColour: 'blue' } });

    const lines = all.out().split('\n');
    expect(lines[0]).toMatch(/^TENANT\s+PHASE\s+READY\s+REASON\s+APPLIED\s+UPDATED$/);
    expect(lines[1]).toMatch(/^acme\s+active\s+True\s+ReconciliationSucceeded\s+abcdef0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+s ago\)$/);
    expect(lines[2]).toMatch(/^globex\s+failed\s+False\s+ImageMissing\s+-\s+/);
    expect(one.out()).toMatch(/^Tenant:\s+acme\nPhase:\s+active\nApplied commit:\s+abcdef0123456789\nSpec hash:\s+sha256:1111\n/);
    expect(one.out()).toMatch(/Recent events:\n\s+TIME.*\n\s+\d{4}-.*Normal\s+Applied\s+controller\s+abcdef0\s+created container rp9-acme-main\n$/);
    expect(one.out()).not.toContain('ImageMissing');
    const parsed = JSON.parse(json.out()) as { status: { tenant: string; conditions: { lastTransitionTime: string }[] }; events: unknown[]; operations: unknown[] };
    expect(parsed.status.tenant).toBe('acme');
    expect(parsed.status.conditions[0]?.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.operations).toEqual([]);
    expect(unknown.err()).toContain('no status recorded for tenant "initech"');
    expect(unknown.err()).toContain('(known: acme, globex)');
  });

  it('rejects an unknown output format and extra arguments as usage errors', async () => {
    const badFormat = capture(env, '/');
    const extra = capture(env, '/');

    expect(await main(['status', '--output', 'yaml'], badFormat.io)).toBe(2);
    expect(await main(['status', 'a', 'b'], extra.io)).toBe(2);
    expect(badFormat.err()).toContain('--output must be one of text, json');
    expect(extra.err()).toContain('expected at most one tenant');
  });
});
