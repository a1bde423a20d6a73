// The shared n8n's cleanup after a promotion (issue 9, step 9): once the
// grace period has passed, the tenant's workflows and credentials that moved
// to its dedicated n8n are deleted from the shared one. Its own operation on
// the engine, started by the operations loop (controller/promotion/cleanup-due.ts),
// so a crash resumes it from the journal. Steps:
//   select: git still says dedicated; read both sides; pick what moved (cleanup-selection.ts)
//   delete-workflows, delete-credentials: one DELETE each, an absent one counts as done
// Nothing to undo: what is deleted is on the dedicated n8n, and in the promotion's
// pre-migration backup.
import type { EventsApi } from '../store/events-repo.js';
import type { Operation } from '../store/types.js';
import { cleanupItems, cleanupSelection, type CleanupSelection } from '../promotion/cleanup-selection.js';
import { OperationError, type OperationKind, type StepContext } from './kind.js';

export type CleanupWhat = 'workflows' | 'credentials';

export interface SharedCleanupDeps {
  shared: {
    /** The tenant's workflows or credentials in its personal project, as n8n's CLI exports them. */
    exportItems(tenant: string, what: CleanupWhat): Promise<Record<string, unknown>[]>;
    deleteItem(what: CleanupWhat, id: string): Promise<'deleted' | 'absent'>;
  };
  dedicated: {
    exportItems(tenant: string, what: CleanupWhat): Promise<Record<string, unknown>[]>;
  };
  /** Whether git says the tenant is dedicated, now. */
  isDedicated(tenant: string): boolean;
  events?: EventsApi;
}

type Ctx = StepContext<SharedCleanupDeps>;

function selection(ctx: Ctx): CleanupSelection {
  const chosen = ctx.state.selection as CleanupSelection | undefined;
  if (!chosen) throw new OperationError('cleanup.not-selected', `shared cleanup ${ctx.operation.id}: the journal has no selection`);
  return chosen;
}

function deleteStep(what: CleanupWhat) {
  return {
    name: `delete-${what}`,
    timeoutSeconds: 1800,
    async run(ctx: Ctx) {
      const ids = selection(ctx)[what];
      let deleted = 0;
      for (const id of ids) {
        if ((await ctx.deps.shared.deleteItem(what, id)) === 'deleted') deleted += 1;
        ctx.progress({ phase: `${what} ${deleted}/${ids.length}` });
      }
      return { [`${what}Deleted`]: ids.length };
    },
  };
}

export const sharedCleanupKind: OperationKind<SharedCleanupDeps> = {
  name: 'shared-cleanup',
  deadlineSeconds: 3600,
  steps: [
    {
      name: 'select',
      timeoutSeconds: 600,
      async run(ctx) {
        if (ctx.state.selection) return;
        const { tenant } = ctx.operation;
        if (!ctx.deps.isDedicated(tenant)) throw new OperationError('cleanup.not-dedicated', `shared cleanup of ${tenant}: git no longer says dedicated; the shared copy stays`);
        const [sharedWorkflows, sharedCredentials, dedicatedWorkflows, dedicatedCredentials] = [
          await ctx.deps.shared.exportItems(tenant, 'workflows'),
          await ctx.deps.shared.exportItems(tenant, 'credentials'),
          await ctx.deps.dedicated.exportItems(tenant, 'workflows'),
          await ctx.deps.dedicated.exportItems(tenant, 'credentials'),
        ];
        const chosen = cleanupSelection(
          { workflows: cleanupItems(sharedWorkflows), credentials: cleanupItems(sharedCredentials) },
          { workflows: cleanupItems(dedicatedWorkflows), credentials: cleanupItems(dedicatedCredentials) },
        );
        return { selection: chosen };
      },
    },
    deleteStep('workflows'),
    deleteStep('credentials'),
  ],
  async onFinished(op: Operation, deps: SharedCleanupDeps) {
    const chosen = op.state.selection as CleanupSelection | undefined;
    const ok = op.status === 'done' && chosen !== undefined;
    const kept = chosen ? [...chosen.kept.workflows.map((k) => `workflow ${k.id} (${k.why})`), ...chosen.kept.credentials.map((k) => `credential ${k.id} (${k.why})`)] : [];
    await deps.events?.record({
      tenant: op.tenant,
      type: ok && kept.length === 0 ? 'Normal' : 'Warning',
      reason: ok ? 'SharedCleanedUp' : 'SharedCleanupFailed',
      message: ok
        ? `deleted ${chosen.workflows.length} workflow(s) and ${chosen.credentials.length} credential(s) from the shared n8n after the grace period${kept.length ? `; kept ${kept.join(', ')}` : ''}`
        : `the shared n8n's cleanup ${op.status}: ${op.error ?? op.status}; the tenant's copy there stays`,
      actor: 'controller',
      correlationId: op.id,
      data: { operationId: op.id, promotionId: op.state.promotionId ?? null, workflows: chosen?.workflows.length ?? 0, credentials: chosen?.credentials.length ?? 0, kept },
    });
  },
};
