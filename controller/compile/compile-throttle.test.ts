import { describe, expect, it } from 'vitest';
import type { DesiredContainer, DesiredRoute } from '../model.js';
import { compileTenant } from './compile-tenant.js';
import { createCompileContext } from './context.js';
import { examplePlatform, loadedTenant } from './fixtures.js';

const platform = examplePlatform();
const context = createCompileContext(platform, { redis: { host: 'redis', port: 6379 }, postgres: { host: 'postgres', port: 5432 }, suspendedUrl: 'http://rp9:8080/suspended' });
const throttle = { reason: 'enforcement: executionsMonthly at 96 % of 10,000 in 2026-12', limit: 'executionsMonthly' as const, requestsPerMinute: 84, burst: 84 };

function compile(spec: Parameters<typeof loadedTenant>[1]) {
  const tenant = compileTenant(platform, loadedTenant('wayne', spec), context);
  return {
    tenant,
    route: tenant.resources.find((r): r is DesiredRoute => r.kind === 'route')!,
    containers: tenant.resources.filter((r): r is DesiredContainer => r.kind === 'container'),
  };
}

describe('compileTenant: spec.throttle', () => {
  const base = compile({ mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 1 } });

  it('rate limits the route and changes only its hash when there is no concurrency', () => {
    const throttled = compile({ mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 1 }, throttle });

    expect(throttled.route.rateLimit).toEqual({ perMinute: 84, burst: 84 });
    expect(throttled.route.hash).not.toBe(base.route.hash);
    expect(throttled.containers.map((c) => c.hash)).toEqual(base.containers.map((c) => c.hash));
    expect(throttled.tenant.specHash).not.toBe(base.tenant.specHash);
  });

  it('an unthrottled route carries no rate limit', () => {
    expect(base.route).not.toHaveProperty('rateLimit');
  });

  it('caps n8n production concurrency on main and workers of a dedicated tenant (a recreate)', () => {
    const throttled = compile({ mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 1 }, throttle: { ...throttle, concurrency: 5 } });

    expect(throttled.containers.map((c) => c.env.N8N_CONCURRENCY_PRODUCTION_LIMIT)).toEqual(['5', '5']);
    expect(base.containers.map((c) => c.env.N8N_CONCURRENCY_PRODUCTION_LIMIT)).toEqual([undefined, undefined]);
    throttled.containers.forEach((c, i) => expect(c.hash).not.toBe(base.containers[i]?.hash));
  });

  it('lifting the throttle gives back exactly the unthrottled tenant', () => {
    expect(compile({ mode: 'dedicated', resources: { cpu: 2, memoryMb: 2048, workers: 1 } })).toEqual(base);
  });
});
