// Observe: what exists now, read from the edges (Docker, the Traefik route
// directory, the tenant databases) into one ObservedState. Never throws: a
// part that cannot be read is marked unavailable with the reason, and counts
// as "nothing exists yet" for the plan.
import type Docker from 'dockerode';
import type { ObservedResource, ObservedRoute, ObservedState } from '../model.js';
import { observeDocker, type DockerObservation } from '../docker/observe-docker.js';
import { observeSwarm } from '../swarm/observe-swarm.js';
import type { DatabaseAdmin } from '../postgres/tenant-databases.js';
import { parseRouteFile } from '../traefik/parse-route-file.js';
import { readRouteFiles } from '../traefik/route-files.js';
import { isSandboxName } from '../sandbox/sandbox.js';

export interface ObserveEdges {
  environment: string;
  docker?: Docker;
  routesDir: string;
  databases?: DatabaseAdmin;
  /** Parsed route files kept between passes (see createRouteCache). */
  routeCache?: RouteCache;
  /** Restore sandboxes (`<tenant>-restore-<yyyymmdd>`, controller/sandbox/): left out (default; the reconcile loop never plans them) or the only ones kept. */
  sandboxes?: 'exclude' | 'only';
  /** platform.spec.runtime: `swarm` observes the services on the manager `docker` is, instead of containers and volumes. */
  runtime?: 'docker' | 'swarm';
}

/** The engine part: containers and volumes of one engine, or the services of a swarm (as resources of the same list). */
async function observeEngine(docker: Docker, environment: string, runtime: 'docker' | 'swarm'): Promise<Omit<DockerObservation, 'containers'> & { containers: ObservedResource[] }> {
  if (runtime === 'docker') return observeDocker(docker, environment);
  const swarm = await observeSwarm(docker, environment);
  return { available: swarm.available, ...(swarm.reason ? { reason: swarm.reason } : {}), containers: swarm.services, volumes: [] };
}

/**
 * Route files by tenant with what was observed in them, reused while a file's
 * text is unchanged: parsing YAML was most of a no-op pass over many tenants.
 */
export type RouteCache = Map<string, { text: string; route: ObservedRoute }>;

export function createRouteCache(): RouteCache {
  return new Map();
}

function parseRoute(tenant: string, text: string): ObservedRoute {
  const parsed = parseRouteFile(text);
  // An unreadable or hand-edited file is observed with an empty hash, so
  // the plan rewrites it.
  if (!parsed.ok || parsed.tenant !== tenant) return { kind: 'route', name: tenant, tenant, hash: '', hosts: [] };
  return { kind: 'route', name: tenant, tenant, hash: parsed.hash, hosts: parsed.hosts };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function observeRoutes(routesDir: string, cache: RouteCache | undefined): Promise<{ available: boolean; reason?: string; routes: ObservedRoute[] }> {
  try {
    const files = await readRouteFiles(routesDir);
    const routes = files.map(({ tenant, text }): ObservedRoute => {
      const hit = cache?.get(tenant);
      if (hit && hit.text === text) return hit.route;
      const route = parseRoute(tenant, text);
      cache?.set(tenant, { text, route });
      return route;
    });
    if (cache && cache.size > files.length) {
      const present = new Set(files.map((f) => f.tenant));
      for (const tenant of cache.keys()) if (!present.has(tenant)) cache.delete(tenant);
    }
    return { available: true, routes };
  } catch (error) {
    return { available: false, reason: `route directory ${routesDir} not readable: ${message(error)}`, routes: [] };
  }
}

export async function observePlatform(edges: ObserveEdges): Promise<ObservedState> {
  const [docker, routes, databases] = await Promise.all([
    edges.docker
      ? observeEngine(edges.docker, edges.environment, edges.runtime ?? 'docker')
      : Promise.resolve({ available: false, reason: 'no Docker engine configured', containers: [], volumes: [] }),
    observeRoutes(edges.routesDir, edges.routeCache),
    edges.databases
      ? edges.databases.observe(edges.environment).then(
          (found) => ({ available: true, reason: undefined, found }),
          (error: unknown) => ({ available: false, reason: `tenant database server not reachable: ${message(error)}`, found: [] }),
        )
      : Promise.resolve({ available: false, reason: 'no tenant database server configured', found: [] }),
  ]);
  const wantSandboxes = edges.sandboxes === 'only';
  const resources: ObservedResource[] = [...docker.containers, ...docker.volumes, ...routes.routes, ...databases.found].filter((r) => isSandboxName(r.tenant) === wantSandboxes);
  return {
    availability: {
      docker: docker.available ? { available: true } : { available: false, ...(docker.reason ? { reason: docker.reason } : {}) },
      routes: routes.available ? { available: true } : { available: false, ...(routes.reason ? { reason: routes.reason } : {}) },
      database: databases.available ? { available: true } : { available: false, ...(databases.reason ? { reason: databases.reason } : {}) },
    },
    resources,
  };
}
