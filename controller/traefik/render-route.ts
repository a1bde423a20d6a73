// One tenant's Traefik v3 dynamic config (file provider): a router for its
// hosts and a service pointing at its target. Pure; the file write is apply's.
import { stringify } from 'yaml';
import { digest } from '../compile/hash.js';
import type { DesiredRoute } from '../model.js';
import { assertSafeHash, assertSafeHost, assertSafeName, assertSafeOption, assertSafeUrl } from './safety.js';
import { DEFAULT_TRAEFIK_OPTIONS, TraefikError, type TraefikDynamicConfig, type TraefikRouteOptions } from './types.js';

/** Router and service name of a tenant. */
export function routerName(tenant: string): string {
  return `rp9-${tenant}`;
}

/** ``Host(`a`) || Host(`b`)``, from validated hostnames only. */
export function hostRule(hosts: readonly string[]): string {
  if (hosts.length === 0) throw new TraefikError('traefik.unsafe-host', 'a route needs at least one hostname');
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const host of hosts) {
    const safe = assertSafeHost(host);
    if (seen.has(safe)) continue;
    seen.add(safe);
    parts.push(`Host(\`${safe}\`)`);
  }
  return parts.join(' || ');
}

/** Name of a throttled tenant's rate-limit middleware. */
export function rateLimitName(tenant: string): string {
  return `${routerName(tenant)}-ratelimit`;
}

function positiveCount(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TraefikError('traefik.unsafe-option', `${what} must be a whole number of at least 1 (got ${value})`);
  return value;
}

export function renderRoute(route: DesiredRoute, options: TraefikRouteOptions = DEFAULT_TRAEFIK_OPTIONS): TraefikDynamicConfig {
  const tenant = assertSafeName(route.tenant, 'tenant name');
  if (route.name !== tenant) throw new TraefikError('traefik.unsafe-name', `route name ${JSON.stringify(route.name)} differs from its tenant "${tenant}"`);
  if (options.entryPoints.length === 0) throw new TraefikError('traefik.unsafe-option', 'at least one entry point is needed');
  const entryPoints = options.entryPoints.map((entryPoint) => assertSafeOption(entryPoint, 'entry point'));
  const tls = options.certResolver === null ? {} : { certResolver: assertSafeOption(options.certResolver, 'certificate resolver') };
  const name = routerName(tenant);
  const config: TraefikDynamicConfig = {
    http: {
      routers: { [name]: { rule: hostRule(route.hosts), entryPoints, service: name, tls } },
      services: { [name]: { loadBalancer: { servers: [{ url: assertSafeUrl(route.target.url) }], passHostHeader: true } } },
    },
  };
  const middlewares: NonNullable<TraefikDynamicConfig['http']['middlewares']> = {};
  if (route.target.type === 'suspended' && route.target.retryAfterSeconds !== undefined) {
    // The suspended page reads it (raw-routes.ts suspendedHandler): a hold of seconds says so, not the suspended default.
    middlewares[holdName(tenant)] = { headers: { customRequestHeaders: { [RETRY_AFTER_HEADER]: String(positiveCount(route.target.retryAfterSeconds, 'retry after')) } } };
  }
  if (route.rateLimit) {
    // Keyed on the request host rather than the client address (Traefik's default), so the limit holds for the tenant as a whole.
    const rateLimit = { average: positiveCount(route.rateLimit.perMinute, 'rate limit'), period: '1m', burst: positiveCount(route.rateLimit.burst, 'rate limit burst'), sourceCriterion: { requestHost: true as const } };
    middlewares[rateLimitName(tenant)] = { rateLimit };
  }
  if (Object.keys(middlewares).length === 0) return config;
  config.http.routers[name]!.middlewares = Object.keys(middlewares);
  config.http.middlewares = middlewares;
  return config;
}

/** The request header a held route sets for the suspended page: the Retry-After seconds it answers with. */
export const RETRY_AFTER_HEADER = 'X-Rp9-Retry-After';

/** Name of a held route's headers middleware. */
export function holdName(tenant: string): string {
  return `${routerName(tenant)}-hold`;
}

export const ROUTE_FILE_BANNER = '# Written by rp9 from the config repo. Do not edit: the next apply overwrites it.';

/**
 * The route file's text: a header (tenant, the route's desired hash, a digest
 * of the body so hand edits show up as drift) and the YAML body. Same input,
 * same bytes. `options` must be the ones compile hashed (CompileContext.traefik).
 */
export function serializeRoute(route: DesiredRoute, options: TraefikRouteOptions = DEFAULT_TRAEFIK_OPTIONS): string {
  const body = stringify(renderRoute(route, options), { lineWidth: 0 });
  const header = [ROUTE_FILE_BANNER, `# rp9-tenant: ${route.tenant}`, `# rp9-hash: ${assertSafeHash(route.hash)}`, `# rp9-body: ${digest(body)}`];
  return `${header.join('\n')}\n${body}`;
}
