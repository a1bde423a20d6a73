// Traefik v3 file-provider dynamic configuration, the part rp9 writes.

export interface TraefikRouteOptions {
  /** Entry points the tenant routers listen on. */
  entryPoints: string[];
  /** ACME certificate resolver; null serves the default certificate (`tls: {}`). */
  certResolver: string | null;
}

export const DEFAULT_TRAEFIK_OPTIONS: TraefikRouteOptions = { entryPoints: ['websecure'], certResolver: 'letsencrypt' };

export interface TraefikRouter {
  rule: string;
  entryPoints: string[];
  service: string;
  tls: { certResolver?: string };
  middlewares?: string[];
}

/** A held route's request header: the suspended page answers with that Retry-After instead of its default. */
export interface TraefikHeadersMiddleware {
  headers: { customRequestHeaders: Record<string, string> };
}

export interface TraefikRateLimitMiddleware {
  rateLimit: { average: number; period: string; burst: number; sourceCriterion: { requestHost: true } };
}

export interface TraefikService {
  loadBalancer: {
    servers: { url: string }[];
    passHostHeader: boolean;
  };
}

export interface TraefikDynamicConfig {
  http: {
    routers: Record<string, TraefikRouter>;
    services: Record<string, TraefikService>;
    middlewares?: Record<string, TraefikRateLimitMiddleware | TraefikHeadersMiddleware>;
  };
}

export type TraefikErrorCode = 'traefik.unsafe-host' | 'traefik.unsafe-url' | 'traefik.unsafe-name' | 'traefik.unsafe-option';

export class TraefikError extends Error {
  readonly code: TraefikErrorCode;
  constructor(code: TraefikErrorCode, message: string) {
    super(message);
    this.name = 'TraefikError';
    this.code = code;
  }
}
