// One reconcile pass over a real config repo (served from a bare git repo),
// the real config tracker and a real store on the test PostgreSQL. Observed
// state is given as a value and the apply ports record their calls: what is
// under test is what the pass writes (events) and logs.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createParseCache } from '../../config/load-config.js';
import { platformYaml, tenantFile } from '../../test/e2e/support/config.js';
import { commitFiles, createConfigRepo, type ConfigRepo } from '../../test/fixtures/git-repo.js';
import { tempDir } from '../../test/harness/temp-dirs.js';
import { until } from '../../test/harness/wait.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { fakePorts, PortError, type FakePorts } from '../apply/test-support.js';
import { exampleCompileContext } from '../compile/fixtures.js';
import { createLogger } from '../../kernel/log/logger.js';
import { createMetrics, type Metrics } from '../../kernel/metrics/registry.js';
import type { ObservedResource, ObservedState } from '../model.js';
import { ALL_AVAILABLE, observedFrom } from '../plan/fixtures.js';
import { openSource } from '../../edges/git/index.js';
import { openStore, type Store } from '../store/index.js';
import { createCommitStatusReporter, type CommitStatus } from './commit-status.js';
import { createConfigTracker } from './config-tracker.js';
import { reconcileOnce, type ReconcileResult } from './reconciler.js';

const databases = scratchDatabases(inject('postgresUrl'), 'rp9_reconciler_test');
const stores: Store[] = [];

async function freshStore(): Promise<Store> {
  const store = await openStore({ databaseUrl: await databases.create() });
  stores.push(store);
  return store;
}

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  await databases.dropAll();
});

const route = (tenant: string): ObservedResource => ({ kind: 'route', name: tenant, tenant, hash: 'h', hosts: [`${tenant}.test`] });

interface Harness {
  repo: ConfigRepo;
  store: Store;
  ports: FakePorts;
  lines: string[];
  observed: ObservedState;
  metrics: Metrics;
  pass(): Promise<ReconcileResult>;
}

interface HarnessOptions {
  ports?: FakePorts;
  maxDeletionPercent?: number;
  allowDeletion?: { tenants: string[]; reason: string };
  /** --allow-mass-deletion <commit>, given the first commit's sha. */
  allowCommit?: (firstCommit: string) => string;
  /** Receives every commit status the pass reports. */
  statuses?: CommitStatus[];
  /** Receives each tenant whose status the pass recorded, as it is recorded. */
  recorded?: string[];
  runtime?: 'swarm';
}

async function harness(files: Record<string, string>, options: HarnessOptions = {}): Promise<Harness> {
  const platform = platformYaml({ environment: 'rtest', ...(options.runtime ? { runtime: options.runtime } : {}), maxDeletionPercent: options.maxDeletionPercent ?? 25, ...(options.allowDeletion ? { allowDeletion: options.allowDeletion } : {}) });
  const repo = await createConfigRepo({ 'platform.yaml': platform, ...files });
  const allowMassDeletionCommit = options.allowCommit?.(repo.head);
  const tracker = createConfigTracker(openSource({ url: repo.bare, cacheDir: await tempDir('rp9-reconciler-') }), createParseCache());
  const store = await freshStore();
  const lines: string[] = [];
  const logger = createLogger({ stream: { write: (line: string) => lines.push(line) }, level: 'debug', env: {} });
  const h: Harness = {
    repo,
    store,
    ports: options.ports ?? fakePorts(),
    lines,
    observed: { availability: ALL_AVAILABLE, resources: [] },
    metrics: createMetrics({ defaultMetrics: false }),
    pass: () => reconcileOnce({
      tracker,
      compileContext: (platform) => exampleCompileContext(platform),
      observe: async () => h.observed,
      ports: () => h.ports,
      tenantDatabases: true,
      store,
      commitStatus: options.statuses
        ? { report: async (status) => void options.statuses!.push(status), close: () => undefined }
        : createCommitStatusReporter(undefined, { environment: () => 'rtest' }),
      metrics: h.metrics,
      logger,
      ...(options.recorded ? { onTenantRecorded: (tenant: string) => void options.recorded!.push(tenant) } : {}),
      options: { concurrency: 2, retry: { attempts: 3, baseMs: 1, maxMs: 2 }, allowMassDeletionCommit },
    }),
  };
  return h;
}

