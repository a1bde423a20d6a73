import { describe, expect, it } from 'vitest';
import type { DesiredContainer, DesiredDatabase, DesiredRoute, DesiredVolume, PromotionRoute } from '../model.js';
import { compileDesired } from './compile-desired.js';
import { createCompileCache } from './compile-cache.js';
import { compileTenant, compileTenantWith } from './compile-tenant.js';
import { containerTemplate } from './containers.js';
import { createCompileContext, type CompileContextInput } from './context.js';
import { CompileError } from './errors.js';
import { examplePlatform, loadedTenant } from './fixtures.js';

const contextInput: CompileContextInput = {
  redis: { host: 'redis', port: 6379 },
  postgres: { host: 'postgres', port: 5432 },
  suspendedUrl: 'http://rp9:8080/suspended',
};
const platform = examplePlatform();
const context = createCompileContext(platform, contextInput);

function containers(tenant: ReturnType<typeof compileTenant>): DesiredContainer[] {
  return tenant.resources.filter((r): r is DesiredContainer => r.kind === 'container');
}
function route(tenant: ReturnType<typeof compileTenant>): DesiredRoute {
  const found = tenant.resources.find((r): r is DesiredRoute => r.kind === 'route');
  if (!found) throw new Error('no route');
  return found;
}

