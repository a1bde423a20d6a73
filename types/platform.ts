/* Generated from schemas/platform.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run `npm run gen:types`. */

/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "Hostname".
 */
export type Hostname = string;
/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "Name".
 */
export type Name = string;
/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "Percent".
 */
export type Percent = number;

/**
 * Platform-wide settings of an rp9 installation: platform.yaml at the root of the config repo. Every threshold defaults to the product spec's value.
 */
export interface Platform {
  apiVersion: 'rp9.io/v1';
  kind: 'Platform';
  metadata: {
    name: string;
  };
  spec: PlatformSpec;
}
/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "PlatformSpec".
 */
export interface PlatformSpec {
  domain: Hostname;
  environment: Name;
  /**
   * Where dedicated tenants run: docker (one Docker engine, containers; the default) or swarm (a Docker Swarm: each tenant's main and workers are services placed by region on nodes labelled rp9.io.region=<region>). See docs/scale-out.md.
   */
  runtime: 'docker' | 'swarm';
  /**
   * Subdomains no tenant may take, in addition to the built-in list (www, api, traefik, grafana, orchestrator, ...).
   */
  reservedSubdomains: string[];
  /**
   * Regions tenants can run in, keyed by name.
   */
  regions: {
    [k: string]: Region;
  };
  /**
   * The shared n8n instance that shared tenants are routed to.
   */
  sharedN8n: {
    url: string;
    version: string;
  };
  /**
   * Defaults for dedicated tenants.
   */
  dedicated: {
    /**
     * Image repository; the tag is the n8n version.
     */
    image: string;
    n8nVersion: string;
  };
  /**
   * Plans keyed by name (the product table: starter, pro, enterprise).
   */
  plans: {
    [k: string]: Plan;
  };
  policies: Policies;
  autoMerge: AutoMerge;
  backups: {
    /**
     * S3 bucket for tenant backups (tenants/<tenant>/backups/<UTC time>-<kind>/). Endpoint, region and credentials come from the standard AWS environment (AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, ...). Without it, backups go to <state-dir>/backups on the controller's disk.
     */
    bucket?: string;
    /**
     * Restore drills: each slot, a verified backup of every tenant (or a sample of them) is restored to a sandbox, smoke-checked and removed.
     */
    drills: {
      /**
       * The drill slot: the 1st of each month, quarter (January, April, July, October) or year, at 05:00 UTC; never turns scheduled drills off (rp9 drills run still works).
       */
      every: 'monthly' | 'quarterly' | 'yearly' | 'never';
      /**
       * The share of tenants drilled each slot (1: all). Which ones is a stable draw per tenant and slot, so a different sample comes up each slot.
       */
      sample: number;
    };
    /**
     * Days (default 14) pre-migration, pre-upgrade and pre-restore backups are kept after their operation ends.
     */
    operationBackupDays?: number;
    retention: {
      /**
       * Daily backups kept (days).
       */
      daily: number;
      /**
       * Weekly backups kept (weeks).
       */
      weekly: number;
      /**
       * Monthly backups kept (months).
       */
      monthly: number;
    };
  };
  /**
   * Stripe: which price, product or entitlement feature is which plan (webhooks and the hourly reconcile of the stripe-sync bot), and the meter the enforcement bot reports overage to.
   */
  billing: {
    /**
     * Stripe price or product id → plan name in spec.plans.
     */
    stripePlans: {
      [k: string]: string;
    };
    /**
     * Stripe entitlement feature lookup_key → plan name in spec.plans. A customer's active entitlements (the features of the products of its live subscriptions) name its plan: the hourly stripe-sync reconcile and the entitlements webhook compare it with the tenant's. Empty: entitlements are not read.
     */
    stripeFeatures: {
      [k: string]: string;
    };
    /**
     * event_name of the Stripe billing meter (aggregation: last) that receives the executions above a plan's limit.
     */
    overageMeter: string;
    /**
     * event_name of the Stripe billing meter (aggregation: last) that receives the whole GB of storage above a plan's storageGb.
     */
    storageOverageMeter: string;
  };
  /**
   * What the platform's infrastructure costs, for GET /analytics/costs (rp9 never bills with it; Stripe does). A tenant's monthly cost: its plan's flat monthly cost (plans), plus for a dedicated tenant its allocated cores and memory (cpu and memoryMb of main and of each worker) per hour over hoursPerMonth and its volume (storageGb) per GB-month, or for a shared tenant one shared seat. A suspended tenant's containers are stopped: no core or memory cost. Without it GET /analytics/costs answers 409 api.no-prices.
   */
  prices?: {
    /**
     * ISO 4217 code the figures are in.
     */
    currency: string;
    /**
     * Hours in a month.
     */
    hoursPerMonth: number;
    /**
     * Plan name in spec.plans → flat monthly cost of each tenant on it.
     */
    plans: {
      [k: string]: number;
    };
    /**
     * One allocated CPU core for one hour (dedicated tenants).
     */
    coreHour: number;
    /**
     * One allocated GB (1024 MB) of memory for one hour (dedicated tenants).
     */
    memoryGbHour: number;
    /**
     * One GB of a dedicated tenant's volume for a month.
     */
    storageGbMonth: number;
    /**
     * One shared tenant's seat on the shared n8n for a month.
     */
    sharedSeatMonthly: number;
  };
  safety: {
    maxDeletionPercent: Percent;
    /**
     * One-time override of the mass-deletion rail, reviewed in git: the removal of these tenants does not count toward maxDeletionPercent. A tenant listed here may not have a file in tenants/, so the entry is spent once the removal is applied: adding the tenant back requires taking it off this list.
     */
    allowDeletion?: {
      /**
       * Names of the tenants whose removal is intended.
       *
       * @minItems 1
       */
      tenants: [string, ...string[]];
      /**
       * Why these tenants are removed (shown in the plan and the controller's log).
       */
      reason: string;
    };
  };
}
/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "Region".
 */
