// Typed example values for tests and benches: a Platform as the config loader
// returns it (defaults applied) and LoadedTenant builders.
import type { LoadedTenant, Platform, Tenant } from '../../config/types.js';
import { createCompileContext, type CompileContext } from './context.js';
import { digest } from './hash.js';

export function examplePlatform(): Platform {
  const plan = (cpu: number, memoryMb: number, workers: number, storageGb: number) => ({
    cpu,
    memoryMb,
    workers,
    storageGb,
    executionsMonthly: 1000,
    concurrentExecutions: 2,
    apiCallsHourly: 1000,
    ceiling: { cpu: cpu * 2, memoryMb: memoryMb * 2, workers: workers * 2, storageGb: storageGb * 2 },
    requiresDedicated: false,
    overageBilling: false,
  });
  return {
    apiVersion: 'rp9.io/v1',
    kind: 'Platform',
    metadata: { name: 'rp9-test' },
    spec: {
      domain: 'rp9.example.com',
      environment: 'test',
      runtime: 'docker',
      reservedSubdomains: [],
      regions: { 'us-east': { geography: 'us' }, 'eu-west': { geography: 'eu' } },
      sharedN8n: { url: 'http://n8n-shared:5678', version: '1.123.4' },
      dedicated: { image: 'rp9/n8n', n8nVersion: '1.123.4' },
      plans: { starter: plan(1, 1024, 1, 5), pro: plan(2, 2048, 2, 20), enterprise: { ...plan(4, 4096, 4, 100), requiresDedicated: true } },
      policies: {
        autoscale: {
          schedule: '*/15 * * * *',
          windowMinutes: 15,
          scaleUp: { queueWaitP95Seconds: 5, cpuPercent: 80, memoryPercent: 85, executionsPerMinute: 10, memoryStepPercent: 50 },
          scaleDown: { cpuPercent: 20, memoryPercent: 30, queueWaitP95Seconds: 1, executionsPerMinute: 2 },
          tolerancePercent: 10,
          tolerance: { memoryPercent: { up: 0 } },
          scaleDownStabilizationHours: 6,
          scaleDownPeakHours: 72,
          scaleDownCpuStep: 0.5,
          cooldownMinutes: 60,
        },
        promotion: {
          schedule: '0 */4 * * *',
          windowHours: 4,
          queueWaitP95Seconds: 10,
          cpuPercent: 80,
          executionsMonthlyShareOfPro: 0.5,
          concurrentExecutions: 5,
          ttlMinutes: 10,
          maintenanceWindow: { weekdays: [0, 6], hourUtc: 22 },
        },
        enforcement: { schedule: '0 * * * *', warningPercent: 80, throttlePercent: 95, suspendPercent: 100 },
        upgrades: { schedule: '0 3 * * *', registryUrl: 'https://registry.example.com', minReleaseAgeDays: 3, canaryLabel: 'rp9.io/canary', soakHours: 24, watchMinutes: 15, errorRateRise: 0.1, errorRateMinExecutions: 10, keepGreenHours: 0, majors: 'hold' },
        stripeSync: { schedule: '0 * * * *' },
        bots: { maxOpenPrsPerBot: 5, maxPrsPerHourPerBot: 2 },
      },
      autoMerge: {
        autoscale: { withinCeiling: true, beyondCeiling: false },
        promotion: { high: true, medium: false, low: false },
        upgrades: { patch: true, minor: false, major: false },
        enforcement: { warning: true, throttle: false, suspend: false, lift: true },
        stripeSync: { planChange: false, limitChange: true },
        failover: { emergency: false },
      },
      backups: { retention: { daily: 7, weekly: 4, monthly: 12 }, drills: { every: 'quarterly', sample: 1 } },
      safety: { maxDeletionPercent: 25 },
      billing: { stripePlans: {}, stripeFeatures: {}, overageMeter: 'rp9_executions_overage', storageOverageMeter: 'rp9_storage_overage' },
    },
  };
}

export type TenantSpecInput = Partial<Tenant['spec']> & Pick<Tenant['spec'], 'mode'>;

/** A LoadedTenant with schema defaults applied; `spec` overrides the defaults. */
export function loadedTenant(name: string, spec: TenantSpecInput): LoadedTenant {
  const tenant: Tenant = {
    apiVersion: 'rp9.io/v1',
    kind: 'Tenant',
    metadata: { name, email: `ops@${name}.example`, labels: {} },
    spec: {
      plan: 'pro',
      region: 'us-east',
      subdomain: name,
      customDomains: [],
      suspended: false,
      backups: { schedules: ['daily', 'weekly', 'monthly'], includeExecutions: false },
      ...spec,
    },
  };
  return { name, file: `tenants/${name}.yaml`, tenant, generation: digest(JSON.stringify(tenant), 64) };
}

/** The compile context the table tests use: redis/postgres service names, a fixed suspended URL. */
export function exampleCompileContext(platform: Platform = examplePlatform()): CompileContext {
  return createCompileContext(platform, {
    redis: { host: 'redis', port: 6379 },
    postgres: { host: 'postgres', port: 5432 },
    suspendedUrl: 'http://rp9:8080/suspended',
  });
}