describe('compileTenant: dedicated', () => {
  const acme = compileTenant(
    platform,
    loadedTenant('acme-corp', { mode: 'dedicated', plan: 'pro', subdomain: 'acme', customDomains: ['automations.acme.com'], resources: { cpu: 3, workers: 2 } }),
    context,
  );

  it('lists database, volume, main, workers and route in apply order', () => {
    expect(acme.resources.map((r) => `${r.kind} ${r.name}`)).toEqual([
      'database rp9_acme_corp',
      'volume rp9-acme-corp-data',
      'container rp9-acme-corp-main',
      'container rp9-acme-corp-worker-1',
      'container rp9-acme-corp-worker-2',
      'route acme-corp',
    ]);
    expect(acme).toMatchObject({ name: 'acme-corp', mode: 'dedicated', plan: 'pro', suspended: false });
  });

  it('names the database and role after the tenant and sizes the volume from the plan', () => {
    const [database, volume] = acme.resources as [DesiredDatabase, DesiredVolume];

    expect(database).toMatchObject({ database: 'rp9_acme_corp', role: 'rp9_acme_corp', tenant: 'acme-corp' });
    expect(volume).toMatchObject({ sizeGb: 20, labels: { 'rp9.io/managed-by': 'rp9', 'rp9.io/environment': 'test', 'rp9.io/tenant': 'acme-corp' } });
  });

  it('runs main with start and workers with worker, on the platform image and version', () => {
    const [main, worker] = containers(acme) as [DesiredContainer, DesiredContainer];

    expect(main).toMatchObject({ role: 'main', index: 0, command: ['start'], image: 'rp9/n8n:1.123.4', running: true, restartPolicy: 'unless-stopped', network: 'rp9' });
    expect(worker).toMatchObject({ role: 'worker', index: 1, command: ['worker'], image: 'rp9/n8n:1.123.4' });
  });

  it('takes cpu from the tenant and memory from the plan', () => {
    for (const container of containers(acme)) expect([container.cpu, container.memoryMb]).toEqual([3, 2048]);
  });

  it('sets the n8n environment, with secrets only as references', () => {
    const [main] = containers(acme) as [DesiredContainer];

    expect(main.env).toEqual({
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_HOST: 'postgres',
      DB_POSTGRESDB_PORT: '5432',
      DB_POSTGRESDB_DATABASE: 'rp9_acme_corp',
      DB_POSTGRESDB_USER: 'rp9_acme_corp',
      DB_POSTGRESDB_PASSWORD: { secret: 'db-password' },
      N8N_ENCRYPTION_KEY: { secret: 'encryption-key' },
      EXECUTIONS_MODE: 'queue',
      QUEUE_BULL_REDIS_HOST: 'redis',
      QUEUE_BULL_REDIS_PORT: '6379',
      QUEUE_BULL_PREFIX: 'rp9:acme-corp',
      N8N_REDIS_KEY_PREFIX: 'rp9:acme-corp:n8n',
      N8N_HOST: 'acme.rp9.example.com',
      N8N_PROTOCOL: 'https',
      WEBHOOK_URL: 'https://acme.rp9.example.com/',
      N8N_PORT: '5678',
      N8N_LISTEN_ADDRESS: '0.0.0.0',
      N8N_METRICS: 'true',
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_PERSONALIZATION_ENABLED: 'false',
      N8N_TEMPLATES_ENABLED: 'false',
      N8N_USER_FOLDER: '/home/node',
      N8N_RUNNERS_ENABLED: 'true',
      N8N_RUNNERS_BROKER_PORT: '5679',
    });
  });

  it('turns on the worker health server so the same readiness probe works', () => {
    const [, worker] = containers(acme) as [DesiredContainer, DesiredContainer];

    expect(worker.env).toMatchObject({ QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: '5678', EXECUTIONS_MODE: 'queue' });
    expect(worker.healthcheck.test.join(' ')).toContain('/healthz/readiness');
  });

  it('mounts the volume, labels each container and records its hash in the spec-hash label', () => {
    for (const container of containers(acme)) {
      expect(container.mounts).toEqual([{ volume: 'rp9-acme-corp-data', target: '/home/node' }]);
      expect(container.labels).toEqual({
        'rp9.io/managed-by': 'rp9',
        'rp9.io/environment': 'test',
        'rp9.io/tenant': 'acme-corp',
        'rp9.io/role': container.role,
        'rp9.io/spec-hash': container.hash,
      });
    }
  });

  it('routes the platform host and the custom domains to the main container', () => {
    expect(route(acme)).toMatchObject({
      name: 'acme-corp',
      hosts: ['acme.rp9.example.com', 'automations.acme.com'],
      target: { type: 'dedicated', url: 'http://rp9-acme-corp-main:5678' },
    });
  });

  it('uses the tenant n8n version and the plan defaults when resources are not given', () => {
    const tenant = compileTenant(platform, loadedTenant('stark', { mode: 'dedicated', plan: 'starter', n8n: { version: '1.124.0' } }), context);

    expect(containers(tenant).map((c) => [c.name, c.image, c.cpu, c.memoryMb])).toEqual([['rp9-stark-main', 'rp9/n8n:1.124.0', 1, 1024], ['rp9-stark-worker-1', 'rp9/n8n:1.124.0', 1, 1024]]);
    expect((tenant.resources[1] as DesiredVolume).sizeGb).toBe(5);
  });

  it('keeps database, volume and containers of a suspended tenant, stopped, and routes it to the suspended page', () => {
    const tenant = compileTenant(platform, loadedTenant('stark', { mode: 'dedicated', plan: 'starter', suspended: true }), context);

    expect(tenant.suspended).toBe(true);
    expect(tenant.resources.map((r) => r.kind)).toEqual(['database', 'volume', 'container', 'container', 'route']);
    expect(containers(tenant).every((c) => !c.running)).toBe(true);
    expect(route(tenant).target).toEqual({ type: 'suspended', url: 'http://rp9:8080/suspended' });
  });
});

describe('compileTenant: shared', () => {
  it('has only a route to the shared instance, without custom domains', () => {
    const tenant = compileTenant(platform, loadedTenant('hooli', { mode: 'shared', customDomains: ['n8n.hooli.xyz'], resources: { cpu: 8 } }), context);

    expect(tenant.resources).toHaveLength(1);
    expect(route(tenant)).toMatchObject({ hosts: ['hooli.rp9.example.com'], target: { type: 'shared', url: 'http://n8n-shared:5678' } });
  });

  it('routes a suspended shared tenant to the suspended page', () => {
    const tenant = compileTenant(platform, loadedTenant('vandelay', { mode: 'shared', suspended: true }), context);

    expect(route(tenant).target).toEqual({ type: 'suspended', url: 'http://rp9:8080/suspended' });
  });
});