async function refusals(store: Store): Promise<{ commit: string | null; message: string }[]> {
  const events = await store.events.recent({ tenant: null, limit: 50 });
  return events.filter((e) => e.reason === 'PlanRefused').map((e) => ({ commit: e.commit, message: e.message }));
}

describe('reconcileOnce: PlanRefused events', () => {
  it('records a refusal once per commit and message, however many passes meet it', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'shared' }));
    h.observed = { availability: ALL_AVAILABLE, resources: ['acme', 'old1', 'old2', 'old3'].map(route) };

    const first = await h.pass();
    const second = await h.pass();
    const afterRepeat = await refusals(h.store);
    h.observed = { availability: ALL_AVAILABLE, resources: ['acme', 'old1', 'old2', 'old3', 'old4'].map(route) };
    await h.pass();
    await h.pass();
    const afterChange = await refusals(h.store);
    const next = await commitFiles(h.repo, tenantFile({ name: 'beta', mode: 'shared' }));
    await h.pass();
    await h.pass();
    const afterCommit = await refusals(h.store);

    expect([first.kind, second.kind]).toEqual(['refused', 'refused']);
    expect(afterRepeat).toEqual([{ commit: first.commit, message: expect.stringMatching(/^3 of 4 live tenants/) }]);
    expect(afterChange.map((e) => e.message.slice(0, 24))).toEqual(['4 of 5 live tenants (80%', '3 of 4 live tenants (75%']);
    expect(afterCommit.map((e) => e.commit)).toEqual([next, first.commit, first.commit]);
    expect(h.ports.calls).toEqual([]);
  });

  it('closes a refusal with PlanAccepted once, and records it again when it comes back', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'shared' }));
    const refusedState: ObservedState = { availability: ALL_AVAILABLE, resources: ['acme', 'old1', 'old2', 'old3'].map(route) };
    h.observed = refusedState;
    await h.pass();
    h.observed = { availability: ALL_AVAILABLE, resources: [route('acme')] };
    const accepted = await h.pass();
    await h.pass();
    h.observed = refusedState;

    await h.pass();

    const events = await h.store.events.recent({ tenant: null, limit: 50 });
    expect(accepted.kind).not.toBe('refused');
    expect(events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Warning PlanRefused', 'Normal PlanAccepted', 'Warning PlanRefused']);
    expect(events[1]?.message).toBe('The plan is no longer refused (was: 3 of 4 live tenants (75%) would be deleted (old1, old2, old3), more than safety.maxDeletionPercent (25%))');
  });
});

