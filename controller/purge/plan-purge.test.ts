import { describe, expect, it } from 'vitest';
import type { Availability, ObservedResource } from '../model.js';
import { planPurge, purgeRoleCandidates, type PurgeInventory, type PurgePlan, type PurgeRefusalCode } from './plan-purge.js';

const ALL_UP: Availability = { docker: { available: true }, database: { available: true }, routes: { available: true } };

const acmeVolume: ObservedResource = { kind: 'volume', name: 'rp9-acme-data', tenant: 'acme' };
const acmeDatabase: ObservedResource = { kind: 'database', name: 'rp9_acme', tenant: 'acme' };
const globexVolume: ObservedResource = { kind: 'volume', name: 'rp9-globex-data', tenant: 'globex' };
const globexDatabase: ObservedResource = { kind: 'database', name: 'rp9_globex', tenant: 'globex' };
const acmeMain: ObservedResource = {
  kind: 'container', id: 'c1', name: 'rp9-acme-main', tenant: 'acme', role: 'main', image: 'rp9/n8n:1', state: 'running', cpu: 1, memoryMb: 512, hash: 'h', labels: {},
};
const acmeWorkerService: ObservedResource = {
  kind: 'service', id: 's1', name: 'rp9-acme-worker', tenant: 'acme', role: 'worker', image: 'rp9/n8n:1', replicas: 0, cpu: 1, memoryMb: 512, hash: 'h', drifted: false, running: 0, waiting: [], labels: {},
};
const acmeRoute: ObservedResource = { kind: 'route', name: 'acme', tenant: 'acme', hash: 'h', hosts: ['acme.example.com'] };

function inventory(overrides: Partial<PurgeInventory> = {}): PurgeInventory {
  return {
    environment: 'prod',
    configTenants: ['globex'],
    observed: { availability: ALL_UP, resources: [acmeVolume, acmeDatabase, globexVolume, globexDatabase] },
    roles: ['rp9_acme'],
    store: { secrets: ['encryption-key', 'db-password'], status: false },
    ...overrides,
  };
}

type Case = { name: string; input: PurgeInventory; expected: Pick<PurgePlan, 'steps' | 'notes'> & { refused?: PurgeRefusalCode } };

