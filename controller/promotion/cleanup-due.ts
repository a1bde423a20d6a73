// Which shared-n8n cleanups the operations loop starts: a tenant whose latest
// promotion finished `done`, whose grace period (the promotion's
// `cleanupAfter`) has passed, that git still says is dedicated, and that
// nothing has moved back to shared since (a demotion). One cleanup per
// promotion; a failed one is tried again an hour after it ended, at most
// three times in all. Pure: operations in, newest first.
import type { Operation } from '../store/types.js';

export const CLEANUP_KIND = 'shared-cleanup';
/** Kinds that move a tenant's data back to shared: after one of them, the shared copy is the live one. */
export const MOVES_BACK = ['demotion'] as const;
export const CLEANUP_RETRY_MS = 3_600_000;
export const CLEANUP_MAX_ATTEMPTS = 3;

export interface DueCleanup {
  tenant: string;
  promotionId: string;
}

export interface CleanupTenant {
  name: string;
  mode: 'shared' | 'dedicated';
}

function latest(ops: readonly Operation[], tenant: string, kind: string): Operation | undefined {
  return ops.find((op) => op.tenant === tenant && op.kind === kind);
}

export function dueCleanups(tenants: readonly CleanupTenant[], ops: readonly Operation[], now: Date): DueCleanup[] {
  const due: DueCleanup[] = [];
  for (const { name, mode } of tenants) {
    if (mode !== 'dedicated') continue;
    const promotion = latest(ops, name, 'promotion');
    if (!promotion || promotion.status !== 'done' || !promotion.finishedAt) continue;
    const after = Date.parse(String(promotion.state.cleanupAfter));
    if (!Number.isFinite(after) || after > now.getTime()) continue;
    const movedBack = ops.some((op) => op.tenant === name && (MOVES_BACK as readonly string[]).includes(op.kind) && op.startedAt.getTime() >= promotion.finishedAt!.getTime());
    if (movedBack) continue;
    const attempts = ops.filter((op) => op.tenant === name && op.kind === CLEANUP_KIND && op.state.promotionId === promotion.id);
    if (attempts.some((op) => op.status === 'done' || op.finishedAt === null)) continue;
    if (attempts.length >= CLEANUP_MAX_ATTEMPTS) continue;
    const lastEnd = Math.max(0, ...attempts.map((op) => op.finishedAt!.getTime()));
    if (attempts.length > 0 && now.getTime() - lastEnd < CLEANUP_RETRY_MS) continue;
    due.push({ tenant: name, promotionId: promotion.id });
  }
  return due;
}
