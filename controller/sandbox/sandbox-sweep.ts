// Removes expired restore sandboxes by inventory (what carries a sandbox's
// name and owner labels), and sandboxes that a restore left without
// containers, unless a restore operation still works on them. Run by the
// leader's operations loop, so a sandbox outlives its TTL by at most one
// operations interval, and a restore killed half-way leaves nothing behind
// once its operation is rolled back or given up.
import type { Logger } from '../../kernel/log/logger.js';
import type { OperationsApi } from '../store/operations-repo.js';
import { sandboxesToRemove } from './sandbox.js';
import type { SandboxStack } from './sandbox-stack.js';

export async function sweepSandboxes(stack: SandboxStack, operations: Pick<OperationsApi, 'listUnfinished'>, now: Date, logger: Logger): Promise<string[]> {
  const inventory = await stack.inventory();
  if (inventory.length === 0) return [];
  const busy = new Set((await operations.listUnfinished()).map((op) => op.state.sandbox).filter((name): name is string => typeof name === 'string'));
  const removed: string[] = [];
  for (const sandbox of sandboxesToRemove(inventory, now, busy)) {
    await stack.remove(sandbox.name);
    removed.push(sandbox.name);
    logger.info('sandbox removed', { sandbox: sandbox.name, tenant: sandbox.of ?? null, expired_at: sandbox.expiresAt?.toISOString() ?? null, reason: sandbox.expiresAt ? 'expired' : 'no containers', resources: sandbox.resources });
  }
  return removed;
}
