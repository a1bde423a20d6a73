// End to end: two `rp9 controller` processes on one PostgreSQL store, started
// together. One leads and applies the config (a shared and a dedicated tenant)
// once; the other stands by. The leader is killed with SIGKILL, as a crash
// would: it neither releases its lease nor stops its loop. The standby takes
// the lease once it expires (6 s lease, renewed every second), applies what
// was pushed meanwhile, and redoes nothing the dead leader already did —
// Docker containers created once, the untouched route file never rewritten,
// one Applied event per tenant and commit.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LABEL } from '../../controller/model.js';
import { platformYaml, tenantFile } from './support/config.js';
import { spawnController, stopControllerProcesses, type ControllerProcess } from './support/controller-process.js';
import { getJson } from './support/http.js';
import { routeWithHost } from './support/routes.js';
import { until } from './support/wait.js';
import { createWorld, type World } from './support/world.js';

const TTL_SECONDS = 6;
const RENEW_SECONDS = 1;
const LEASE = { RP9_LEASE_TTL_SECONDS: String(TTL_SECONDS), RP9_LEASE_RENEW_SECONDS: String(RENEW_SECONDS) };
// A lease renewed at most RENEW before the kill expires at most TTL after it; the standby
// tries every RENEW. The slack is for a loaded machine's timers and queries, not for a missed lease.
const TAKEOVER_BOUND_MS = (TTL_SECONDS + RENEW_SECONDS) * 1_000 + 2_000;

interface LeaseRow {
  holder: string;
  acquired_at: Date;
  expires_at: Date;
}

interface EventRow {
  tenant: string | null;
  reason: string;
  commit: string | null;
}

let world: World;
let controllers: ControllerProcess[] = [];
let leader: ControllerProcess;
let standby: ControllerProcess;
let dockerEvents: Readable | undefined;
/** The config repo's first commit, applied by the first leader. */
let first: string;
/** Container create events of this world's environment, from before the controllers started. */
const creates: { name: string; at: number }[] = [];

async function storeQuery<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: world.storeUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function lease(): Promise<LeaseRow | undefined> {
  return (await storeQuery<LeaseRow>(`select holder, acquired_at, expires_at from leases where name = 'controller'`))[0];
}

async function role(controller: ControllerProcess): Promise<string> {
  return (await getJson<{ role: string }>(`${controller.url}/readyz`)).body.role;
}

/** Waits until the store says `tenant` is Ready at `commit`. */
function appliedAt(tenant: string, commit: string, timeoutMs: number) {
  return until(`${tenant} applied at ${commit.slice(0, 12)}`, async () => {
    const rows = await storeQuery<{ applied_commit: string | null; conditions: { type: string; status: string }[] }>('select applied_commit, conditions from tenant_status where tenant = $1', [tenant]);
    const ready = rows[0]?.conditions.find((c) => c.type === 'Ready');
    return rows[0]?.applied_commit === commit && ready?.status === 'True' ? rows[0] : undefined;
  }, { timeoutMs, intervalMs: 200 });
}

/** `tenant@commit` → how many Applied events the store holds for it. */
async function appliedEvents(): Promise<Record<string, number>> {
  const rows = await storeQuery<EventRow>(`select tenant, reason, commit from events where reason = 'Applied' order by id`);
  const counts: Record<string, number> = {};
  for (const row of rows) counts[`${row.tenant}@${row.commit?.slice(0, 12)}`] = (counts[`${row.tenant}@${row.commit?.slice(0, 12)}`] ?? 0) + 1;
  return counts;
}

function createsByName(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { name } of creates) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** The `action` field of every "action applied" line a controller logged. */
function actionsApplied(controller: ControllerProcess): string[] {
  return controller.logs().filter((line) => line.msg === 'action applied').map((line) => String(line.action));
}