export interface Region {
  geography: Name;
  displayName?: string;
}
/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "Plan".
 */
export interface Plan {
  displayName?: string;
  cpu: number;
  memoryMb: number;
  workers: number;
  storageGb: number;
  executionsMonthly: number;
  concurrentExecutions: number;
  apiCallsHourly: number;
  ceiling: PlanResources;
  /**
   * Tenants on this plan must be dedicated or have a promotion scheduled.
   */
  requiresDedicated: boolean;
  /**
   * Overrides spec.backups.retention for tenants on this plan; a count left out keeps the platform's.
   */
  backupRetention?: {
    /**
     * Daily backups kept (days).
     */
    daily?: number;
    /**
     * Weekly backups kept (weeks).
     */
    weekly?: number;
    /**
     * Monthly backups kept (months).
     */
    monthly?: number;
  };
  overageBilling: boolean;
  /**
   * Windows in which downtime changes (a recreate or restart, an upgrade's swap) of this plan's dedicated tenants apply; outside them such a change waits for the next window. Left out: downtime changes apply at once. A tenant may override them (spec.maintenance).
   *
   * @minItems 1
   * @maxItems 14
   */
  maintenanceWindows?: [MaintenanceWindow, ...MaintenanceWindow[]];
}
/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "PlanResources".
 */
export interface PlanResources {
  cpu: number;
  memoryMb: number;
  workers: number;
  storageGb: number;
}
/**
 * A weekly maintenance window in UTC: it opens at startHourUtc on each listed weekday and stays open durationHours (it may run past midnight).
 *
 * This interface was referenced by `Platform`'s JSON-Schema
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
/**
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "Policies".
 */
