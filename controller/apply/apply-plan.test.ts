// The executor's orchestration over fake ports that record their calls: the
// ports are I/O (tested against the real engine elsewhere); what is under
// test here is the order, the isolation of tenants and the concurrency cap.
import { describe, expect, it } from 'vitest';
import type { LoadedTenant } from '../../config/types.js';
import { compileDesired } from '../compile/compile-desired.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from '../compile/fixtures.js';
import type { ObservedContainer, ObservedState, Plan } from '../model.js';
import { convergedObserved, NOTHING_OBSERVED } from '../plan/fixtures.js';
import { plan } from '../plan/plan.js';
import { applyPlan, ApplyRefusedError, type ApplyOptions } from './apply-plan.js';
import { fakePorts, PortError, type FakePorts } from './test-support.js';

const platform = examplePlatform();
const context = exampleCompileContext(platform);
const dedicated = (name: string, spec: Partial<LoadedTenant['tenant']['spec']> = {}) =>
  loadedTenant(name, { mode: 'dedicated', plan: 'pro', resources: { cpu: 2, memoryMb: 2048, workers: 2 }, ...spec });
const shared = (name: string) => loadedTenant(name, { mode: 'shared' });

function planFor(desired: LoadedTenant[], observed: ObservedState = NOTHING_OBSERVED): Plan {
  return plan(compileDesired(platform, desired, context), observed, { maxDeletionPercent: 100 });
}

const slept: number[] = [];
const options: ApplyOptions = { concurrency: 4, retry: { attempts: 3, baseMs: 10, maxMs: 40 }, sleep: async (ms) => void slept.push(ms) };

function callsOf(ports: FakePorts, prefix: string): string[] {
  return ports.calls.filter((c) => c.startsWith(prefix));
}

describe('applyPlan: order within a tenant', () => {
  it('creates a dedicated tenant: database, volume, main, waits for main healthy, then the workers, waits for them, then writes the route', async () => {
    const ports = fakePorts();

    const report = await applyPlan(planFor([dedicated('acme')]), ports, options);

    expect(ports.calls).toEqual([
      'acme: ensureDatabase rp9_acme',
      'acme: ensureVolume rp9-acme-data',
      'acme: createContainer rp9-acme-main',
      'rp9-acme-main: waitHealthy',
      'acme: createContainer rp9-acme-worker-1',
      'acme: createContainer rp9-acme-worker-2',
      'rp9-acme-worker-1: waitHealthy',
      'rp9-acme-worker-2: waitHealthy',
      'acme: writeRoute acme',
    ]);
    expect(report).toMatchObject({ applied: 1, failed: 0 });
    expect(report.tenants[0]?.done.map((a) => `${a.op} ${a.kind}`)).toEqual([
      'create database', 'create volume', 'create container', 'create container', 'create container', 'create route',
    ]);
  });

  it('gives a shared tenant its route only, and leaves a converged tenant alone', async () => {
    const ports = fakePorts();
    const converged = convergedObserved(compileDesired(platform, [dedicated('acme')], context));

    const report = await applyPlan(planFor([dedicated('acme'), shared('hooli')], converged), ports, options);

    expect(ports.calls).toEqual(['hooli: writeRoute hooli']);
    expect(report.tenants.map((t) => `${t.tenant} ${t.outcome}`)).toEqual(['acme unchanged', 'hooli applied']);
  });

  it('takes a removed tenant down (containers, route) and keeps its data', async () => {
    const ports = fakePorts();
    const observed = convergedObserved(compileDesired(platform, [dedicated('gone')], context));

    await applyPlan(planFor([], observed), ports, options);

    expect([...ports.calls].sort()).toEqual(['gone: removeRoute', 'rp9-gone-main: removeContainer', 'rp9-gone-worker-1: removeContainer', 'rp9-gone-worker-2: removeContainer']);
    expect(ports.calls.some((c) => c.includes('Database') || c.includes('Volume'))).toBe(false);
  });

  it('creates no worker while main is not healthy (1.x has no migration lock: main migrates a fresh database alone)', async () => {
    const ports = fakePorts({ fail: new Map([['rp9-acme-main: waitHealthy', [new PortError('transient', 'unhealthy', 'docker.unhealthy')]]]) });

    const report = await applyPlan(planFor([dedicated('acme')]), ports, options);

    expect(ports.calls.at(-1)).toBe('rp9-acme-main: waitHealthy');
    expect(ports.calls.filter((c) => c.includes('worker'))).toEqual([]);
    expect(report.tenants[0]).toMatchObject({ outcome: 'failed', error: { code: 'docker.unhealthy', transient: true } });
  });

  it('starts the workers of a resumed tenant after main is healthy', async () => {
    const ports = fakePorts();
    const suspended = convergedObserved(compileDesired(platform, [dedicated('acme', { suspended: true })], context));

    await applyPlan(planFor([dedicated('acme')], suspended), ports, options);

    expect(ports.calls.slice(0, 3)).toEqual(['rp9-acme-main: startContainer', 'rp9-acme-main: waitHealthy', 'rp9-acme-worker-1: startContainer']);
    expect(ports.calls.at(-1)).toBe('acme: writeRoute acme');
  });

  it('waits for a started container to be healthy before pointing the route at it', async () => {
    const ports = fakePorts();
    const desired = compileDesired(platform, [dedicated('acme', { suspended: true })], context);
    const suspended = convergedObserved(desired);

    await applyPlan(planFor([dedicated('acme')], suspended), ports, options);

    const route = ports.calls.indexOf('acme: writeRoute acme');
    const health = ports.calls.filter((c) => c.endsWith('waitHealthy'));
    expect(health).toHaveLength(3);
    expect(health.every((c) => ports.calls.indexOf(c) < route)).toBe(true);
  });
});