beforeAll(async () => {
  world = await createWorld({
    id: 'fk',
    postgresUrl: inject('postgresUrl'),
    dockerSocket: inject('dockerSocket'),
    images: ['rp9/n8n:1.123.4'],
    files: (environment) => ({ 'platform.yaml': platformYaml({ environment }), ...tenantFile({ name: 'fk-s', mode: 'shared' }), ...tenantFile({ name: 'fk-d' }) }),
  });
  dockerEvents = (await world.docker.getEvents({ filters: { type: ['container'], event: ['create'], label: [`${LABEL.environment}=${world.environment}`] } })) as unknown as Readable;
  let buffered = '';
  dockerEvents.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim())) {
      const event = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
      creates.push({ name: event.Actor?.Attributes?.name ?? '?', at: Date.now() });
    }
  });

  // Started together: both race for the lease before anything is applied.
  controllers = await Promise.all(['a', 'b'].map((name) => spawnController(world, { name, intervalSeconds: 3600, env: LEASE })));
  const holder = await until('one controller to hold the lease', async () => (await lease())?.holder, { timeoutMs: 30_000 });
  leader = controllers.find((c) => c.holder === holder)!;
  standby = controllers.find((c) => c.holder !== holder)!;
  expect(leader).toBeDefined();
  await until('the leader to say so on /readyz', async () => (await role(leader)) === 'leader', { timeoutMs: 15_000 });
  await until('the other to stand by', async () => (await role(standby)) === 'standby', { timeoutMs: 15_000 });
  first = world.repo.head;
  for (const tenant of ['fk-s', 'fk-d']) await appliedAt(tenant, first, 120_000);
}, 240_000);

afterAll(async () => {
  // Every child is killed even when a test failed; the world goes after them.
  await stopControllerProcesses().finally(async () => {
    dockerEvents?.destroy();
    await world?.close();
  });
});

describe('failover when the leading controller process is killed', () => {
  it('of two controllers started together, only the leader applies the first commit, once', async () => {
    const events = await appliedEvents();

    expect(createsByName()).toEqual({ 'rp9-fk-d-main': 1, 'rp9-fk-d-worker-1': 1 });
    expect(events).toEqual({ [`fk-s@${first.slice(0, 12)}`]: 1, [`fk-d@${first.slice(0, 12)}`]: 1 });
    expect(actionsApplied(leader)).toEqual(expect.arrayContaining(['create route fk-s', 'create route fk-d']));
    expect(actionsApplied(standby)).toEqual([]);
    expect(standby.logs().some((line) => line.msg === 'reconcile finished')).toBe(false);
  });

  it('after SIGKILL the standby takes the lease within the lease time, applies a later push and redoes nothing', async () => {
    // Arrange: the dedicated tenant's route as the dead leader left it; a push the leader never sees (hour-long interval, no webhook).
    const routeBefore = await stat(join(world.routesDir, 'rp9-fk-d.yaml'));
    const createsBefore = creates.length;
    const commit = await world.push(tenantFile({ name: 'fk-s', mode: 'shared', subdomain: 'fk-s-after-kill' }), 'fk-s: new subdomain');
    const held = await lease();

    // Act
    const killedAt = Date.now();
    const exit = await leader.kill('SIGKILL');
    await until('the standby to lead', async () => (await role(standby)) === 'leader', { timeoutMs: TAKEOVER_BOUND_MS + 3_000, intervalMs: 100 });
    const taken = await lease();
    await appliedAt('fk-s', commit, 30_000);
    const route = await routeWithHost(world.routesDir, 'fk-s', `fk-s-after-kill.${world.environment}.test`);
    const routeAfter = await stat(join(world.routesDir, 'rp9-fk-d.yaml'));
    const events = await appliedEvents();

    // Assert: a real crash, and a takeover only once the dead leader's lease expired, within the lease time.
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(held?.holder).toBe(leader.holder);
    expect(taken?.holder).toBe(standby.holder);
    expect(taken!.acquired_at.getTime()).toBeGreaterThanOrEqual(held!.expires_at.getTime());
    expect(taken!.acquired_at.getTime() - killedAt).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    // The push applied once, by the new leader; nothing else redone.
    expect(route).toBeDefined();
    expect(actionsApplied(standby)).toEqual(['update route fk-s']);
    expect(creates.slice(createsBefore)).toEqual([]);
    expect(createsByName()).toEqual({ 'rp9-fk-d-main': 1, 'rp9-fk-d-worker-1': 1 });
    expect({ ino: routeAfter.ino, mtimeMs: routeAfter.mtimeMs }).toEqual({ ino: routeBefore.ino, mtimeMs: routeBefore.mtimeMs });
    expect(events).toEqual({ [`fk-s@${first.slice(0, 12)}`]: 1, [`fk-d@${first.slice(0, 12)}`]: 1, [`fk-s@${commit.slice(0, 12)}`]: 1 });
  });
});
