/* Generated from schemas/tenant.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run `npm run gen:types`. */

/**
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "TenantMode".
 */
export type TenantMode = 'shared' | 'dedicated';
/**
 * A DNS label: lowercase a-z, 0-9 and '-', starting with a letter and not ending with '-'.
 *
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "DnsLabel".
 */
export type DnsLabel = string;
/**
 * A fully qualified domain name, lowercase, at least two labels.
 *
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "Hostname".
 */
export type Hostname = string;

/**
 * One tenant of the rp9 n8n hosting platform: tenants/<name>.yaml in the config repo.
 */
export interface Tenant {
  /**
   * Config format version.
   */
  apiVersion: 'rp9.io/v1';
  kind: 'Tenant';
  metadata: TenantMetadata;
  spec: TenantSpec;
}
/**
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "TenantMetadata".
 */
export interface TenantMetadata {
  /**
   * Tenant id; equals the file name without .yaml.
   */
  name: string;
  displayName?: string;
  email: string;
  /**
   * Free key/value strings for operators and bots (for example rp9.io/canary: "true").
   */
  labels: {
    [k: string]: string;
  };
}
/**
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "TenantSpec".
 */
export interface TenantSpec {
  /**
   * A plan defined in platform.yaml.
   */
  plan: string;
  mode: TenantMode;
  /**
   * A region defined in platform.yaml.
   */
  region: string;
  subdomain: DnsLabel;
  /**
   * Extra hostnames served for the tenant. Dedicated tenants only.
   *
   * @maxItems 20
   */
  customDomains: Hostname[];
  suspended: boolean;
  /**
   * Why the tenant is suspended (needs suspended: true). The enforcement bot writes it, starting with "enforcement:", and lifts only suspensions whose reason starts so; a suspension by hand is never lifted by a bot.
   */
  suspendedReason?: string;
  throttle?: Throttle;
  /**
   * Dedicated only; defaults to the platform's dedicated n8n version.
   */
  n8n?: {
    version: string;
  };
  resources?: Resources;
  compliance?: {
    /**
     * A geography (see platform regions) the tenant's data must stay in.
     */
    dataResidency?: string;
    frameworks?: ('gdpr' | 'hipaa' | 'soc2' | 'pci-dss' | 'iso27001')[];
  };
  backups: {
    schedules: ('daily' | 'weekly' | 'monthly')[];
    includeExecutions: boolean;
  };
  /**
   * A scheduled move from shared to dedicated.
   */
  promotion?: {
    /**
     * Start of the maintenance window (RFC 3339, UTC).
     */
    window: string;
    /**
     * Longest acceptable freeze.
     */
    ttlMinutes: number;
    reason?: string;
  };
  /**
   * This tenant's maintenance windows, instead of its plan's (platform.yaml plans.<plan>.maintenanceWindows). For an emergency, the label rp9.io/maintenance-override: "<RFC 3339 UTC time>" applies downtime changes at once until that time.
   */
  maintenance?: {
    /**
     * @minItems 1
     * @maxItems 14
     */
    windows: [MaintenanceWindow, ...MaintenanceWindow[]];
  };
  /**
   * Overrides of the plan's limits.
   */
  limits?: {
    executionsMonthly?: number;
    concurrentExecutions?: number;
    apiCallsHourly?: number;
  };
  billing?: {
    stripeCustomerId?: string;
    stripeSubscriptionId?: string;
  };
}
/**
 * Set by the enforcement bot when a usage limit reaches policies.enforcement.throttlePercent: the controller puts a Traefik rateLimit middleware on the tenant's route and, on a dedicated tenant, caps n8n's production concurrency (N8N_CONCURRENCY_PRODUCTION_LIMIT). Removed by the bot when the period turns or the plan grows.
 *
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "Throttle".
 */
export interface Throttle {
  reason: string;
  /**
   * The limit that reached the throttle threshold.
   */
  limit: 'executionsMonthly' | 'concurrentExecutions' | 'apiCallsHourly' | 'storageGb';
  /**
   * Average requests a minute the route lets through (Traefik rateLimit average, period 1m).
   */
  requestsPerMinute: number;
  /**
   * Requests allowed above the average at once (Traefik rateLimit burst).
   */
  burst: number;
  /**
   * Dedicated only: n8n's production concurrency limit while throttled.
   */
  concurrency?: number;
}
/**
 * Dedicated only; each field defaults to the plan's value.
 *
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "Resources".
 */
export interface Resources {
  /**
   * CPU cores (halves allowed).
   */
  cpu?: number;
  memoryMb?: number;
  /**
   * Queue-mode worker containers.
   */
  workers?: number;
  storageGb?: number;
  ceilingException?: CeilingException;
}
/**
 * Allows spec.resources above the plan's ceiling. Granted by a reviewed pull request (the autoscale bot proposes one when a tenant at its ceiling stays hot); remove it once the tenant is back within the ceiling or on a larger plan.
 *
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "CeilingException".
 */
export interface CeilingException {
  /**
   * Why the tenant may exceed its plan's ceiling; shown by rp9 validate and rp9 plan.
   */
  reason: string;
}
/**
 * A weekly maintenance window in UTC: it opens at startHourUtc on each listed weekday and stays open durationHours (it may run past midnight).
 *
 * This interface was referenced by `Tenant`'s JSON-Schema
 * via the `definition` "MaintenanceWindow".
 */
export interface MaintenanceWindow {
  /**
   * Days the window opens on, 0 = Sunday.
   *
   * @minItems 1
   */
  weekdays: [number, ...number[]];
  /**
   * Hour (UTC) the window opens.
   */
  startHourUtc: number;
  /**
   * How long the window stays open.
   */
  durationHours: number;
}
