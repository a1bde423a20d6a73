import { describe, expect, it } from 'vitest';
import type { DesiredRoute } from '../model.js';
import { parseRouteFile } from './parse-route-file.js';
import { renderRoute, serializeRoute } from './render-route.js';

function route(overrides: Partial<DesiredRoute> = {}): DesiredRoute {
  return { kind: 'route', name: 'acme', tenant: 'acme', hosts: ['acme.rp9.example.com'], target: { type: 'shared', url: 'http://n8n-shared:5678' }, hash: '0123456789abcdef', ...overrides };
}

describe('renderRoute: a throttled tenant (spec.throttle)', () => {
  it('puts a rateLimit middleware on the router, per minute and keyed on the request host', () => {
    const config = renderRoute(route({ rateLimit: { perMinute: 17, burst: 20 } }));

    expect(config.http.routers['rp9-acme']?.middlewares).toEqual(['rp9-acme-ratelimit']);
    expect(config.http.middlewares).toEqual({ 'rp9-acme-ratelimit': { rateLimit: { average: 17, period: '1m', burst: 20, sourceCriterion: { requestHost: true } } } });
  });

  it('an unthrottled route has no middleware at all', () => {
    const config = renderRoute(route());

    expect(config.http).not.toHaveProperty('middlewares');
    expect(config.http.routers['rp9-acme']).not.toHaveProperty('middlewares');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a rate of %s (traefik.unsafe-option)', (perMinute) => {
    expect(() => renderRoute(route({ rateLimit: { perMinute, burst: 1 } }))).toThrow(expect.objectContaining({ code: 'traefik.unsafe-option' }));
  });

  it('reads back as a route file of the tenant (observe side)', () => {
    const parsed = parseRouteFile(serializeRoute(route({ rateLimit: { perMinute: 5, burst: 5 } })));

    expect(parsed).toMatchObject({ ok: true, tenant: 'acme', hosts: ['acme.rp9.example.com'], modified: false });
  });
});
