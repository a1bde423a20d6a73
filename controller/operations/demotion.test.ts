// The demotion kind on the real engine and an in-memory store, against two
// small stand-ins of n8n that keep workflows, credentials and which are
// active: the order of its steps, its rollback paths, a crash between steps,
// and that no workflow is ever active on both sides (checked at every change);
// that the freeze reads the dedicated side by CLI once (record and the
// fingerprint by SQL), imports side by side, and fails the verify when the
// dedicated side changed after the export.
// The real-n8n proof is test/e2e/demotion-real.test.ts.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { openStore, type Store } from '../store/index.js';
import { demotionKind, type DemotionDeps, type DemotionSource, type SharedTarget } from './demotion.js';
import { createOperationEngine, SimulatedCrash, type FaultInjector } from './engine.js';
import { bindKind, OperationError } from './kind.js';
import type { RouteState } from './promotion.js';

interface Side {
  workflows: Map<string, Record<string, unknown>>;
  credentials: Map<string, Record<string, unknown>>;
}

function world() {
  const dedicated: Side = { workflows: new Map(), credentials: new Map() };
  const shared: Side = { workflows: new Map(), credentials: new Map() };
  for (const [id, active] of [['w1', true], ['w2', true], ['w3', false]] as const) {
    dedicated.workflows.set(id, { id, name: id, active, nodes: id === 'w1' ? [{ type: 'n8n-nodes-base.webhook', parameters: { path: 'hook-w1' } }] : [], connections: {} });
  }
  dedicated.credentials.set('c1', { id: 'c1', name: 'key', type: 'httpHeaderAuth', data: { value: 'secret' } });
  const both: string[] = [];
  const routes: RouteState[] = [];
  const calls: string[] = [];
  const failures: { importOnShared?: Error; project?: string | undefined } = { project: 'p1' };
  function check(): void {
    for (const [id, w] of shared.workflows) if (w.active === true && dedicated.workflows.get(id)?.active === true) both.push(id);
  }
  function setActive(side: Side, id: string, active: boolean): void {
    const w = side.workflows.get(id);
    if (!w) throw new OperationError('n8n.not-found', `no workflow ${id}`);
    w.active = active;
    check();
  }
  const copy = (m: Map<string, Record<string, unknown>>) => [...m.values()].map((v) => structuredClone(v));
  /** Calls by name, and the most of one name in flight at once. */
  const counts = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const max = new Map<string, number>();
  async function counted<T>(name: string, fn: () => T): Promise<T> {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
    max.set(name, Math.max(max.get(name) ?? 0, inFlight.get(name)!));
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return fn();
    } finally {
      inFlight.set(name, inFlight.get(name)! - 1);
    }
  }
  /** As the SQL fingerprint: ids and content, activation left out. */
  const fingerprint = (side: Side) => createHash('sha256').update(JSON.stringify((['workflows', 'credentials'] as const).map((what) => [...side[what].values()].map(({ active: _active, ...rest }) => rest).sort((a, b) => String(a.id).localeCompare(String(b.id)))))).digest('hex');
  const dedicatedN8n: DemotionSource = {
    workflows: () => counted('dedicated workflows (SQL)', () => [...dedicated.workflows.values()].map((w) => ({ id: String(w.id), active: w.active === true }))),
    fingerprint: () => counted('dedicated fingerprint (SQL)', () => fingerprint(dedicated)),
    async setActive(_t, id, active) { setActive(dedicated, id, active); },
    exportItems: (_t, what) => counted('dedicated export', () => copy(dedicated[what])),
    async ensureUp() { calls.push('dedicated up'); },
    async healthy() { return true; },
    async stop() { calls.push('dedicated stop'); },
    async deactivateAll() { return true; },
    async ensureOwner() { calls.push('dedicated owner'); },
    async importItems() { throw new Error('not used'); },
    async deleteItems() { throw new Error('not used'); },
    async probeWebhook() { return 200; },
  };
  const sharedN8n: SharedTarget = {
    async workflows() { return [...shared.workflows.values()].map((w) => ({ id: String(w.id), active: w.active === true })); },
    async setActive(_t, id, active) { setActive(shared, id, active); },
    exportItems: (_t, what) => counted('shared export', () => copy(shared[what])),
    async project() { return failures.project; },
    importItems: (_t, what, items) => counted('shared import', () => {
      if (failures.importOnShared) throw failures.importOnShared;
      // As n8n's CLI: ids kept, overwrites, imported workflows inactive.
      for (const item of items) shared[what].set(String(item.id), what === 'workflows' ? { ...structuredClone(item), active: false } : structuredClone(item));
      check();
    }),
    async healthy() { return true; },
    async probeWebhook(path) { calls.push(`probe ${path}`); return shared.workflows.get('w1')?.active ? 200 : 404; },
  };
  return { dedicated, shared, both, routes, calls, failures, counts, max, dedicatedN8n, sharedN8n };
}

