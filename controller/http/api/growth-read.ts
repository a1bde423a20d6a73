// The edge of GET /analytics/growth and /recommendations: the commits of the
// config repo from the commit in force (newest first, at most MAX_COMMITS),
// the commit in force at each sample time, and each such commit's tenants
// (read and validated like the controller reads a commit; a tenant file
// invalid in that commit is not counted). The store adds the phases now.
import { loadConfig } from '../../../config/load-config.js';
import { createParseCache } from '../../../config/parse-cache.js';
import type { LoadedTenant, Platform } from '../../../config/types.js';
import type { GoodConfig } from '../../reconcile/config-tracker.js';
import { allocationOf } from './allocation.js';
import { commitsAt, growthPoint, growthRates, sampleTimes, stepMs, type GrowthPoint, type GrowthRates, type TenantFacts } from './growth.js';
import { ApiError } from './route.js';
import type { ApiDeps } from './types.js';

export const MAX_COMMITS = 5000;

export interface Growth {
  step: string;
  points: GrowthPoint[];
  rates: GrowthRates;
  history: { commits_read: number; truncated: boolean };
}

export function tenantFacts(tenants: readonly LoadedTenant[], platform: Platform): TenantFacts[] {
  return tenants.map((t) => {
    const allocated = allocationOf(t.tenant, platform);
    return { plan: t.tenant.spec.plan, mode: t.tenant.spec.mode, suspended: t.tenant.spec.suspended === true, cores: allocated.cores, memoryMb: allocated.memoryMb };
  });
}

export async function readGrowth(deps: ApiDeps, good: GoodConfig, period: string, now: Date): Promise<Growth> {
  if (!deps.configCommits || !deps.configFiles) throw new ApiError(503, 'api.no-history', 'this controller cannot read the config repo\'s history');
  const commits = await deps.configCommits(good.commit, MAX_COMMITS);
  const times = sampleTimes(now, period);
  const picked = commitsAt(commits, times);
  const facts = new Map<string, TenantFacts[]>();
  // A file unchanged between sampled commits (same blob) is parsed once.
  const cache = createParseCache();
  for (const commit of new Set(picked)) {
    if (commit === undefined || facts.has(commit)) continue;
    if (commit === good.commit) {
      facts.set(commit, tenantFacts(good.config.tenants, good.platform));
      continue;
    }
    const loaded = loadConfig(await deps.configFiles(commit), cache);
    // An invalid platform.yaml in that commit: its tenants are sized with the platform in force.
    facts.set(commit, tenantFacts(loaded.tenants, loaded.platform ?? good.platform));
  }
  const points = times.map((time, i) => {
    const commit = picked[i];
    return growthPoint(time, commit, commit === undefined ? undefined : facts.get(commit));
  });
  return {
    step: stepMs(period) === 3_600_000 ? '1h' : '1d',
    points,
    rates: growthRates(points),
    history: { commits_read: commits.length, truncated: commits.length >= MAX_COMMITS },
  };
}