describe('reconcileOnce: overrides of the mass-deletion rail', () => {
  const fourLive: ObservedState = { availability: ALL_AVAILABLE, resources: ['acme', 'old1', 'old2', 'old3'].map(route) };
  const logged = (h: Harness) => h.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('names both overrides in the refusal, and applies nothing', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'shared' }));
    h.observed = fourLive;

    const result = await h.pass();

    expect(result.kind).toBe('refused');
    expect(result.plan?.refused?.message).toContain('spec.safety.allowDeletion.tenants in platform.yaml');
    expect(result.plan?.refused?.message).toContain('--allow-mass-deletion <commit>');
    expect((await refusals(h.store))[0]?.message).toContain('spec.safety.allowDeletion');
    expect(h.ports.calls).toEqual([]);
  });

  it('applies the removals that spec.safety.allowDeletion lists, and says so in the log', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'shared' }), { allowDeletion: { tenants: ['old1', 'old2', 'old3'], reason: 'trial accounts closed' } });
    h.observed = fourLive;

    const result = await h.pass();

    expect(result.kind).toBe('applied');
    expect(result.plan?.deletionOverride).toEqual({ by: 'safety.allowDeletion', tenants: ['old1', 'old2', 'old3'], reason: 'trial accounts closed' });
    expect(h.ports.calls.filter((c) => c.endsWith('removeRoute')).sort()).toEqual(['old1: removeRoute', 'old2: removeRoute', 'old3: removeRoute']);
    expect(logged(h).find((l) => l.msg === 'removals allowed past the mass-deletion rail by an override')).toMatchObject({ override: 'safety.allowDeletion', tenants: ['old1', 'old2', 'old3'] });
    const events = await h.store.events.recent({ tenant: null, limit: 10 });
    expect(events.map((e) => [e.type, e.reason, e.message, e.commit])).toEqual([['Warning', 'DeletionAllowed', 'Removal of old1, old2, old3 allowed by safety.allowDeletion: trial accounts closed', result.commit]]);
  });

  it('records the override once per commit, however many passes rely on it', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'shared' }), { allowDeletion: { tenants: ['old1', 'old2', 'old3'], reason: 'trials' }, ports: fakePorts({ fail: new Map([['old1: removeRoute', [new PortError('terminal', 'busy')]]]) }) });
    h.observed = fourLive;

    await h.pass();
    await h.pass();

    expect((await h.store.events.recent({ tenant: null, limit: 10 })).map((e) => e.reason)).toEqual(['DeletionAllowed']);
  });

  it('still refuses removals the list does not name', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'shared' }), { allowDeletion: { tenants: ['old1'], reason: 'one trial closed' } });
    h.observed = fourLive;

    const result = await h.pass();

    expect(result.kind).toBe('refused');
    expect(result.plan?.refused?.message).toMatch(/^2 of 4 live tenants \(50%\) would be deleted \(old2, old3\), besides 1 listed in spec.safety.allowDeletion/);
    expect(h.ports.calls).toEqual([]);
  });

  it('lets --allow-mass-deletion <commit> through for that commit only', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'shared' }), { allowCommit: (first) => first.slice(0, 10) });
    h.observed = fourLive;

    const first = await h.pass();
    await commitFiles(h.repo, tenantFile({ name: 'beta', mode: 'shared' }));
    const later = await h.pass();

    expect(first.kind).toBe('applied');
    expect(first.plan?.deletionOverride?.by).toBe('--allow-mass-deletion');
    expect(later.kind).toBe('refused');
    expect(later.commit).not.toBe(first.commit);
  });
});

describe('reconcileOnce: commit statuses', () => {
  it('keeps the commit pending while a failure is transient, and fails it only for a terminal one', async () => {
    const diskBusy = () => new PortError('transient', 'disk busy');
    const ports = fakePorts({
      fail: new Map([
        ['hooli: writeRoute hooli', [diskBusy(), diskBusy(), diskBusy()]],
        ['bad: createContainer rp9-bad-main', [new PortError('terminal', 'no such image', 'docker.image-missing')]],
      ]),
    });
    const transientOnly: CommitStatus[] = [];
    const h = await harness({ ...tenantFile({ name: 'hooli', mode: 'shared' }) }, { ports, statuses: transientOnly });

    const retried = await h.pass();
    const cleared = await h.pass();
    await commitFiles(h.repo, tenantFile({ name: 'bad' }));
    const terminal = await h.pass();

    expect(retried.failures).toEqual([expect.objectContaining({ tenant: 'hooli', transient: true })]);
    expect(cleared.failures).toEqual([]);
    expect(terminal.failures).toEqual([expect.objectContaining({ tenant: 'bad', transient: false })]);
    expect(transientOnly.map((s) => `${s.commit === retried.commit ? 'first' : 'second'} ${s.state}: ${s.description}`)).toEqual([
      'first pending: applying',
      'first pending: retrying 1 tenant with backoff: hooli: create route hooli: disk busy',
      'first success: applied 1/1 tenants',
      'second pending: applying',
      'second failure: bad: create container rp9-bad-main: no such image',
    ]);
  });
});