const cases: Case[] = [
  {
    name: 'a removed dedicated tenant: volume, database, role, then secrets (sorted), leaving other tenants alone',
    input: inventory(),
    expected: {
      steps: [
        { kind: 'volume', name: 'rp9-acme-data' },
        { kind: 'database', name: 'rp9_acme' },
        { kind: 'role', name: 'rp9_acme' },
        { kind: 'secret', name: 'db-password' },
        { kind: 'secret', name: 'encryption-key' },
      ],
      notes: [],
    },
  },
  {
    name: 'a status row left behind is purged last',
    input: inventory({ observed: { availability: ALL_UP, resources: [] }, roles: [], store: { secrets: [], status: true } }),
    expected: { steps: [{ kind: 'status', name: 'acme' }], notes: [] },
  },
  {
    name: 'nothing left: an empty plan',
    input: inventory({ observed: { availability: ALL_UP, resources: [globexVolume] }, roles: [], store: { secrets: [], status: false } }),
    expected: { steps: [], notes: [] },
  },
  {
    name: 'a role whose database is gone is still rp9\'s while its password is stored (a purge stopped half-way)',
    input: inventory({ observed: { availability: ALL_UP, resources: [] }, store: { secrets: ['db-password'], status: false } }),
    expected: { steps: [{ kind: 'role', name: 'rp9_acme' }, { kind: 'secret', name: 'db-password' }], notes: [] },
  },
  {
    name: 'a role of that name with no rp9 database nor password is left alone, with a note',
    input: inventory({ observed: { availability: ALL_UP, resources: [] }, store: { secrets: [], status: false } }),
    expected: { steps: [], notes: ['role rp9_acme exists but rp9 has no database or password for tenant acme; left alone'] },
  },
  {
    name: 'a database with another name (owner comment says acme) takes its same-named role',
    input: inventory({
      observed: { availability: ALL_UP, resources: [{ kind: 'database', name: 'rp9_t1_acme', tenant: 'acme' }] },
      roles: ['rp9_t1_acme'],
      store: { secrets: [], status: false },
    }),
    expected: { steps: [{ kind: 'database', name: 'rp9_t1_acme' }, { kind: 'role', name: 'rp9_t1_acme' }], notes: [] },
  },
  {
    name: 'a removed shared tenant: its n8n user on the shared n8n, before the store rows',
    input: inventory({
      observed: { availability: ALL_UP, resources: [] }, roles: [], store: { secrets: [], status: true },
      sharedMember: { userId: 'u-1', email: 'owner@acme.example', api: { available: true } },
    }),
    expected: { steps: [{ kind: 'n8n-user', name: 'u-1' }, { kind: 'status', name: 'acme' }], notes: [] },
  },
  {
    name: 'refused: a shared n8n user to delete but no API to delete it with',
    input: inventory({ observed: { availability: ALL_UP, resources: [] }, roles: [], sharedMember: { userId: 'u-1', email: 'owner@acme.example', api: { available: false, reason: 'set RP9_SHARED_N8N_API_KEY' } } }),
    expected: { steps: [], notes: [], refused: 'purge.unobservable' },
  },
  {
    name: 'refused: the tenant is still in the config',
    input: inventory({ configTenants: ['acme', 'globex'] }),
    expected: { refused: 'purge.tenant-in-config', steps: [], notes: [] },
  },
  {
    name: 'refused: its container still runs (the controller has not removed it yet)',
    input: inventory({ observed: { availability: ALL_UP, resources: [acmeMain, acmeVolume] } }),
    expected: { refused: 'purge.tenant-running', steps: [], notes: [] },
  },
  {
    name: 'refused on a swarm: a service of the tenant is still there (even scaled to 0)',
    input: inventory({ runtime: 'swarm', observed: { availability: ALL_UP, resources: [acmeWorkerService, acmeDatabase] } }),
    expected: { refused: 'purge.tenant-running', steps: [], notes: [] },
  },
  {
    name: 'a removed swarm tenant: database, role and secrets; the node-local volumes are named as left behind',
    input: inventory({ runtime: 'swarm', observed: { availability: ALL_UP, resources: [acmeDatabase, globexDatabase] } }),
    expected: {
      steps: [
        { kind: 'database', name: 'rp9_acme' },
        { kind: 'role', name: 'rp9_acme' },
        { kind: 'secret', name: 'db-password' },
        { kind: 'secret', name: 'encryption-key' },
      ],
      notes: ['swarm: the node-local volume rp9-acme-data on the nodes that ran the tenant\'s tasks is not purged (docker volume rm rp9-acme-data on each node)'],
    },
  },
  {
    name: 'refused: its route is still there',
    input: inventory({ observed: { availability: ALL_UP, resources: [acmeRoute] } }),
    expected: { refused: 'purge.tenant-running', steps: [], notes: [] },
  },
  {
    name: 'refused: Docker could not be read (an unseen volume must not read as "nothing to purge")',
    input: inventory({ observed: { availability: { ...ALL_UP, docker: { available: false, reason: 'Docker not reachable' } }, resources: [acmeDatabase] } }),
    expected: { refused: 'purge.unobservable', steps: [], notes: [] },
  },
  {
    name: 'refused: the tenant database server is not configured',
    input: inventory({ observed: { availability: { ...ALL_UP, database: { available: false, reason: 'no tenant database server configured' } }, resources: [acmeVolume] } }),
    expected: { refused: 'purge.unobservable', steps: [], notes: [] },
  },
];

describe('planPurge', () => {
  it.each(cases)('$name', ({ input, expected }) => {
    // Act
    const plan = planPurge(input, 'acme');

    // Assert
    expect(plan.tenant).toBe('acme');
    expect(plan.environment).toBe('prod');
    expect(plan.refused?.code).toBe(expected.refused);
    expect(plan.steps).toEqual(expected.steps);
    expect(plan.notes).toEqual(expected.notes);
  });

  it('names what blocks a purge', () => {
    const running = planPurge(inventory({ observed: { availability: ALL_UP, resources: [acmeMain, acmeRoute] } }), 'acme');
    const unseen = planPurge(inventory({ observed: { availability: { ...ALL_UP, docker: { available: false, reason: 'Docker not reachable at /x.sock: ENOENT' } }, resources: [] } }), 'acme');
    const inConfig = planPurge(inventory({ configTenants: ['acme'] }), 'acme');

    expect(running.refused?.message).toBe('tenant acme still has container rp9-acme-main, route acme; let the controller remove them first (rp9 plan shows the pending deletes)');
    expect(unseen.refused?.message).toContain('Docker: Docker not reachable at /x.sock: ENOENT');
    expect(inConfig.refused?.message).toBe('tenant acme is still in the config (tenants/acme.yaml); purge is only for tenants removed from git');
  });
});

describe('purgeRoleCandidates', () => {
  it('asks about the compiled role name and every observed database of the tenant', () => {
    const observed = { availability: ALL_UP, resources: [acmeDatabase, globexDatabase, { kind: 'database', name: 'rp9_t1_acme', tenant: 'acme' } as const] };

    expect(purgeRoleCandidates(observed, 'acme')).toEqual(['rp9_acme', 'rp9_t1_acme']);
    expect(purgeRoleCandidates({ availability: ALL_UP, resources: [] }, 'my-shop')).toEqual(['rp9_my_shop']);
  });
});