let store: Store;
let workDir: string;
beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
  workDir = await mkdtemp(join(tmpdir(), 'rp9-demotion-'));
});
afterAll(async () => {
  await store?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

let tenantNo = 0;
function setUp(options: { now?: () => Date; faults?: FaultInjector; memberWaitSeconds?: number } = {}) {
  const w = world();
  const rolledBack: string[] = [];
  const deps: DemotionDeps = {
    dedicated: w.dedicatedN8n,
    shared: w.sharedN8n,
    async route(_tenant, target) { w.routes.push(target); },
    async preMigrationBackup(tenant) { w.calls.push('backup'); return `${tenant}-pre-migration`; },
    masterKey: async () => Buffer.alloc(32, 7),
    workDir,
    events: store.events,
    async onRolledBack(op) { rolledBack.push(op.id); },
    ...(options.now ? { now: options.now } : {}),
    ...(options.memberWaitSeconds !== undefined ? { memberWaitSeconds: options.memberWaitSeconds } : {}),
  };
  const engine = () => createOperationEngine({ operations: store.operations, kinds: { demotion: bindKind(demotionKind, deps) }, logger: silentLogger(), runner: 'test', ...(options.faults ? { faults: options.faults } : {}) });
  tenantNo += 1;
  return { ...w, rolledBack, engine, tenant: `t${tenantNo}` };
}

describe('demotion kind', () => {
  it('moves everything to shared in order: frozen, imported, the recorded workflows active on shared only, switched, dedicated stopped', async () => {
    const s = setUp();
    const engine = s.engine();
    const op = await engine.runToEnd((await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' })).id);
    expect(op.status, op.error ?? '').toBe('done');
    expect(op.state.activeOnDedicated).toEqual(['w1', 'w2']);
    expect(s.routes).toEqual(['frozen', 'shared']);
    expect([...s.shared.workflows.values()].filter((w) => w.active).map((w) => w.id)).toEqual(['w1', 'w2']);
    expect([...s.dedicated.workflows.values()].filter((w) => w.active)).toEqual([]);
    expect(s.shared.credentials.get('c1')).toEqual(s.dedicated.credentials.get('c1'));
    expect(s.calls).toEqual(['backup', 'dedicated up', 'dedicated owner', 'probe hook-w1', 'dedicated stop']);
    expect(Date.parse(String(op.state.keepStackUntil)) - Date.parse(String(op.state.switchedAt))).toBe(7 * 86_400_000);
    expect(s.both).toEqual([]);
    expect((await store.events.recent({ tenant: s.tenant, limit: 5 })).map((e) => e.reason)).toEqual(['Demoted']);
  });

  it('rolls back a failed import: route back to dedicated, the recorded workflows active there again, nothing active on shared', async () => {
    const s = setUp();
    s.failures.importOnShared = new OperationError('n8n.cli-failed', 'import:credentials exited 1');
    const engine = s.engine();
    const op = await engine.runToEnd((await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' })).id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('n8n.cli-failed');
    expect(s.routes).toEqual(['frozen', 'dedicated']);
    expect([...s.dedicated.workflows.values()].filter((w) => w.active).map((w) => w.id)).toEqual(['w1', 'w2']);
    expect([...s.shared.workflows.values()].filter((w) => w.active)).toEqual([]);
    expect(s.calls).not.toContain('dedicated stop');
    expect(s.rolledBack).toEqual([op.id]);
    expect(s.both).toEqual([]);
  });

  it('rolls back a verify that finds the shared side short, deactivating shared before reactivating dedicated', async () => {
    const s = setUp({
      faults: { beforeRun: (_op, step) => { if (step === 'verify') s.shared.workflows.delete('w3'); } },
    });
    const engine = s.engine();
    const op = await engine.runToEnd((await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' })).id);
    expect(op.status).toBe('rolled-back');
    expect(op.error).toContain('workflows w3 is missing');
    expect(s.routes).toEqual(['frozen', 'dedicated']);
    expect([...s.dedicated.workflows.values()].filter((w) => w.active).map((w) => w.id)).toEqual(['w1', 'w2']);
    expect([...s.shared.workflows.values()].filter((w) => w.active)).toEqual([]);
    expect(s.both).toEqual([]);
  });

  it('rolls back a freeze past ttlMinutes', async () => {
    let offset = 0;
    const s = setUp({ now: () => new Date(Date.now() + offset), faults: { beforeRun: (_op, step) => { if (step === 'import') offset = 11 * 60_000; } } });
    const engine = s.engine();
    const op = await engine.runToEnd((await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' })).id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('demotion.freeze-expired');
    expect(s.routes).toEqual(['frozen', 'dedicated']);
    expect(s.both).toEqual([]);
  });

  it('waits for the member user on shared, then gives up past its bound', async () => {
    let offset = 0;
    const s = setUp({ now: () => new Date(Date.now() + offset), memberWaitSeconds: 60 });
    s.failures.project = undefined;
    const engine = s.engine();
    const started = await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' });
    for (let i = 0; i < 3; i += 1) await engine.step(started.id);
    const waiting = await engine.step(started.id);
    expect(waiting.steps[waiting.currentStep]).toMatchObject({ name: 'member', status: 'running' });
    offset = 120_000;
    const op = await engine.runToEnd(started.id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('demotion.no-member');
    expect(s.routes).toEqual([]);
  });

  it('reads the dedicated side by CLI once (the export): record and the fingerprint by SQL, verify against the sealed export; imports side by side', async () => {
    const s = setUp();
    const engine = s.engine();
    const op = await engine.runToEnd((await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' })).id);
    expect(op.status, op.error ?? '').toBe('done');
    expect(s.counts.get('dedicated workflows (SQL)')).toBe(1);
    // The export step's two CLI exports (side by side), and nothing else of the dedicated side's CLI.
    expect(s.counts.get('dedicated export')).toBe(2);
    expect(s.max.get('dedicated export')).toBe(2);
    expect(s.counts.get('dedicated fingerprint (SQL)')).toBe(2);
    expect(op.state.dedicatedFingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The shared project's two exports at the verify, side by side; the two imports side by side.
    expect(s.counts.get('shared export')).toBe(2);
    expect(s.max.get('shared export')).toBe(2);
    expect(s.counts.get('shared import')).toBe(2);
    expect(s.max.get('shared import')).toBe(2);
    expect(s.both).toEqual([]);
  });

  it.each([
    ['a workflow edited', (side: Side) => { side.workflows.get('w3')!.name = 'edited on dedicated during the freeze'; }],
    ['a workflow added', (side: Side) => { side.workflows.set('w9', { id: 'w9', name: 'w9', active: false, nodes: [], connections: {} }); }],
    ['a credential changed', (side: Side) => { side.credentials.get('c1')!.data = { value: 'rotated' }; }],
  ])('rolls back when the dedicated side changed after the export (%s): demotion.dedicated-changed, back on dedicated, nothing active twice', async (_what, change) => {
    const s = setUp({ faults: { beforeRun: (_op, step) => { if (step === 'verify') change(s.dedicated); } } });
    const engine = s.engine();
    const op = await engine.runToEnd((await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' })).id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('demotion.dedicated-changed');
    expect(s.routes).toEqual(['frozen', 'dedicated']);
    expect([...s.dedicated.workflows.values()].filter((w) => w.active).map((w) => w.id)).toEqual(['w1', 'w2']);
    expect([...s.shared.workflows.values()].filter((w) => w.active)).toEqual([]);
    expect(s.rolledBack).toEqual([op.id]);
    expect(s.both).toEqual([]);
  });

  it('resumes from the journal after a crash after import and after switch: done, nothing duplicated or active twice', async () => {
    const crashAfter = new Set(['import', 'switch']);
    const s = setUp({ faults: { afterRun: (_op, step) => { if (crashAfter.delete(step)) throw new SimulatedCrash(`after ${step}`); } } });
    let engine = s.engine();
    const id = (await engine.start('demotion', s.tenant, { ttlMinutes: 10, graceDays: 7, generation: 'g1' })).id;
    let crashes = 0;
    for (let i = 0; i < 40; i += 1) {
      try {
        const op = await engine.step(id);
        if (op.finishedAt) break;
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
        crashes += 1;
        engine = s.engine();
      }
    }
    const op = (await store.operations.get(id))!;
    expect(crashes).toBe(2);
    expect(op.status, op.error ?? '').toBe('done');
    expect([...s.shared.workflows.keys()].sort()).toEqual(['w1', 'w2', 'w3']);
    expect(s.routes).toEqual(['frozen', 'shared', 'shared']);
    expect(s.both).toEqual([]);
  });
});
