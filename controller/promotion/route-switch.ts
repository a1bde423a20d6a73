// The promotion's route moves: the tenant's Traefik file pointed at the
// shared n8n, the freeze response (503 with Retry-After) or its dedicated
// n8n. One atomic write each (temp file, rename), so Traefik never sees a
// half-written route and the switch happens at one instant.
import type { DesiredRoute } from '../model.js';
import type { RouteState } from '../operations/promotion.js';
import { serializeRoute, writeRouteFile, type TraefikRouteOptions } from '../traefik/index.js';

export interface RouteSwitchOptions {
  dir: string;
  traefik: TraefikRouteOptions;
  /** The tenant's route as compile gives it, with the target for this state. */
  routeFor(tenant: string, state: RouteState): DesiredRoute;
}

export function routeSwitch(options: RouteSwitchOptions): (tenant: string, state: RouteState) => Promise<void> {
  return async (tenant, state) => {
    await writeRouteFile(options.dir, tenant, serializeRoute(options.routeFor(tenant, state), options.traefik));
  };
}
