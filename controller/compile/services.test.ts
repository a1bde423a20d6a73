import { describe, expect, it } from 'vitest';
import type { DesiredService } from '../model.js';
import { compileTenant } from './compile-tenant.js';
import { exampleCompileContext, examplePlatform, loadedTenant } from './fixtures.js';
import { regionConstraint, serviceHealthcheck, SERVICE_MIN_START_PERIOD_SECONDS, updateOrderFor } from './services.js';

const base = examplePlatform();
const platform = { ...base, spec: { ...base.spec, runtime: 'swarm' as const } };
const context = exampleCompileContext(platform);

function services(spec: Parameters<typeof loadedTenant>[1], name = 'acme'): DesiredService[] {
  return compileTenant(platform, loadedTenant(name, spec), context).resources.filter((r): r is DesiredService => r.kind === 'service');
}

describe('compileTenant on a swarm (spec.runtime: swarm)', () => {
  it('compiles a dedicated tenant into database, main service, one worker service and route; no volume resource', () => {
    const tenant = compileTenant(platform, loadedTenant('acme', { mode: 'dedicated', plan: 'pro', resources: { workers: 3 } }), context);

    expect(tenant.resources.map((r) => `${r.kind} ${r.name}`)).toEqual(['database rp9_acme', 'service rp9-acme-main', 'service rp9-acme-worker', 'route acme']);
  });

  it('gives main one replica and the worker service `workers` replicas, with limits and equal reservations', () => {
    const [main, worker] = services({ mode: 'dedicated', plan: 'pro', resources: { cpu: 1.5, memoryMb: 1536, workers: 3 } }) as [DesiredService, DesiredService];

    expect(main).toMatchObject({ role: 'main', replicas: 1, cpu: 1.5, memoryMb: 1536, reserve: { cpu: 1.5, memoryMb: 1536 }, command: ['start'] });
    expect(worker).toMatchObject({ role: 'worker', replicas: 3, cpu: 1.5, memoryMb: 1536, reserve: { cpu: 1.5, memoryMb: 1536 }, command: ['worker'] });
  });

  it("gives main and the worker service the tenant's own queue and n8n Redis namespace", () => {
    const [main, worker] = services({ mode: 'dedicated', plan: 'pro', resources: { workers: 2 } }) as [DesiredService, DesiredService];

    for (const s of [main, worker]) expect(s.env).toMatchObject({ QUEUE_BULL_PREFIX: 'rp9:acme', N8N_REDIS_KEY_PREFIX: 'rp9:acme:n8n' });
  });

  it('gives the health check a start period long enough for first migrations (Swarm replaces an unhealthy task), keeping a longer one', () => {
    const [main, worker] = services({ mode: 'dedicated', plan: 'pro' }) as [DesiredService, DesiredService];

    expect(context.healthcheck.startPeriodSeconds).toBe(60);
    expect(main.healthcheck).toEqual({ ...context.healthcheck, startPeriodSeconds: SERVICE_MIN_START_PERIOD_SECONDS });
    expect(worker.healthcheck.startPeriodSeconds).toBe(SERVICE_MIN_START_PERIOD_SECONDS);
    expect(serviceHealthcheck({ ...context.healthcheck, startPeriodSeconds: 900 }).startPeriodSeconds).toBe(900);
  });

  it('places both services by a constraint on the tenant region, with the dotted node label', () => {
    const [main, worker] = services({ mode: 'dedicated', plan: 'pro', region: 'eu-west' }) as [DesiredService, DesiredService];

    expect(main.constraints).toEqual(['node.labels.rp9.io.region==eu-west']);
    expect(worker.constraints).toEqual(['node.labels.rp9.io.region==eu-west']);
    expect(main.region).toBe('eu-west');
  });

  it('keeps the rp9 owner labels on the services, with the service spec hash', () => {
    const [main] = services({ mode: 'dedicated', plan: 'pro' }) as [DesiredService];

    expect(main.labels).toEqual({ 'rp9.io/managed-by': 'rp9', 'rp9.io/environment': 'test', 'rp9.io/tenant': 'acme', 'rp9.io/role': 'main', 'rp9.io/spec-hash': main.hash });
  });

  it('mounts the tenant volume by name (node-local, made by the engine where the task lands)', () => {
    const [main] = services({ mode: 'dedicated', plan: 'pro' }) as [DesiredService];

    expect(main.mounts).toEqual([{ volume: 'rp9-acme-data', target: '/home/node' }]);
  });

  it('scales to zero replicas when suspended, and keeps the spec hash (a replica change, not a new spec)', () => {
    const [running] = services({ mode: 'dedicated', plan: 'pro' }) as [DesiredService];
    const [suspended, worker] = services({ mode: 'dedicated', plan: 'pro', suspended: true }) as [DesiredService, DesiredService];

    expect(suspended.replicas).toBe(0);
    expect(worker.replicas).toBe(0);
    expect(suspended.hash).toBe(running.hash);
  });

  it('changes neither hash for a worker count, cpu or memory change', () => {
    const [main1, worker1] = services({ mode: 'dedicated', plan: 'pro', resources: { workers: 1 } }) as [DesiredService, DesiredService];
    const [main2, worker2] = services({ mode: 'dedicated', plan: 'pro', resources: { workers: 4, cpu: 3, memoryMb: 4096 } }) as [DesiredService, DesiredService];

    expect([main2.hash, worker2.hash]).toEqual([main1.hash, worker1.hash]);
  });

  it('changes the hash for an n8n version or a region', () => {
    const [main] = services({ mode: 'dedicated', plan: 'pro' }) as [DesiredService];
    const [version] = services({ mode: 'dedicated', plan: 'pro', n8n: { version: '1.123.5' } }) as [DesiredService];
    const [region] = services({ mode: 'dedicated', plan: 'pro', region: 'eu-west' }) as [DesiredService];

    expect(version.hash).not.toBe(main.hash);
    expect(region.hash).not.toBe(main.hash);
  });

  it('compiles no services for a shared tenant and no worker service without workers', () => {
    expect(services({ mode: 'shared' })).toEqual([]);
    expect(services({ mode: 'dedicated', plan: 'pro', resources: { workers: 0 } }).map((s) => s.name)).toEqual(['rp9-acme-main']);
  });

  it('routes to the main service by name', () => {
    const tenant = compileTenant(platform, loadedTenant('acme', { mode: 'dedicated', plan: 'pro' }), context);

    expect(tenant.resources.at(-1)).toMatchObject({ kind: 'route', target: { type: 'dedicated', url: 'http://rp9-acme-main:5678' } });
  });

  it('keeps the docker runtime as it was: containers and a volume', () => {
    const tenant = compileTenant(base, loadedTenant('acme', { mode: 'dedicated', plan: 'pro', resources: { workers: 1 } }), context);

    expect(tenant.resources.map((r) => r.kind)).toEqual(['database', 'volume', 'container', 'container', 'route']);
  });
});

describe('updateOrderFor', () => {
  it.each([
    { ports: [], order: 'start-first' },
    { ports: [{ target: 5678, published: 15678 }], order: 'stop-first' },
  ])('$ports.length fixed host port(s): $order', ({ ports, order }) => {
    expect(updateOrderFor(ports)).toBe(order);
  });
});

describe('regionConstraint', () => {
  it('uses the dotted key swarm accepts in constraints', () => {
    expect(regionConstraint('us-east')).toBe('node.labels.rp9.io.region==us-east');
  });
});
