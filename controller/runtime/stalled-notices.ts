// After each reconcile pass: tells the operators' channel which tenants are
// Stalled (controller/reconcile/stalled-notice.ts decides the notice). A
// delivery failure is logged and left for the next pass.
import type { Notification } from '../../edges/notify/types.js';
import type { Logger } from '../../kernel/log/logger.js';
import { stalledNotice } from '../reconcile/stalled-notice.js';
import type { Store } from '../store/index.js';

export interface StalledNoticeDeps {
  status: Pick<Store['status'], 'list'>;
  notify: (notification: Notification) => Promise<void>;
  logger: Logger;
}

/** Returns a function to call after each pass; it remembers the tenants stalled at the previous call to mark the new ones. */
export function stalledNotifier(deps: StalledNoticeDeps): () => Promise<void> {
  let previously = new Set<string>();
  let first = true;
  return async () => {
    try {
      const statuses = await deps.status.list();
      const notice = stalledNotice(statuses, first ? new Set(statuses.map((s) => s.tenant)) : previously);
      if (notice) await deps.notify(notice);
      previously = new Set(statuses.filter((s) => s.conditions.some((c) => c.type === 'Stalled' && c.status === 'True')).map((s) => s.tenant));
      first = false;
    } catch (error) {
      deps.logger.warn('stalled tenants notice not delivered; the next pass tries again', { code: (error as { code?: string }).code ?? 'notify.failed', error: (error as Error).message });
    }
  };
}