describe('hashes', () => {
  const compile = (spec: Parameters<typeof loadedTenant>[1], ctx = context) => compileTenant(platform, loadedTenant('wayne', spec), ctx);
  const base = compile({ mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 1 } });

  it('are the same for the same input', () => {
    expect(compile({ mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 1 } })).toEqual(base);
  });

  it('leave container hashes alone when only cpu or memory change, but change the spec hash', () => {
    const resized = compile({ mode: 'dedicated', resources: { cpu: 3, memoryMb: 3072, workers: 1 } });

    expect(containers(resized).map((c) => c.hash)).toEqual(containers(base).map((c) => c.hash));
    expect(resized.specHash).not.toBe(base.specHash);
  });

  it.each([
    ['the n8n version', { mode: 'dedicated' as const, n8n: { version: '1.124.0' }, resources: { cpu: 2, memoryMb: 2048, workers: 1 } }, context],
    ['the subdomain (env)', { mode: 'dedicated' as const, subdomain: 'batman', resources: { cpu: 2, memoryMb: 2048, workers: 1 } }, context],
    ['the network', { mode: 'dedicated' as const, resources: { cpu: 2, memoryMb: 2048, workers: 1 } }, createCompileContext(platform, { ...contextInput, network: 'rp9-b' })],
    ['the broker port', { mode: 'dedicated' as const, resources: { cpu: 2, memoryMb: 2048, workers: 1 } }, createCompileContext(platform, { ...contextInput, runnersBrokerPort: 5680 })],
  ])('change container hashes when %s changes', (_name, spec, ctx) => {
    const changed = compile(spec, ctx);

    expect(containers(changed)[0]?.hash).not.toBe(containers(base)[0]?.hash);
    expect(changed.specHash).not.toBe(base.specHash);
  });

  it('change the route hash, not the containers, for a custom domain or other router settings', () => {
    const withDomain = compile({ mode: 'dedicated', customDomains: ['flows.wayne.com'], resources: { cpu: 2, memoryMb: 2048, workers: 1 } });
    const otherResolver = compile({ mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 1 } }, createCompileContext(platform, { ...contextInput, traefik: { certResolver: 'internal' } }));

    expect(route(withDomain).hash).not.toBe(route(base).hash);
    expect(route(otherResolver).hash).not.toBe(route(base).hash);
    expect(containers(withDomain).map((c) => c.hash)).toEqual(containers(base).map((c) => c.hash));
  });

  it('change the spec hash on suspension', () => {
    expect(compile({ mode: 'dedicated', suspended: true, resources: { cpu: 2, memoryMb: 2048, workers: 1 } }).specHash).not.toBe(base.specHash);
  });
});