describe('reconcileOnce: each tenant recorded as its apply ends', () => {
  const ready = async (store: Store, tenant: string) => (await store.status.get(tenant))?.conditions.find((c) => c.type === 'Ready')?.status;

  it('shows a fast tenant Ready while a slow one is still applying, and the slow one once it is healthy', async () => {
    let releaseSlow!: () => void;
    const slowHealthy = new Promise<void>((resolve) => (releaseSlow = resolve));
    const ports = fakePorts({ gate: (call) => (call === 'rp9-slow-main: waitHealthy' ? slowHealthy : Promise.resolve()) });
    const statuses: CommitStatus[] = [];
    const recorded: string[] = [];
    const h = await harness({ ...tenantFile({ name: 'slow' }), ...tenantFile({ name: 'fast', mode: 'shared' }) }, { ports, statuses, recorded });

    const pass = h.pass();
    let meanwhile: { slow: string | undefined; recorded: string[]; statuses: string[]; lastCall: string | undefined };
    try {
      await until('fast to be Ready while slow waits for its health check', async () => (await ready(h.store, 'fast')) === 'True', { timeoutMs: 15_000 });
      meanwhile = { slow: await ready(h.store, 'slow'), recorded: [...recorded], statuses: statuses.map((s) => s.state), lastCall: h.ports.calls.at(-1) };
    } finally {
      releaseSlow(); // whatever the wait found: no pass is left hanging
    }
    const result = await pass;

    expect(meanwhile.lastCall).toBe('rp9-slow-main: waitHealthy');
    expect(meanwhile.slow).not.toBe('True');
    expect(meanwhile.recorded).toEqual(['fast']);
    // The commit status speaks for the whole pass: still "applying" until every tenant is done.
    expect(meanwhile.statuses).toEqual(['pending']);
    expect(await ready(h.store, 'slow')).toBe('True');
    expect(recorded.sort()).toEqual(['fast', 'slow']);
    expect(result.kind).toBe('applied');
    expect(statuses.map((s) => `${s.state}: ${s.description}`)).toEqual(['pending: applying', 'success: applied 2/2 tenants']);
    // Recorded once each: one Applied event per tenant.
    const events = await h.store.events.recent({ limit: 50 });
    expect(events.map((e) => `${String(e.tenant)} ${e.reason}`).sort()).toEqual(['fast Applied', 'slow Applied']);
  });

  it('lists failures in plan order whatever order the tenants finished in', async () => {
    let releaseAlpha!: () => void;
    const alphaGate = new Promise<void>((resolve) => (releaseAlpha = resolve));
    const ports = fakePorts({
      gate: (call) => (call === 'alpha: writeRoute alpha' ? alphaGate : Promise.resolve()),
      fail: new Map([
        ['alpha: writeRoute alpha', [new PortError('terminal', 'read-only file system')]],
        ['beta: writeRoute beta', [new PortError('terminal', 'read-only file system')]],
      ]),
    });
    const recorded: string[] = [];
    const h = await harness({ ...tenantFile({ name: 'alpha', mode: 'shared' }), ...tenantFile({ name: 'beta', mode: 'shared' }) }, { ports, recorded });

    const pass = h.pass();
    try {
      await until('beta to be recorded first', () => recorded.includes('beta'), { timeoutMs: 15_000 });
    } finally {
      releaseAlpha();
    }
    const result = await pass;

    expect(recorded).toEqual(['beta', 'alpha']);
    expect(result.failures.map((f) => f.tenant)).toEqual(['alpha', 'beta']);
  });
});

