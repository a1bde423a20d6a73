export { hostRule, renderRoute, routerName, serializeRoute, ROUTE_FILE_BANNER } from './render-route.js';
export { readRouteFiles, removeRouteFile, routeFileName, tenantOfRouteFile, writeRouteFile, ROUTE_FILE_PREFIX } from './route-files.js';
export { parseRouteFile } from './parse-route-file.js';
export type { ParsedRouteFile, RouteFileErrorCode } from './parse-route-file.js';
export { assertSafeHost, assertSafeUrl, isSafeHostname } from './safety.js';
export { DEFAULT_TRAEFIK_OPTIONS, TraefikError } from './types.js';
export type { TraefikDynamicConfig, TraefikErrorCode, TraefikRouteOptions, TraefikRouter, TraefikService } from './types.js';
