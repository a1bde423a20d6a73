// One reconcile pass over a real config repo (served from a bare git repo),
// the real config tracker and a real store on the test PostgreSQL. Observed
// state is given as a value and the apply ports record their calls: what is
// under test is what the pass writes (events) and logs.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createParseCache } from '../../config/load-config.js';
import { platformYaml, tenantFile } from '../../test/e2e/support/config.js';
import { commitFiles, createConfigRepo, type ConfigRepo } from '../../test/fixtures/git-repo.js';
import { scratchDatabases } from '../../test/harness/scratch-databases.js';
import { fakePorts, PortError, type FakePorts } from '../apply/test-support.js';
import { exampleCompileContext } from '../compile/fixtures.js';
import { createLogger } from '../../kernel/log/logger.js';
import { createMetrics } from '../../kernel/metrics/registry.js';
import type { ObservedResource, ObservedState } from '../model.js';
import { ALL_AVAILABLE } from '../plan/fixtures.js';
import { openSource } from '../../edges/git/index.js';
import { openStore, type Store } from '../store/index.js';
import { createCommitStatusReporter } from './commit-status.js';
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
  pass(): Promise<ReconcileResult>;
}

async function harness(files: Record<string, string>, options: { ports?: FakePorts; maxDeletionPercent?: number } = {}): Promise<Harness> {
  const repo = await createConfigRepo({ 'platform.yaml': platformYaml({ environment: 'rtest', maxDeletionPercent: options.maxDeletionPercent ?? 25 }), ...files });
  const tracker = createConfigTracker(openSource({ url: repo.bare, cacheDir: await mkdtemp(join(tmpdir(), 'rp9-reconciler-')) }), createParseCache());
  const store = await freshStore();
  const lines: string[] = [];
  const logger = createLogger({ stream: { write: (line: string) => lines.push(line) }, level: 'debug', env: {} });
  const h: Harness = {
    repo,
    store,
    ports: options.ports ?? fakePorts(),
    lines,
    observed: { availability: ALL_AVAILABLE, resources: [] },
    pass: () => reconcileOnce({
      tracker,
      compileContext: (platform) => exampleCompileContext(platform),
      observe: async () => h.observed,
      ports: () => h.ports,
      tenantDatabases: true,
      store,
      commitStatus: createCommitStatusReporter(undefined, { environment: () => 'rtest' }),
      metrics: createMetrics({ defaultMetrics: false }),
      logger,
      options: { allowMassDeletion: false, concurrency: 2, retry: { attempts: 3, baseMs: 1, maxMs: 2 } },
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
    expect(events[1]?.message).toBe('The plan is no longer refused (was: 3 of 4 live tenants (75%) would be deleted, more than safety.maxDeletionPercent (25%))');
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
    expect(second.correlationId).not.toBe(first.correlationId);
    expect(secondLines.filter((l) => l.tenant === 'bad').map((l) => l.tenant_correlation_id)).toContain(`${second.correlationId}/bad`);
  });
});