describe('reconcileOnce: logs', () => {
  type Line = Record<string, unknown>;

  it('tags every line about a tenant with <reconcile id>/<tenant> next to the reconcile id', async () => {
    const ports = fakePorts({
      fail: new Map([
        ['hooli: writeRoute hooli', [new PortError('transient', 'disk busy')]],
        ['bad: createContainer rp9-bad-main', [new PortError('terminal', 'no such image', 'docker.image-missing')]],
      ]),
    });
    const h = await harness({ ...tenantFile({ name: 'hooli', mode: 'shared' }), ...tenantFile({ name: 'acme' }), ...tenantFile({ name: 'bad' }) }, { ports });

    const first = await h.pass();
    const firstLines = h.lines.splice(0).map((l) => JSON.parse(l) as Line);
    const second = await h.pass();
    const secondLines = h.lines.map((l) => JSON.parse(l) as Line);

    const tenantLines = firstLines.filter((l) => l.tenant !== undefined);
    expect(new Set(tenantLines.map((l) => `${String(l.tenant)} ${String(l.msg)}`))).toEqual(new Set([
      'acme action applied', 'acme tenant applied',
      'bad action applied', 'bad action failed', 'bad tenant failed',
      'hooli action retrying', 'hooli action applied', 'hooli tenant applied',
    ]));
    for (const line of tenantLines) {
      expect(line).toMatchObject({ correlation_id: first.correlationId, tenant_correlation_id: `${first.correlationId}/${String(line.tenant)}` });
    }
    expect(firstLines.find((l) => l.msg === 'reconcile finished')).toMatchObject({ correlation_id: first.correlationId });
    expect(firstLines.find((l) => l.msg === 'reconcile finished')).not.toHaveProperty('tenant_correlation_id');
    expect(firstLines.find((l) => l.msg === 'tenant failed')).toMatchObject({ code: 'docker.image-missing', transient: false });
    // The audit trail: applied and failed changes and applied tenants, each with the commit; retries are not changes.
    expect(new Set(tenantLines.filter((l) => l.audit === true).map((l) => `${String(l.tenant_id)} ${String(l.msg)}`))).toEqual(new Set([
      'acme action applied', 'acme tenant applied', 'bad action applied', 'bad action failed', 'hooli action applied', 'hooli tenant applied',
    ]));
    for (const line of tenantLines.filter((l) => l.audit === true)) expect(line.commit).toEqual(expect.stringMatching(/^[0-9a-f]{40}$/));
    expect(second.correlationId).not.toBe(first.correlationId);
    expect(secondLines.filter((l) => l.tenant === 'bad').map((l) => l.tenant_correlation_id)).toContain(`${second.correlationId}/bad`);
  });
});

