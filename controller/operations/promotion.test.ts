// The promotion kind on the real engine and an in-memory store, against two
// small stand-ins of n8n that keep workflows, credentials and which are
// active, each call taking a moment: the order of its steps, what runs before
// the freeze, how many calls run at once (the freeze's length), a rollback,
// and that no workflow is ever active on both sides (checked at every change).
// The real-n8n proof is test/e2e/promotion-real.test.ts.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kernel/log/logger.js';
import { openStore, type Store } from '../store/index.js';
import { createOperationEngine, type FaultInjector } from './engine.js';
import { bindKind, OperationError } from './kind.js';
import { promotionKind, SET_ACTIVE_CONCURRENCY, type DedicatedN8n, type PromotionDeps, type RouteState, type SharedPromotionN8n } from './promotion.js';

interface Side {
  workflows: Map<string, Record<string, unknown>>;
  credentials: Map<string, Record<string, unknown>>;
}

const WORKFLOWS = 12;

/** Calls in flight now and at most, by name. */
function gauge() {
  const now = new Map<string, number>();
  const max = new Map<string, number>();
  const counts = new Map<string, number>();
  return {
    max,
    counts,
    count(name: string): void {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    },
    async around<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      now.set(name, (now.get(name) ?? 0) + 1);
      max.set(name, Math.max(max.get(name) ?? 0, now.get(name) as number));
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await fn();
      } finally {
        now.set(name, (now.get(name) as number) - 1);
      }
    },
  };
}

function world() {
  const shared: Side = { workflows: new Map(), credentials: new Map() };
  const dedicated: Side = { workflows: new Map(), credentials: new Map() };
  for (let i = 1; i <= WORKFLOWS; i += 1) {
    const id = `w${String(i).padStart(2, '0')}`;
    shared.workflows.set(id, { id, name: id, active: i <= 8, nodes: i === 1 ? [{ type: 'n8n-nodes-base.webhook', parameters: { path: 'hook-w01' } }] : [], connections: {} });
  }
  for (const id of ['c1', 'c2']) shared.credentials.set(id, { id, name: id, type: 'httpHeaderAuth', data: { value: `secret ${id}` } });
  const both: string[] = [];
  const routes: RouteState[] = [];
  /** Calls in order; the route changes are in it too, so "before the freeze" can be told. */
  const calls: string[] = [];
  const failures: { importCredentials?: Error; importWorkflows?: Error; credentialsImportDelayMs?: number } = {};
  const calls$ = gauge();
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
  const states = (side: Side) => [...side.workflows.values()].map((w) => ({ id: String(w.id), active: w.active === true }));
  /** As the SQL fingerprint: ids and content, activation left out. */
  const fingerprint = (side: Side) => createHash('sha256').update(JSON.stringify((['workflows', 'credentials'] as const).map((what) => [...side[what].values()].map(({ active: _active, ...rest }) => rest).sort((a, b) => String(a.id).localeCompare(String(b.id)))))).digest('hex');
  const sharedN8n: SharedPromotionN8n = {
    async workflows() { calls$.count('shared workflows (SQL)'); return states(shared); },
    async fingerprint() { calls$.count('shared fingerprint (SQL)'); return fingerprint(shared); },
    setActive: (_t, id, active) => calls$.around('shared setActive', () => setActive(shared, id, active)),
    exportItems: (_t, what) => calls$.around('shared export', () => copy(shared[what])),
  };
  const dedicatedN8n: DedicatedN8n = {
    async workflows() { return states(dedicated); },
    setActive: (_t, id, active) => calls$.around('dedicated setActive', () => setActive(dedicated, id, active)),
    exportItems: (_t, what) => calls$.around('dedicated export', () => copy(dedicated[what])),
    async ensureUp() { calls.push('dedicated up'); },
    async healthy() { return true; },
    async stop() { calls.push('dedicated stop'); },
    async deactivateAll() { return true; },
    async ensureOwner() { if (!calls.includes('dedicated owner')) calls.push('dedicated owner'); },
    importItems: (_t, what, items) => calls$.around('dedicated import', async () => {
      if (what === 'credentials' && failures.credentialsImportDelayMs) await new Promise((resolve) => setTimeout(resolve, failures.credentialsImportDelayMs));
      if (what === 'credentials' && failures.importCredentials) throw failures.importCredentials;
      if (what === 'workflows' && failures.importWorkflows) throw failures.importWorkflows;
      // As n8n's CLI: ids kept, overwrites, imported workflows inactive.
      for (const item of items) dedicated[what].set(String(item.id), what === 'workflows' ? { ...structuredClone(item), active: false } : structuredClone(item));
      calls.push(`import ${what}`);
      check();
    }),
    async deleteItems(_t, what, ids) { for (const id of ids) { dedicated[what].delete(id); calls.push(`delete ${what} ${id}`); } },
    async probeWebhook(_t, path) { calls.push(`probe ${path}`); return dedicated.workflows.get('w01')?.active ? 200 : 404; },
  };
  return { shared, dedicated, both, routes, calls, failures, max: calls$.max, counts: calls$.counts, sharedN8n, dedicatedN8n };
}

