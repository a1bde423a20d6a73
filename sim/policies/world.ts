// What a policy's run sees and acts on in the simulator: the tenant files,
// what runs, the figures, git history and the pull requests.
import type { Platform } from '../../config/types.js';
import type { Tenant } from '../../types/tenant.js';
import type { FieldHistory } from '../../bots/sources/types.js';
import type { MetricsState } from '../bot-metrics.js';
import type { Capacity } from '../capacity.js';
import type { PullRequests } from '../pull-requests.js';

export interface PolicyWorld {
  platform: Platform;
  /** The tenant files as merged so far, by tenant index. */
  tenants: Tenant[];
  names: readonly string[];
  capacity: Capacity;
  metrics: MetricsState;
  history: FieldHistory;
  prs: PullRequests;
}
