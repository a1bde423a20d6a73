import { describe, expect, it } from 'vitest';
import type { DesiredContainer } from '../model.js';
import { compileTenant, compileTenantWith } from './compile-tenant.js';
import { containerTemplate } from './containers.js';
import { createCompileContext, defaultHealthcheck, type CompileContextInput } from './context.js';
import { examplePlatform, loadedTenant, type TenantSpecInput } from './fixtures.js';
import { canonicalJson } from './hash.js';

const platform = examplePlatform();
const base: CompileContextInput = { redis: { host: 'redis', port: 6379 }, postgres: { host: 'postgres', port: 5432 }, suspendedUrl: 'http://rp9:8080/suspended' };

const contexts: CompileContextInput[] = [
  base,
  { ...base, network: 'rp9-b' },
  { ...base, environment: 'staging' },
  { ...base, redis: { host: 'redis-2', port: 6379 } },
  { ...base, postgres: { host: 'postgres', port: 5433 } },
  { ...base, n8nPort: 8000 },
  { ...base, runnersBrokerPort: 5680 },
  { ...base, listenAddress: '::' },
  { ...base, dataPath: '/data' },
  { ...base, healthcheck: { ...defaultHealthcheck(5678), retries: 3 } },
  { ...base, suspendedUrl: 'http://elsewhere:1/' },
  { ...base, traefik: { certResolver: null } },
];
const specs: TenantSpecInput[] = [
  { mode: 'dedicated', resources: { workers: 2 } },
  { mode: 'dedicated', resources: { workers: 2, cpu: 3, memoryMb: 4096 } },
  { mode: 'dedicated', resources: { workers: 2 }, suspended: true },
  { mode: 'dedicated', resources: { workers: 2 }, n8n: { version: '1.124.0' } },
  { mode: 'dedicated', resources: { workers: 2 }, subdomain: 'other' },
  { mode: 'dedicated', resources: { workers: 2 }, customDomains: ['n8n.example.org'] },
];

/** Everything a change of which needs a new container, per the model. */
function recreateView(container: DesiredContainer): string {
  const { ['rp9.io/spec-hash']: _hash, ...labels } = container.labels;
  const { command, env, healthcheck, image, mounts, name, network, restartPolicy } = container;
  return canonicalJson({ command, env, healthcheck, image, labels, mounts, name, network, restartPolicy });
}

describe('container hashes', () => {
  const containers: DesiredContainer[] = [];
  for (const input of contexts) {
    const context = createCompileContext(platform, input);
    for (const spec of specs) {
      for (const tenant of ['acme', 'wayne']) {
        for (const resource of compileTenant(platform, loadedTenant(tenant, spec), context).resources) {
          if (resource.kind === 'container') containers.push(resource);
        }
      }
    }
  }

  it('are equal exactly when the fields that need a recreate are equal', () => {
    const hashByView = new Map<string, string>();
    const viewByHash = new Map<string, string>();
    for (const container of containers) {
      const view = recreateView(container);
      expect(hashByView.get(view) ?? container.hash).toBe(container.hash);
      expect(viewByHash.get(container.hash) ?? view).toBe(view);
      hashByView.set(view, container.hash);
      viewByHash.set(container.hash, view);
    }
    // Guard against a degenerate input: many distinct containers, some sharing a view (cpu, memory, suspension).
    expect(hashByView.size).toBeGreaterThan(100);
    expect(hashByView.size).toBeLessThan(containers.length);
  });

  it('build env with sorted keys (the canonicalJson fast path), workers adding only their health server', () => {
    const context = createCompileContext(platform, base);
    const [main, worker] = compileTenant(platform, loadedTenant('acme', specs[0] as TenantSpecInput), context).resources.filter((r): r is DesiredContainer => r.kind === 'container');
    const keys = (env: Record<string, unknown>) => Object.keys(env);

    expect(keys(main?.env ?? {})).toEqual([...keys(main?.env ?? {})].sort());
    expect(keys(worker?.env ?? {})).toEqual([...keys(worker?.env ?? {})].sort());
    expect(worker?.env).toEqual({ ...main?.env, QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: '5678' });
  });

  it('let workers of a tenant share one env object', () => {
    const context = createCompileContext(platform, base);
    const [, first, second] = compileTenant(platform, loadedTenant('acme', specs[0] as TenantSpecInput), context).resources.filter((r): r is DesiredContainer => r.kind === 'container');

    expect(first?.env).toBe(second?.env);
  });

  it.each([
    { version: '1.123.81', line: 'v1' },
    { version: '2.41.1', line: 'v2' },
  ])('give each colour its own Bull queue, green keeping the prefix it always had ($line)', ({ version }) => {
    const context = createCompileContext(platform, base);
    const loaded = loadedTenant('acme', { mode: 'dedicated', resources: { workers: 2 }, n8n: { version } });
    const prefixes = (colour: 'green' | 'blue') => compileTenantWith(platform, loaded, containerTemplate(context), undefined, undefined, colour).resources
      .filter((r): r is DesiredContainer => r.kind === 'container')
      .map((c) => c.env.QUEUE_BULL_PREFIX);

    expect(prefixes('green')).toEqual(['rp9:acme', 'rp9:acme', 'rp9:acme']);
    expect(prefixes('blue')).toEqual(['rp9:acme:blue', 'rp9:acme:blue', 'rp9:acme:blue']);
  });

  it.each([
    { version: '1.123.81', line: 'v1' },
    { version: '2.41.1', line: 'v2' },
  ])("give each colour its own n8n Redis namespace, shared by main and workers, never n8n's default ($line)", ({ version }) => {
    const context = createCompileContext(platform, base);
    const compiled = (tenant: string, colour: 'green' | 'blue') => compileTenantWith(platform, loadedTenant(tenant, { mode: 'dedicated', resources: { workers: 2 }, n8n: { version } }), containerTemplate(context), undefined, undefined, colour).resources
      .filter((r): r is DesiredContainer => r.kind === 'container')
      .map((c) => c.env.N8N_REDIS_KEY_PREFIX);

    expect(compiled('acme', 'green')).toEqual(['rp9:acme:n8n', 'rp9:acme:n8n', 'rp9:acme:n8n']);
    expect(compiled('acme', 'blue')).toEqual(['rp9:acme:blue:n8n', 'rp9:acme:blue:n8n', 'rp9:acme:blue:n8n']);
    expect(compiled('globex', 'green')).toEqual(['rp9:globex:n8n', 'rp9:globex:n8n', 'rp9:globex:n8n']);
  });
});