describe('compileDesired', () => {
  it('compiles every tenant, sorted by name, with the generation of its file', () => {
    const tenants = [loadedTenant('zeta', { mode: 'shared' }), loadedTenant('alpha', { mode: 'dedicated' })];

    const desired = compileDesired(platform, tenants, context, { commit: 'abc123' });

    expect(desired.environment).toBe('test');
    expect(desired.commit).toBe('abc123');
    expect(desired.tenants.map((t) => [t.name, t.generation])).toEqual([['alpha', tenants[1]?.generation], ['zeta', tenants[0]?.generation]]);
  });

  it('never carries a secret value, only references', () => {
    const desired = compileDesired(platform, [loadedTenant('alpha', { mode: 'dedicated' })], context);
    const text = JSON.stringify(desired);

    expect(text).toContain('{"secret":"db-password"}');
    expect(text).not.toMatch(/PASSWORD":"/);
    expect(text).not.toMatch(/ENCRYPTION_KEY":"/);
  });

  it.each([
    ['an unknown plan', [loadedTenant('alpha', { mode: 'shared', plan: 'gold' })], 'compile.unknown-plan', 'tenants/alpha.yaml: plan "gold" is not defined in platform.yaml'],
    ['a duplicate tenant', [loadedTenant('alpha', { mode: 'shared' }), loadedTenant('alpha', { mode: 'dedicated' })], 'compile.duplicate-tenant', 'tenants/alpha.yaml: tenant "alpha" is also defined in tenants/alpha.yaml'],
  ])('refuses %s with a coded error naming the file', (_name, tenants, code, message) => {
    let caught: unknown;
    try {
      compileDesired(platform, tenants, context);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(CompileError);
    expect(caught).toMatchObject({ code, message });
  });
});

describe('a scheduled promotion', () => {
  const promoted = loadedTenant('umbrella', { mode: 'dedicated', plan: 'enterprise', promotion: { window: '2026-12-05T22:00:00Z', ttlMinutes: 10 } });

  it.each<[string, Date | undefined, string]>([
    ['before the window: provisioned, still served by the shared n8n', new Date('2026-12-05T21:59:59Z'), 'shared'],
    ['once the window opens: served by its own n8n', new Date('2026-12-05T22:00:00Z'), 'dedicated'],
    ['without a clock: taken as due', undefined, 'dedicated'],
  ])('%s', (_name, now, served) => {
    // Act
    const tenant = compileTenant(platform, promoted, context, now);

    // Assert
    expect(containers(tenant).map((c) => c.role)).toEqual(['main', 'worker', 'worker', 'worker', 'worker']);
    expect(route(tenant).target.type).toBe(served);
  });

  it('during its freeze: the suspended page with a Retry-After of seconds, not the suspended hour; its containers keep a stop timeout above n8n\'s graceful shutdown', () => {
    const tenant = compileTenantWith(platform, promoted, containerTemplate(context), new Date('2026-12-05T22:00:00Z'), { route: 'frozen' } as PromotionRoute);

    expect(route(tenant).target).toEqual({ type: 'suspended', url: 'http://rp9:8080/suspended', retryAfterSeconds: 30 });
    expect(containers(tenant).map((c) => c.stopTimeoutSeconds)).toEqual([45, 45, 45, 45, 45]);
  });
});

describe('compile cache', () => {
  it('recompiles only the tenants whose input changed, and gives identical results', () => {
    // Arrange
    const cache = createCompileCache();
    const acme = loadedTenant('acme', { mode: 'dedicated', plan: 'pro' });
    const beta = loadedTenant('beta', { mode: 'shared', plan: 'starter' });
    const first = compileDesired(platform, [acme, beta], context, { cache });

    // Act
    const changedBeta = loadedTenant('beta', { mode: 'shared', plan: 'starter', suspended: true });
    const second = compileDesired(platform, [acme, changedBeta], createCompileContext(platform, contextInput), { cache });
    const uncached = compileDesired(platform, [acme, changedBeta], context);

    // Assert
    expect(second.tenants[0]).toBe(first.tenants[0]);
    expect(second.tenants[1]).not.toBe(first.tenants[1]);
    expect(second).toEqual(uncached);
  });

  it('recompiles everything when the compile context changes', () => {
    const cache = createCompileContext(platform, contextInput);
    const store = createCompileCache();
    const acme = loadedTenant('acme', { mode: 'dedicated', plan: 'pro' });
    const first = compileDesired(platform, [acme], cache, { cache: store });
    const moved = compileDesired(platform, [acme], createCompileContext(platform, { ...contextInput, suspendedUrl: 'http://elsewhere:8080' }), { cache: store });
    expect(moved.tenants[0]).not.toBe(first.tenants[0]);
  });
});