describe('reconcileOnce: without Docker', () => {
  const noDocker: ObservedState = { availability: { ...ALL_AVAILABLE, docker: { available: false, reason: 'connect ENOENT /var/run/docker.sock' } }, resources: [] };

  it('applies shared routes, holds dedicated tenants as waiting for Docker (not failed), and stamps rp9_last_applied_timestamp_seconds', async () => {
    const h = await harness({ ...tenantFile({ name: 'hooli', mode: 'shared' }), ...tenantFile({ name: 'acme' }) });
    h.observed = noDocker;
    const before = Date.now() / 1000;

    const result = await h.pass();
    const callsOfFirstPass = [...h.ports.calls];
    const second = await h.pass();

    const acme = await h.store.status.get('acme');
    const hooli = await h.store.status.get('hooli');
    const condition = (type: string) => acme?.conditions.find((c) => c.type === type);
    expect(callsOfFirstPass).toEqual(['hooli: writeRoute hooli']);
    expect(hooli?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect([condition('Ready')?.status, condition('Ready')?.reason]).toEqual(['False', 'WaitingForDocker']);
    expect([condition('Reconciling')?.status, condition('Stalled')?.status]).toEqual(['True', 'False']);
    expect(acme?.phase).toBe('provisioning');
    const events = await h.store.events.recent({ tenant: 'acme', limit: 10 });
    expect(events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Normal WaitingForDocker']);
    expect(result.failures.map((f) => `${f.tenant} ${f.code} ${f.transient}`)).toEqual(['acme docker.waiting-for-docker true']);
    expect(result.retrySoon).toBe(true);
    const stamp = (await h.metrics.lastAppliedTimestamp.get()).values[0]?.value ?? 0;
    expect(stamp).toBeGreaterThanOrEqual(Math.floor(before));
    const info = (await h.metrics.lastAppliedCommitInfo.get()).values.map((v) => v.labels.commit);
    expect(info).toEqual([result.commit]);
    expect(second.kind).toBe('failed');
  });
});

describe('reconcileOnce: rp9_enforcement_events_total counts what the controller applied', () => {
  const throttle = '{ reason: "enforcement: apiCallsHourly at 96 % of 1,000 in 2026-12", limit: apiCallsHourly, requestsPerMinute: 17, burst: 17 }';
  const suspendedReason = 'enforcement: executionsMonthly at 100 % of 1,000 in 2026-12';

  async function counts(metrics: Metrics): Promise<string[]> {
    return (await metrics.enforcementEvents.get()).values.map((v) => `${v.labels.tenant} ${v.labels.action} ${v.labels.limit_type} ${v.value}`).sort();
  }

  it('a throttle, an enforcement suspension and their lifting count once each; a suspension by hand and passes over the same commit count nothing', async () => {
    const h = await harness({ ...tenantFile({ name: 'hooli', mode: 'shared' }), ...tenantFile({ name: 'byhand', mode: 'shared' }) });
    await h.pass();
    expect(await counts(h.metrics)).toEqual([]);

    await commitFiles(h.repo, { ...tenantFile({ name: 'hooli', mode: 'shared', throttle }), ...tenantFile({ name: 'byhand', mode: 'shared', suspended: true }) });
    await h.pass();
    await h.pass();
    expect(await counts(h.metrics)).toEqual(['hooli throttle apiCallsHourly 1']);
    const throttled = await h.store.status.get('hooli');
    expect(throttled?.conditions.find((c) => c.type === 'Throttled')).toMatchObject({ status: 'True', reason: 'ApiCallsHourly' });
    expect((await h.store.status.get('byhand'))?.conditions.find((c) => c.type === 'Suspended')).toMatchObject({ status: 'True', reason: 'Manual' });

    await commitFiles(h.repo, tenantFile({ name: 'hooli', mode: 'shared', throttle, suspended: true, suspendedReason }));
    await h.pass();
    await h.pass();
    expect(await counts(h.metrics)).toEqual(['hooli suspend executionsMonthly 1', 'hooli throttle apiCallsHourly 1']);

    await commitFiles(h.repo, { ...tenantFile({ name: 'hooli', mode: 'shared' }), ...tenantFile({ name: 'byhand', mode: 'shared' }) });
    await h.pass();
    await h.pass();
    expect(await counts(h.metrics)).toEqual(['hooli lift apiCallsHourly 1', 'hooli lift executionsMonthly 1', 'hooli suspend executionsMonthly 1', 'hooli throttle apiCallsHourly 1']);
    const lifted = await h.store.status.get('hooli');
    expect(lifted?.conditions.filter((c) => c.type === 'Throttled' || c.type === 'Suspended').map((c) => `${c.type} ${c.status}`).sort()).toEqual(['Suspended False', 'Throttled False']);
    const events = await h.store.events.recent({ tenant: 'hooli', limit: 20 });
    expect(events.map((e) => e.reason).filter((r) => ['Throttled', 'ThrottleLifted', 'Suspended', 'Activated'].includes(r)).reverse()).toEqual(['Throttled', 'Suspended', 'Activated', 'ThrottleLifted']);
  });
});

describe('reconcileOnce on a swarm (spec.runtime: swarm)', () => {
  it('reads a tenant degraded while a service is short of running tasks, and Ready again once they run', async () => {
    const h = await harness(tenantFile({ name: 'acme', mode: 'dedicated' }), { runtime: 'swarm' });
    const first = await h.pass();
    expect(h.ports.calls.filter((c) => c.includes('Service'))).toEqual(['acme: applyService rp9-acme-main', 'acme: applyService rp9-acme-worker']);
    const converged = (first.plan?.tenants[0]?.actions ?? []).flatMap((a) => (a.desired ? [observedFrom(a.desired)] : []));
    const lost = converged.map((r) => (r.kind === 'service' && r.role === 'worker' ? { ...r, running: 0, waiting: ['no suitable node (1 node not available for new tasks)'] } : r));
    const ready = async () => (await h.store.status.get('acme'))?.conditions.filter((c) => c.type !== 'Stalled').map((c) => `${c.type}=${c.status} ${c.reason}`);

    h.observed = { availability: ALL_AVAILABLE, resources: lost };
    const degraded = await h.pass();
    const whileLost = await ready();
    const message = (await h.store.status.get('acme'))?.conditions.find((c) => c.type === 'Ready')?.message;
    h.observed = { availability: ALL_AVAILABLE, resources: converged };
    await h.pass();

    expect(degraded.failures).toEqual([{ tenant: 'acme', code: 'swarm.degraded', message: 'degraded: rp9-acme-worker: 0/1 tasks running (no suitable node (1 node not available for new tasks))', transient: true }]);
    expect(whileLost).toEqual(['Ready=False Degraded', 'Reconciling=True ProgressingWithRetry']);
    expect(message).toContain('rp9-acme-worker: 0/1 tasks running');
    expect(await ready()).toEqual(['Ready=True ReconciliationSucceeded', 'Reconciling=False ReconciliationSucceeded']);
  });
});
