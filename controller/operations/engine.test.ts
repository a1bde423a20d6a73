import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import { openStore, type Store } from '../store/index.js';
import { createOperationEngine, SimulatedCrash, type FaultInjector } from './engine.js';
import { bindKind, OperationError, StepWaiting, type OperationKind } from './kind.js';

// A toy kind over a toy system (a set of effects): each step adds its effect
// once (it looks before it acts) and its undo removes it.
interface Toy {
  effects: Set<string>;
  runs: string[];
  failAt?: string;
  slowAt?: string;
  /** The step named here waits (StepWaiting) this many more calls before it runs. */
  waitAt?: { step: string; calls: number };
}

function toyKind(names: string[]): OperationKind<Toy> {
  return {
    name: 'toy',
    deadlineSeconds: 3600,
    steps: names.map((name) => ({
      name,
      timeoutSeconds: name === 'slow' ? 0.2 : 5,
      async run(ctx) {
        ctx.deps.runs.push(`${ctx.operation.tenant}:${name}`);
        if (ctx.deps.failAt === name) throw new OperationError('toy.broken', `step ${name} broke`);
        if (ctx.deps.slowAt === name) await new Promise((resolve) => setTimeout(resolve, 2_000));
        if (ctx.deps.waitAt?.step === name && ctx.deps.waitAt.calls-- > 0) throw new StepWaiting(`waiting in ${name}`);
        const effect = `${ctx.operation.tenant}:${name}`;
        if (!ctx.deps.effects.has(effect)) ctx.deps.effects.add(effect);
        return { [`${name}Done`]: true, seen: Object.keys(ctx.state).length };
      },
      async undo(ctx) {
        ctx.deps.effects.delete(`${ctx.operation.tenant}:${name}`);
        return { [`${name}Undone`]: true };
      },
    })),
  };
}

let store: Store;
let tenantSeq = 0;
const nextTenant = () => `t${++tenantSeq}`;

beforeAll(async () => {
  store = await openStore({ memory: true, notify: () => undefined });
});
afterAll(async () => {
  await store?.close();
});