describe('applyPlan: recreates', () => {
  const observed = (state: ObservedContainer['state']): ObservedState => {
    const converged = convergedObserved(compileDesired(platform, [dedicated('acme')], context));
    return { ...converged, resources: converged.resources.map((r) => (r.kind === 'container' && r.role === 'worker' && r.name.endsWith('-1') ? { ...r, state } : r)) };
  };

  it.each(['dead', 'removing'] as const)('forces the recreate of a %s container that carries the desired spec', async (state) => {
    const ports = fakePorts();

    await applyPlan(planFor([dedicated('acme')], observed(state)), ports, options);

    expect(ports.calls).toEqual(['acme: recreateContainer rp9-acme-worker-1 force', 'rp9-acme-worker-1: waitHealthy']);
  });

  it('does not force a recreate for a configuration change', async () => {
    const ports = fakePorts();

    await applyPlan(planFor([dedicated('acme', { n8n: { version: '1.124.0' } })], observed('running')), ports, options);

    expect(callsOf(ports, 'acme: recreateContainer')).toEqual([
      'acme: recreateContainer rp9-acme-main',
      'acme: recreateContainer rp9-acme-worker-1',
      'acme: recreateContainer rp9-acme-worker-2',
    ]);
  });
});

describe('applyPlan: failures', () => {
  it('one failing tenant stops at its failed step and does not block the others', async () => {
    const fail = new Map([['bad: createContainer rp9-bad-main', [new PortError('terminal', 'image missing', 'docker.image-missing')]]]);
    const ports = fakePorts({ fail });

    const report = await applyPlan(planFor([dedicated('bad'), dedicated('good'), shared('hooli')]), ports, { ...options, concurrency: 1 });

    expect(callsOf(ports, 'bad')).toEqual(['bad: ensureDatabase rp9_bad', 'bad: ensureVolume rp9-bad-data', 'bad: createContainer rp9-bad-main']);
    expect(ports.calls).toContain('good: writeRoute good');
    expect(ports.calls).toContain('hooli: writeRoute hooli');
    expect(report).toMatchObject({ applied: 2, failed: 1 });
    expect(report.tenants[0]).toMatchObject({
      tenant: 'bad',
      outcome: 'failed',
      error: { code: 'docker.image-missing', transient: false, action: 'create container rp9-bad-main', message: 'create container rp9-bad-main: image missing' },
    });
    expect(report.tenants[0]?.done.map((a) => a.kind)).toEqual(['database', 'volume']);
  });

  it('retries a transient failure with backoff and carries on', async () => {
    slept.length = 0;
    const flaky = new PortError('transient', 'connection reset');
    const ports = fakePorts({ fail: new Map([['hooli: writeRoute hooli', [flaky, flaky]]]) });

    const retries: string[] = [];

    const report = await applyPlan(planFor([shared('hooli')]), ports, { ...options, onRetry: (tenant, action, error, attempt, delayMs) => retries.push(`${tenant} ${action.op} ${action.kind} #${attempt} ${delayMs}ms ${(error as Error).message}`) });

    expect(ports.calls).toEqual(['hooli: writeRoute hooli', 'hooli: writeRoute hooli', 'hooli: writeRoute hooli']);
    expect(slept).toEqual([10, 20]);
    expect(retries).toEqual(['hooli create route #1 10ms connection reset', 'hooli create route #2 20ms connection reset']);
    expect(report.tenants[0]?.outcome).toBe('applied');
  });

  it('does not write the route of a tenant whose containers never become healthy', async () => {
    const ports = fakePorts({ fail: new Map([['rp9-acme-worker-1: waitHealthy', [new PortError('transient', 'unhealthy', 'docker.unhealthy')]]]) });

    const report = await applyPlan(planFor([dedicated('acme')]), ports, options);

    expect(ports.calls).not.toContain('acme: writeRoute acme');
    expect(report.tenants[0]).toMatchObject({ outcome: 'failed', error: { code: 'docker.unhealthy', transient: true } });
  });

  it('refuses a refused plan without calling any port', async () => {
    const ports = fakePorts();
    const refused: Plan = { ...planFor([shared('hooli')]), refused: { code: 'plan.mass-deletion', message: 'too many' } };

    const outcome = await applyPlan(refused, ports, options).then(() => undefined, (error: unknown) => error);

    expect(outcome).toBeInstanceOf(ApplyRefusedError);
    expect(ports.calls).toEqual([]);
  });
});

describe('applyPlan: concurrency', () => {
  it.each([1, 2, 3])('has at most %i tenants in flight', async (concurrency) => {
    const held: (() => void)[] = [];
    let maxHeld = 0;
    const ports = fakePorts({ gate: () => new Promise<void>((resolve) => void held.push(resolve)) });
    const tenants = ['t1', 't2', 't3', 't4', 't5'].map(shared);

    const applying = applyPlan(planFor(tenants), ports, { ...options, concurrency });
    let finished = false;
    void applying.then(() => { finished = true; });
    // Each round: let every runnable tenant reach its port call, count them, release them.
    for (let round = 0; round < 10 && !finished; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      maxHeld = Math.max(maxHeld, held.length);
      for (const release of held.splice(0)) release();
    }
    const report = await applying;

    expect(maxHeld).toBe(concurrency);
    expect(report.applied).toBe(5);
  });
});