export interface Policies {
  autoscale: {
    /**
     * cron
     */
    schedule: string;
    windowMinutes: number;
    scaleUp: {
      queueWaitP95Seconds: number;
      cpuPercent: Percent;
      memoryPercent: Percent;
      executionsPerMinute: number;
      memoryStepPercent: number;
    };
    scaleDown: {
      cpuPercent: Percent;
      memoryPercent: Percent;
      queueWaitP95Seconds: number;
      executionsPerMinute: number;
    };
    tolerancePercent: Percent;
    /**
     * Each signal's own band. Memory has none on the way up by default: at 85 % a tenant is already near the out-of-memory kill, so the bot does not wait for 93.5 %.
     */
    tolerance: {
      queueWaitP95Seconds?: ToleranceBand;
      executionsPerMinute?: ToleranceBand;
      cpuPercent?: ToleranceBand;
      memoryPercent: ToleranceBand;
    };
    scaleDownStabilizationHours: number;
    /**
     * A scale-down also needs the last this-many hours' peaks to fit the smaller allocation: below the scale-up limits the step would leave (CPU scaled by the step; executions/min and queue wait p95 as they are), counted from the last change of spec.resources at the latest (older figures were measured with another allocation). 0 turns the check off.
     */
    scaleDownPeakHours: number;
    /**
     * Cores per container one scale-down releases (never below 1; a scale-up adds 1). Half a core lets a step down keep room for a burst that the peak check's look-back did not see.
     */
    scaleDownCpuStep: number;
    /**
     * No change within this time of the tenant's last resource change (from git history).
     */
    cooldownMinutes: number;
  };
  promotion: {
    schedule: string;
    /**
     * Lookback window of Trigger A's figures (queue wait p95, concurrency), hours.
     */
    windowHours: number;
    queueWaitP95Seconds: number;
    cpuPercent: Percent;
    executionsMonthlyShareOfPro: number;
    concurrentExecutions: number;
    ttlMinutes: number;
    maintenanceWindow: {
      /**
       * 0 = Sunday
       */
      weekdays: number[];
      hourUtc: number;
    };
  };
  enforcement: {
    schedule: string;
    warningPercent: Percent;
    throttlePercent: Percent;
    suspendPercent: number;
  };
  upgrades: {
    schedule: string;
    /**
     * Where available n8n versions are read.
     */
    registryUrl: string;
    minReleaseAgeDays: number;
    /**
     * Tenants with this label set to "true" are upgraded first.
     */
    canaryLabel: string;
    soakHours: number;
    /**
     * Minutes the controller watches a tenant's new (blue) stack after the swap of a blue/green upgrade; a failure in that time rolls back to green.
     */
    watchMinutes: number;
    /**
     * During the watch, the largest rise of the tenant's execution error rate (a share: 0.1 is ten percentage points) over green's before the copy (the 24 h before the upgrade) that blue may show; past it the upgrade rolls back to green.
     */
    errorRateRise: number;
    /**
     * Hours the controller keeps green's stopped containers and database after a blue/green upgrade's watch passed before it removes them (0: at once). While kept, rp9 tenant rollback switches back to green.
     */
    keepGreenHours: number;
    /**
     * Finished executions needed to compute an error rate: blue with fewer since the swap is not judged (unmeasured), green with fewer counts as a baseline of 0.
     */
    errorRateMinExecutions: number;
    /**
     * Whether the bot proposes a new n8n major once nothing newer is left in the tenant's major: hold (the default; held as upgrades.major-held) or propose (for review unless autoMerge.upgrades.major). n8n majors change the runtime (n8n 2.x needs Node 24), so operators opt in.
     */
    majors: 'hold' | 'propose';
  };
  /**
   * The stripe-sync bot's hourly reconcile of Stripe subscriptions against the tenants' plans (webhooks can be missed).
   */
  stripeSync: {
    /**
     * cron
     */
    schedule: string;
  };
  bots: {
    maxOpenPrsPerBot: number;
    maxPrsPerHourPerBot: number;
  };
}
/**
 * A signal's own band, percent of its threshold; a direction left out uses tolerancePercent.
 *
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "ToleranceBand".
 */
export interface ToleranceBand {
  up?: Percent;
  down?: Percent;
}
/**
 * Which bot changes may merge without a human, per bot and risk class.
 *
 * This interface was referenced by `Platform`'s JSON-Schema
 * via the `definition` "AutoMerge".
 */
export interface AutoMerge {
  autoscale: {
    withinCeiling: boolean;
    beyondCeiling: boolean;
  };
  promotion: {
    high: boolean;
    medium: boolean;
    low: boolean;
  };
  upgrades: {
    patch: boolean;
    minor: boolean;
    major: boolean;
  };
  enforcement: {
    warning: boolean;
    throttle: boolean;
    suspend: boolean;
    /**
     * Lifting a throttle or a suspension the enforcement bot set, at a new period or after a plan upgrade.
     */
    lift: boolean;
  };
  stripeSync: {
    planChange: boolean;
    limitChange: boolean;
  };
  /**
   * The failover pull request (rp9 tenant failover, POST /tenants/:id/failover) that moves a dedicated tenant back to shared.
   */
  failover: {
    /**
     * A failover declared an emergency (rp9 tenant failover --emergency) merges by itself once its required checks pass; one that is not, or with this false, waits for a person.
     */
    emergency: boolean;
  };
}