let store: Store;
let workDir: string;
beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
  workDir = await mkdtemp(join(tmpdir(), 'rp9-promotion-'));
});
afterAll(async () => {
  await store?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

let tenantNo = 0;
function setUp() {
  const w = world();
  const rolledBack: string[] = [];
  const faults: FaultInjector = {};
  const deps: PromotionDeps = {
    shared: w.sharedN8n,
    dedicated: w.dedicatedN8n,
    async route(_tenant, target) { w.routes.push(target); w.calls.push(`route ${target}`); },
    async preMigrationBackup(tenant) { w.calls.push('backup'); return `${tenant}-pre-migration`; },
    masterKey: async () => Buffer.alloc(32, 7),
    workDir,
    events: store.events,
    async onRolledBack(op) { rolledBack.push(op.id); },
  };
  const engine = createOperationEngine({ operations: store.operations, kinds: { promotion: bindKind(promotionKind, deps) }, logger: silentLogger(), runner: 'test', faults });
  tenantNo += 1;
  return { ...w, rolledBack, faults, engine, tenant: `p${tenantNo}` };
}

const input = () => ({ ttlMinutes: 10, window: new Date().toISOString(), commit: 'c1', graceDays: 7 });
const activeIn = (side: Side) => [...side.workflows.values()].filter((w) => w.active).map((w) => w.id);

describe('promotion kind', () => {
  it('moves everything to dedicated: the owner made before the freeze, the recorded workflows active on dedicated only, then switched', async () => {
    const s = setUp();
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status, op.error ?? '').toBe('done');
    expect(op.steps.map((step) => step.name)).toEqual(['backup', 'dedicated-up', 'precopy', 'record', 'freeze', 'export', 'import', 'activate', 'verify', 'switch', 'finish']);
    expect(op.state.activeOnShared).toEqual(['w01', 'w02', 'w03', 'w04', 'w05', 'w06', 'w07', 'w08']);
    // The copy is made before the freeze; nothing changed on shared meanwhile, so the freeze imports nothing.
    expect(s.calls).toEqual(['backup', 'dedicated up', 'dedicated owner', 'import credentials', 'import workflows', 'route frozen', 'probe hook-w01', 'route dedicated']);
    expect(op.state.carried).toBe('precopy');
    expect(activeIn(s.dedicated)).toEqual(op.state.activeOnShared);
    expect(activeIn(s.shared)).toEqual([]);
    expect(op.state.verified).toEqual({ workflows: WORKFLOWS, credentials: 2, webhooks: { 'hook-w01': 200 } });
    expect(s.both).toEqual([]);
  });

  it('shortens the freeze: (de)activates a few workflows at a time, runs the CLI exports of a step side by side', async () => {
    const s = setUp();
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status, op.error ?? '').toBe('done');
    expect(s.max.get('shared setActive')).toBe(SET_ACTIVE_CONCURRENCY);
    expect(s.max.get('dedicated setActive')).toBe(SET_ACTIVE_CONCURRENCY);
    expect(s.max.get('shared export')).toBe(2);
    // One run per container is the dedicated side's job (cli-containers.ts): the kind asks for both at once.
    expect(s.max.get('dedicated export')).toBe(2);
    expect(s.max.get('dedicated import')).toBe(2);
    expect(s.both).toEqual([]);
  });

  it('exports the shared side once, before the freeze: record reads it by SQL, export and verify compare the fingerprint taken at the pre-copy', async () => {
    const s = setUp();
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status, op.error ?? '').toBe('done');
    expect(s.counts.get('shared workflows (SQL)')).toBe(1);
    // The pre-copy's two CLI exports, and nothing else of the shared side's CLI.
    expect(s.counts.get('shared export')).toBe(2);
    // pre-copy, export (unchanged: nothing exported or imported while frozen), verify.
    expect(s.counts.get('shared fingerprint (SQL)')).toBe(3);
    expect(s.counts.get('dedicated import')).toBe(2);
    expect(s.counts.get('dedicated export')).toBe(2);
    expect(op.state.sharedFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(op.state.precopied).toEqual({ workflows: [...s.shared.workflows.keys()].sort(), credentials: ['c1', 'c2'] });
  });

  it('exports again in the freeze when the tenant changed something on shared after the pre-copy: edits imported, deletions removed from dedicated', async () => {
    const s = setUp();
    s.faults.beforeRun = (_op, step) => {
      if (step !== 'record') return;
      s.shared.workflows.get('w10')!.name = 'edited after the pre-copy';
      s.shared.workflows.delete('w11');
      s.shared.credentials.delete('c2');
      s.shared.workflows.set('w20', { id: 'w20', name: 'w20', active: true, nodes: [], connections: {} });
    };
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status, op.error ?? '').toBe('done');
    expect(op.state.carried).toBe('export');
    expect(s.counts.get('shared export')).toBe(4);
    expect(s.counts.get('dedicated import')).toBe(4);
    expect(s.calls.filter((c) => c.startsWith('delete '))).toEqual(['delete credentials c2', 'delete workflows w11']);
    expect([...s.dedicated.workflows.keys()].sort()).toEqual([...s.shared.workflows.keys()].sort());
    expect(s.dedicated.workflows.get('w10')?.name).toBe('edited after the pre-copy');
    expect([...s.dedicated.credentials.keys()]).toEqual(['c1']);
    expect(activeIn(s.dedicated)).toEqual(op.state.activeOnShared);
    expect(op.state.activeOnShared).toContain('w20');
    expect(s.both).toEqual([]);
  });

  it.each([
    ['a workflow edited', (side: Side) => { side.workflows.get('w10')!.name = 'edited on shared during the freeze'; }],
    ['a workflow added', (side: Side) => { side.workflows.set('w99', { id: 'w99', name: 'w99', active: false, nodes: [], connections: {} }); }],
    ['a credential changed', (side: Side) => { side.credentials.get('c2')!.data = { value: 'rotated' }; }],
  ])('rolls back when the shared side changed after the export (%s): promotion.shared-changed, nothing active twice', async (_what, change) => {
    const s = setUp();
    s.faults.beforeRun = (_op, step) => {
      if (step === 'verify') change(s.shared);
    };
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('promotion.shared-changed');
    expect(s.routes).toEqual(['frozen', 'shared']);
    expect(activeIn(s.shared)).toEqual(op.state.activeOnShared);
    expect(activeIn(s.dedicated)).toEqual([]);
    expect(s.both).toEqual([]);
  });

  it('fails the verify when the dedicated side does not hold what was exported: promotion.verify-mismatch', async () => {
    const s = setUp();
    s.faults.beforeRun = (_op, step) => {
      if (step === 'verify') s.dedicated.workflows.delete('w12');
    };
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('promotion.verify-mismatch');
    expect(op.error).toContain('workflows w12 is missing');
    expect(s.both).toEqual([]);
  });

  it('reports the credentials import\'s failure when both imports fail, though the workflows one failed first', async () => {
    const s = setUp();
    s.failures.credentialsImportDelayMs = 50;
    s.failures.importCredentials = new OperationError('n8n.cli-failed', 'import:credentials exited 1');
    s.failures.importWorkflows = new OperationError('n8n.cli-failed', 'import:workflow exited 1');
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status).toBe('rolled-back');
    expect(op.steps.find((step) => step.name === 'precopy')?.error).toContain('import:credentials exited 1');
    expect(s.both).toEqual([]);
  });

  it('rolls back a failed pre-copy before anything is frozen: the tenant never noticed, dedicated stopped', async () => {
    const s = setUp();
    s.failures.importWorkflows = new OperationError('n8n.cli-failed', 'import:workflow exited 1');
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('n8n.cli-failed');
    expect(s.routes).toEqual([]);
    expect(activeIn(s.shared)).toEqual(['w01', 'w02', 'w03', 'w04', 'w05', 'w06', 'w07', 'w08']);
    expect(activeIn(s.dedicated)).toEqual([]);
    expect(s.calls.at(-1)).toBe('dedicated stop');
    expect(s.both).toEqual([]);
  });

  it('rolls back a failed import in the freeze: route back to shared, the recorded workflows active there again, dedicated stopped, nothing active twice', async () => {
    const s = setUp();
    s.faults.beforeRun = (_op, step) => {
      // A change after the pre-copy makes the freeze import; that import fails.
      if (step === 'record') s.shared.workflows.get('w10')!.name = 'edited after the pre-copy';
      if (step === 'import') s.failures.importCredentials = new OperationError('n8n.cli-failed', 'import:credentials exited 1');
    };
    const op = await s.engine.runToEnd((await s.engine.start('promotion', s.tenant, input())).id);
    expect(op.status).toBe('rolled-back');
    expect(op.state.errorCode).toBe('n8n.cli-failed');
    expect(s.routes).toEqual(['frozen', 'shared']);
    expect(activeIn(s.shared)).toEqual(op.state.activeOnShared);
    expect(activeIn(s.dedicated)).toEqual([]);
    expect(s.calls.at(-1)).toBe('dedicated stop');
    expect(s.rolledBack).toEqual([op.id]);
    expect(s.both).toEqual([]);
  });
});
