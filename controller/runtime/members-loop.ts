// Shared tenants' members on the shared n8n, converged by the leader every
// reconcile interval (controller/shared-tenants: observe → plan → apply).
// Off without an API key for the shared n8n (RP9_SHARED_N8N_API_KEY): shared
// tenants then get their route only, as before.
import { n8nApiFor } from '../../edges/n8n/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import { describeMemberAction } from '../shared-tenants/plan-members.js';
import { reconcileMembers } from '../shared-tenants/reconcile-members.js';
import type { Store } from '../store/index.js';
import type { ControllerSettings } from './settings.js';

export interface MembersLoopOptions {
  settings: Pick<ControllerSettings, 'sharedN8nApi' | 'sharedDatabaseUrl' | 'intervalMs'>;
  store: Store;
  config(): GoodConfig | undefined;
  isLeader(): boolean;
  logger: Logger;
}

export async function membersPass(options: MembersLoopOptions, good: GoodConfig): Promise<void> {
  const { url, apiKey } = options.settings.sharedN8nApi;
  if (!apiKey) return;
  const shared = {
    api: n8nApiFor(good.platform.spec.sharedN8n.version),
    connection: { baseUrl: url ?? good.platform.spec.sharedN8n.url, apiKey },
    databaseUrl: options.settings.sharedDatabaseUrl,
  };
  const result = await reconcileMembers(shared, options.store, good);
  for (const action of result.applied) options.logger.info('shared member', { tenant: action.tenant, action: action.kind, detail: describeMemberAction(action) });
  for (const failure of result.failures) options.logger.warn('shared member action failed; retried next pass', { ...failure });
  for (const block of result.blocked) options.logger.warn('shared member blocked', { ...block });
}

export function startMembersLoop(options: MembersLoopOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  async function tick(): Promise<void> {
    const good = options.config();
    if (good && options.isLeader()) {
      await membersPass(options, good).catch((error: unknown) => options.logger.warn('shared members pass failed', { error: error instanceof Error ? error.message : String(error) }));
    }
    if (stopped) return;
    timer = setTimeout(() => void tick(), options.settings.intervalMs);
    timer.unref?.();
  }
  if (!options.settings.sharedN8nApi.apiKey) return () => undefined;
  timer = setTimeout(() => void tick(), Math.min(options.settings.intervalMs, 5_000));
  timer.unref?.();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
