// Operator notices for operations that end badly: a promotion or demotion that failed or
// rolled back, a blue/green upgrade that rolled back or failed. One notice per
// operation (its key is the operation id, so the delivery record keeps a
// restart or a second finish from sending it again). The notice is pure; the
// wrapper adds it to each kind's finish hook, after the kind's own.
import type { Notification } from '../../edges/notify/types.js';
import type { BoundKind } from '../operations/kind.js';
import type { Operation } from '../store/types.js';

const WHAT: Record<string, string> = { promotion: 'promotion to a dedicated n8n', demotion: 'demotion back to the shared n8n', upgrade: 'n8n upgrade' };

const NEXT: Record<string, (tenant: string) => string> = {
  promotion: (tenant) => `The tenant stays on the shared instance; the controller opened (or will open) a PR that takes spec.promotion out. See rp9 status ${tenant}.`,
  demotion: (tenant) => `The tenant stays on its dedicated instance; the controller opened (or will open) a PR that sets mode: dedicated again. See rp9 status ${tenant}.`,
  upgrade: (tenant) => `The tenant keeps running its previous version; the same version is not tried again until git changes. See rp9 tenant upgrade-status ${tenant}.`,
};

/** The notice for a finished operation, or undefined when there is nothing to tell (done, or a kind without notices). */
export function operationFailureNotice(op: Pick<Operation, 'id' | 'kind' | 'tenant' | 'status' | 'error' | 'state'>): Notification | undefined {
  const what = WHAT[op.kind];
  if (!what || op.status === 'done') return undefined;
  const ended = op.status === 'rolled-back' ? 'rolled back' : op.status;
  const versions = op.kind === 'upgrade' && typeof op.state.fromVersion === 'string' && typeof op.state.toVersion === 'string' ? ` (${op.state.fromVersion} → ${op.state.toVersion})` : '';
  const next = (NEXT[op.kind] ?? NEXT.upgrade!)(op.tenant);
  return {
    key: `operation/${op.id}`,
    tenant: op.tenant,
    subject: `rp9: ${what} of ${op.tenant}${versions} ${ended}`,
    text: `Tenant: ${op.tenant}\nOperation: ${op.kind} ${op.id}, ${ended}\nError: ${op.error ?? 'none recorded'}\nNext: ${next}\n`,
  };
}

/** `kinds` with each finish hook also sending the operation's failure notice (errors are the engine's to log). */
export function withFailureNotices(kinds: Readonly<Record<string, BoundKind>>, notify: ((notification: Notification) => Promise<void>) | undefined): Record<string, BoundKind> {
  if (!notify) return { ...kinds };
  const out: Record<string, BoundKind> = {};
  for (const [name, bound] of Object.entries(kinds)) {
    const own = bound.kind.onFinished;
    out[name] = {
      deps: bound.deps,
      kind: {
        ...bound.kind,
        async onFinished(op, deps) {
          try {
            await own?.(op, deps);
          } finally {
            const notice = operationFailureNotice(op);
            if (notice) await notify(notice);
          }
        },
      },
    };
  }
  return out;
}