function engine(toy: Toy, options: { faults?: FaultInjector; runner?: string; now?: () => Date; steps?: string[]; lines?: string[] } = {}) {
  const metrics = createMetrics({ defaultMetrics: false });
  const lines = options.lines;
  const e = createOperationEngine({
    operations: store.operations,
    kinds: { toy: bindKind(toyKind(options.steps ?? ['a', 'b', 'c']), toy) },
    logger: lines ? createLogger({ stream: { write: (chunk: string) => void lines.push(chunk) }, env: {} }) : silentLogger(),
    runner: options.runner ?? 'controller',
    metrics,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { e, metrics };
}

describe('operation engine', () => {
  it('logs the audit trail: started, step failed and rolled back with audit, the operation id as correlation id, the tenant and the duration', async () => {
    const lines: string[] = [];
    const { e } = engine({ effects: new Set(), runs: [], failAt: 'b' }, { lines });
    const tenant = nextTenant();
    const op = await e.start('toy', tenant);
    await e.runToEnd(op.id);
    const logged = lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const trail = logged.filter((l) => l.audit === true);

    expect(trail.map((l) => l.msg)).toEqual(['operation started', 'operation step failed', 'operation rolled back']);
    for (const line of trail) expect(line).toMatchObject({ correlation_id: op.id, operation_id: op.id, operation_kind: 'toy', tenant_id: tenant });
    expect(trail[2]?.duration_ms).toEqual(expect.any(Number));
    expect(trail[2]?.duration_ms as number).toBeGreaterThanOrEqual(0);
  });

  it('advances one step per call, journaling each result, and finishes done', async () => {
    const toy: Toy = { effects: new Set(), runs: [] };
    const { e, metrics } = engine(toy);
    const tenant = nextTenant();
    const op = await e.start('toy', tenant, { input: 1 });
    expect(op.steps.map((s) => s.status)).toEqual(['running', 'pending', 'pending']);

    const after1 = await e.step(op.id);
    expect(after1.steps.map((s) => s.status)).toEqual(['done', 'running', 'pending']);
    expect(after1.state).toMatchObject({ input: 1, runner: 'controller', aDone: true });
    expect(toy.runs).toEqual([`${tenant}:a`]);

    const done = await e.runToEnd(op.id);
    expect(done.status).toBe('done');
    expect(toy.runs).toEqual([`${tenant}:a`, `${tenant}:b`, `${tenant}:c`]);
    expect([...toy.effects].sort()).toEqual([`${tenant}:a`, `${tenant}:b`, `${tenant}:c`]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('rp9_operations_total{kind="toy",result="done"} 1');
    expect(text).toMatch(/rp9_operation_step_duration_seconds_count\{kind="toy",step="b"\} 1/);
  });

  it('on a failed step undoes it and the completed steps in reverse order, then closes rolled-back', async () => {
    const toy: Toy = { effects: new Set(), runs: [], failAt: 'c' };
    const undone: string[] = [];
    const { e, metrics } = engine(toy, { faults: { beforeUndo: (_op, step) => void undone.push(step) } });
    const tenant = nextTenant();
    const op = await e.start('toy', tenant);
    const end = await e.runToEnd(op.id);

    expect(end.status).toBe('rolled-back');
    expect(end.error).toBe('[toy.broken] step c broke');
    expect(end.state.errorCode).toBe('toy.broken');
    expect(end.steps.map((s) => s.status)).toEqual(['rolled-back', 'rolled-back', 'rolled-back']);
    expect(undone).toEqual(['c', 'b', 'a']);
    expect(end.state).toMatchObject({ aUndone: true, bUndone: true, cUndone: true });
    expect([...toy.effects].filter((x) => x.startsWith(`${tenant}:`))).toEqual([]);
    expect(await metrics.registry.metrics()).toContain('rp9_operations_total{kind="toy",result="rolled-back"} 1');
  });

  it('a step that throws StepWaiting stays running, journals nothing and runs again on the next call', async () => {
    const toy: Toy = { effects: new Set(), runs: [], waitAt: { step: 'b', calls: 2 } };
    const { e } = engine(toy);
    const tenant = nextTenant();
    const op = await e.start('toy', tenant);
    await e.step(op.id);
    const waiting1 = await e.step(op.id);
    const waiting2 = await e.step(op.id);
    expect(waiting2.steps.map((s) => s.status)).toEqual(['done', 'running', 'pending']);
    expect(waiting2.status).toBe('running');
    expect(waiting1.updatedAt).toEqual(waiting2.updatedAt);
    const moved = await e.step(op.id);
    expect(moved.steps.map((s) => s.status)).toEqual(['done', 'done', 'running']);
    expect(toy.runs).toEqual([`${tenant}:a`, `${tenant}:b`, `${tenant}:b`, `${tenant}:b`]);
  });

  it('fails a step that outlives its timeout and an operation past its deadline', async () => {
    const slow: Toy = { effects: new Set(), runs: [], slowAt: 'slow' };
    const { e } = engine(slow, { steps: ['slow'] });
    const op = await e.start('toy', nextTenant());
    const failed = await e.step(op.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^\[operations\.step-timeout\] toy .* slow took longer than 0 s/);

    const late = engine({ effects: new Set(), runs: [] }, { now: () => new Date(Date.now() + 2 * 3600_000) });
    const op2 = await late.e.start('toy', nextTenant());
    const after = await late.e.step(op2.id);
    expect(after.status).toBe('failed');
    expect(after.error).toMatch(/^\[operations\.deadline-exceeded\]/);
  });

  it('a kind may extend one operation\'s deadline from its journal (an upgrade keeping green for hours)', async () => {
    const kind = { ...toyKind(['a']), deadlineExtensionSeconds: (op: { state: Record<string, unknown> }) => Number(op.state.extra ?? 0) };
    const late = createOperationEngine({ operations: store.operations, kinds: { toy: bindKind(kind, { effects: new Set<string>(), runs: [] } as Toy) }, logger: silentLogger(), runner: 'controller', now: () => new Date(Date.now() + 2 * 3600_000) });

    const extended = await late.step((await late.start('toy', nextTenant(), { extra: 7200 })).id);
    const plain = await late.step((await late.start('toy', nextTenant())).id);

    expect(extended.status).toBe('done');
    expect(plain.error).toMatch(/^\[operations\.deadline-exceeded\]/);
  });

  it('aborts a running operation through the same undo path', async () => {
    const toy: Toy = { effects: new Set(), runs: [] };
    const { e } = engine(toy);
    const tenant = nextTenant();
    const op = await e.start('toy', tenant);
    await e.step(op.id);
    const aborted = await e.abort(op.id, 'operator said stop');
    expect(aborted.error).toBe('[operations.aborted] operator said stop');
    const end = await e.runToEnd(op.id);
    expect(end.status).toBe('rolled-back');
    expect(toy.effects.has(`${tenant}:a`)).toBe(false);
  });

  it('a failure journaled from outside the runner at an allowed step (a rollback on demand) takes the same undo path; at another step it is refused', async () => {
    const toy: Toy = { effects: new Set(), runs: [], waitAt: { step: 'b', calls: 100 } };
    const { e } = engine(toy);
    const tenant = nextTenant();
    const op = await e.start('toy', tenant);
    await e.step(op.id);
    await e.step(op.id);

    await expect(store.operations.fail(op.id, 'too early', {}, { atSteps: ['c'] })).rejects.toMatchObject({ code: 'store.conflict' });
    await store.operations.fail(op.id, '[toy.requested] roll back', { errorCode: 'toy.requested' }, { atSteps: ['b', 'c'] });
    const end = await e.runToEnd(op.id);

    expect(end.status).toBe('rolled-back');
    expect(end.steps.map((s) => s.status)).toEqual(['rolled-back', 'rolled-back', 'pending']);
    expect(toy.effects.has(`${tenant}:a`)).toBe(false);
  });

  it('keeps one unfinished operation per tenant', async () => {
    const { e } = engine({ effects: new Set(), runs: [] });
    const tenant = nextTenant();
    await e.start('toy', tenant);
    await expect(e.start('toy', tenant)).rejects.toMatchObject({ code: 'store.operation-in-progress' });
  });

  // The crash matrix: a crash before and after each step's run (after = its effect
  // is there but the journal does not know). A fresh engine resumes from the
  // journal; every effect ends up applied once and the operation done.
  const steps = ['a', 'b', 'c'];
  const points = steps.flatMap((step) => (['beforeRun', 'afterRun'] as const).map((point) => ({ step, point })));
  it.each(points)('resumes after a crash $point $step', async ({ step, point }) => {
    const toy: Toy = { effects: new Set(), runs: [] };
    let crashed = false;
    const crashOnce = (_op: unknown, name: string) => {
      if (name === step && !crashed) {
        crashed = true;
        throw new SimulatedCrash(`${point} ${name}`);
      }
    };
    const first = engine(toy, { faults: { [point]: crashOnce } });
    const tenant = nextTenant();
    const op = await first.e.start('toy', tenant);
    await expect(first.e.runToEnd(op.id)).rejects.toBeInstanceOf(SimulatedCrash);
    const journaled = await store.operations.get(op.id);
    expect(journaled?.status).toBe('running');
    expect(journaled?.steps[steps.indexOf(step)]?.status).toBe('running');

    const second = engine(toy);
    const resumed = await second.e.pass();
    expect(resumed.map((o) => o.id)).toContain(op.id);
    const end = await second.e.runToEnd(op.id);
    expect(end.status).toBe('done');
    expect([...toy.effects].filter((x) => x.startsWith(`${tenant}:`)).sort()).toEqual(steps.map((s) => `${tenant}:${s}`));
    // The crashed step ran again only when the crash came after its run.
    expect(toy.runs.filter((r) => r === `${tenant}:${step}`)).toHaveLength(point === 'afterRun' ? 2 : 1);
  });

  it('leaves an operation to the runner that started it until it has been quiet for its step timeout', async () => {
    const toy: Toy = { effects: new Set(), runs: [] };
    const cli = engine(toy, { runner: 'cli:alice' });
    const op = await cli.e.start('toy', nextTenant());
    const controller = engine(toy);
    expect((await controller.e.pass()).map((o) => o.id)).not.toContain(op.id);
    const later = engine(toy, { now: () => new Date(Date.now() + 10 * 60_000) });
    expect((await later.e.pass()).map((o) => o.id)).toContain(op.id);
  });
});
