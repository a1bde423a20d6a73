// The promotion of a shared tenant to its dedicated n8n, top to bottom:
// a pre-migration backup; the dedicated stack up and healthy (not routed);
// pre-copy (while the tenant still runs on shared: its project exported to a
// sealed file and imported into the dedicated n8n, inactive, with a
// fingerprint of the tenant's rows on shared); record which of the tenant's
// workflows are active on shared; freeze (route answers 503, those workflows
// deactivated on shared); export its project again only if the fingerprint
// moved since the pre-copy (else what the dedicated n8n holds is current);
// import that export (ids kept, owned by the tenant's user there); activate
// exactly the recorded workflows; verify (same content on both sides,
// dedicated healthy, a webhook answers there); switch the route. The freeze
// (record … switch) is bounded by ttlMinutes.
//
// n8n 2.x order (NOTES-2x.md): the CLI import deactivates what it imports
// and leaves a running instance's in-memory webhooks stale, and
// --activeState=fromJson works in queue mode only. So nothing is active on
// the dedicated instance before the import, the import deactivates, and the
// recorded workflows are activated afterwards through the public API, which
// makes the database and the in-memory registrations agree.
//
// Invariant: a workflow is never active on both instances. Undo runs in
// reverse, so the dedicated side is deactivated (or its stack stopped) before
// the shared side is reactivated.
//
// The freeze is kept short (each n8n CLI run costs seconds): the copy is
// made before it (pre-copy), so a tenant that changed nothing meanwhile is
// neither exported nor imported while frozen; the dedicated
// owner is created before it (dedicated-up); record reads the active
// workflows from the shared database (SQL, not a CLI export); workflows are
// (de)activated a few at a time; the CLI exports, and the imports, of a step
// run side by side (the dedicated side keeps one per container); verify
// compares the dedicated side with the sealed export, which is what was
// imported, instead of exporting the frozen shared side again, and a
// fingerprint of the tenant's rows on shared, taken before the export and
// again at the verify, proves that nothing changed there in between.
import type { Metrics } from '../../kernel/metrics/registry.js';
import { contentDifferences, freezeState, webhookPaths } from '../promotion/content.js';
import { readSealedExport, removeSealedExport, type TenantExport } from '../promotion/sealed-export.js';
import type { EventsApi } from '../store/events-repo.js';
import type { Operation } from '../store/types.js';
import { OperationError, type OperationKind, type StepContext } from './kind.js';
import { allInOrder, sealSource, setAll, verifyReads, type MoveSource, type VerifyReads } from './move-steps.js';

export { SET_ACTIVE_CONCURRENCY } from './move-steps.js';

export interface WorkflowState {
  id: string;
  active: boolean;
}

/** One n8n instance as the promotion sees a tenant on it. */
export interface PromotionN8n {
  /** The tenant's workflows there (shared: its personal project), with whether each is active. */
  workflows(tenant: string): Promise<WorkflowState[]>;
  /** Activates or deactivates one workflow; a no-op when it already is. */
  setActive(tenant: string, id: string, active: boolean): Promise<void>;
  /** Workflows or credentials (decrypted) as n8n's CLI exports them. */
  exportItems(tenant: string, what: 'workflows' | 'credentials'): Promise<Record<string, unknown>[]>;
}

/** The shared n8n, where the tenant's data is read while it is frozen (its fingerprint: move-steps.ts). */
export interface SharedPromotionN8n extends PromotionN8n, MoveSource {}

export interface DedicatedN8n extends PromotionN8n {
  /** Starts the stack if stopped and waits until it is healthy (bounded). */
  ensureUp(tenant: string, signal: AbortSignal): Promise<void>;
  healthy(tenant: string): Promise<boolean>;
  /** Stops the stack (kept for inspection); idempotent. */
  stop(tenant: string): Promise<void>;
  /**
   * Deactivates every workflow in the instance's database without its API (n8n's CLI in a running
   * container of the stack), so that a later start does not activate them; false when nothing runs.
   */
  deactivateAll(tenant: string): Promise<boolean>;
  /** The tenant's user on the instance (the owner, with the tenant's email), created headlessly once. */
  ensureOwner(tenant: string): Promise<void>;
  /** CLI import: ids kept, imported workflows inactive. */
  importItems(tenant: string, what: 'workflows' | 'credentials', items: readonly Record<string, unknown>[]): Promise<void>;
  /** Deletes these workflows or credentials through the public API; an absent one is already deleted. */
  deleteItems(tenant: string, what: 'workflows' | 'credentials', ids: readonly string[]): Promise<void>;
  /** HTTP status of GET <dedicated target>/webhook/<path>. */
  probeWebhook(tenant: string, path: string): Promise<number>;
}

export type RouteState = 'shared' | 'frozen' | 'dedicated';

export interface PromotionDeps {
  shared: SharedPromotionN8n;
  dedicated: DedicatedN8n;
  /** Points the tenant's route at the shared n8n, the 503 freeze response, or its dedicated n8n (one atomic write). */
  route(tenant: string, target: RouteState): Promise<void>;
  /** Runs (or finds, after a crash) the tenant's pre-migration backup; returns its id. */
  preMigrationBackup(tenant: string, operationId: string, signal: AbortSignal): Promise<string>;
  masterKey(): Promise<Buffer>;
  /** Where the sealed export lives between export and import. */
  workDir: string;
  events?: EventsApi;
  metrics?: Pick<Metrics, 'promotions' | 'promotionFreeze'>;
  /** After a rollback: status Stalled/PromotionFailed and the PR that sets mode: shared (errors are logged by the engine). */
  onRolledBack?(op: Operation): Promise<void>;
  now?(): Date;
}

/** What the reconcile loop journals when it starts a promotion. */
export interface PromotionInput {
  ttlMinutes: number;
  window: string;
  commit: string;
  graceDays: number;
}

type Ctx = StepContext<PromotionDeps>;

export const DEFAULT_GRACE_DAYS = 7;

function recorded(ctx: Ctx): string[] {
  const ids = ctx.state.activeOnShared;
  if (!Array.isArray(ids)) throw new OperationError('promotion.not-recorded', `promotion ${ctx.operation.id}: the journal has no record of the tenant's active workflows`);
  return ids as string[];
}

function now(ctx: Ctx): Date {
  return ctx.deps.now?.() ?? new Date();
}

/** Fails the step when the freeze has outlived ttlMinutes; the undo path then unfreezes. */
function checkFreeze(ctx: Ctx): void {
  const ttl = Number(ctx.state.ttlMinutes);
  const freeze = freezeState(ctx.state.frozenAt as string | undefined, ttl, now(ctx));
  if (freeze.expired) throw new OperationError('promotion.freeze-expired', `promotion ${ctx.operation.id} of ${ctx.operation.tenant}: the freeze has lasted ${freeze.seconds.toFixed(1)} s, past ttlMinutes ${ttl}`);
}

/**
 * The shared side's fingerprint, then both CLI exports side by side into one sealed file (the operation's: a
 * later export overwrites the pre-copy's), with the counts and hashes the journal keeps.
 */
async function exportSealed(ctx: Ctx): Promise<{ journal: { exportFile: string; sharedFingerprint: string; exported: Record<string, unknown> }; data: TenantExport }> {
  const { tenant, id } = ctx.operation;
  // The fingerprint before the CLI reads (move-steps.ts): a change on shared from here on shows at the next one.
  const sealed = await sealSource(ctx.deps.shared, tenant, id, ctx.deps.workDir, await ctx.deps.masterKey());
  return { journal: { exportFile: sealed.exportFile, sharedFingerprint: sealed.fingerprint, exported: sealed.exported }, data: sealed.data };
}

interface ExportIds {
  workflows: string[];
  credentials: string[];
}

function idsOf(data: TenantExport): ExportIds {
  const ids = (items: readonly Record<string, unknown>[]) => items.map((item) => String(item.id)).sort();
  return { workflows: ids(data.workflows), credentials: ids(data.credentials) };
}

/** The pre-copy's ids (as journaled) that a later export no longer has. Pure. */
export function precopiedGone(precopied: unknown, now: ExportIds): ExportIds {
  const before = (precopied ?? {}) as Partial<ExportIds>;
  const gone = (was: unknown, is: readonly string[]) => {
    const kept = new Set(is);
    return Array.isArray(was) ? (was as string[]).filter((id) => !kept.has(id)) : [];
  };
  return { workflows: gone(before.workflows, now.workflows), credentials: gone(before.credentials, now.credentials) };
}

/**
 * Both CLI imports into the dedicated n8n, side by side (credentials on a worker, workflows on main):
 * import:workflow keeps a node's credential reference as it is when that credential is not there (yet), so the
 * order changes nothing imported. Both run to their end; a failure is reported credentials first (one that breaks
 * both names its cause).
 */
async function importBoth(ctx: Ctx, data: TenantExport): Promise<void> {
  const { tenant } = ctx.operation;
  await allInOrder([ctx.deps.dedicated.importItems(tenant, 'credentials', data.credentials), ctx.deps.dedicated.importItems(tenant, 'workflows', data.workflows)]);
}

/**
 * The verify step's reads side by side: the expected content (the sealed export, and the shared side's fingerprint
 * still the one taken at the export) and the dedicated side's two CLI exports (one run per container there:
 * workflows on main, credentials on a worker, controller/promotion/cli-containers.ts).
 */
function bothSides(ctx: Ctx): Promise<VerifyReads> {
  const { tenant, id } = ctx.operation;
  const from = { kind: 'promotion', source: ctx.deps.shared, tenant, operationId: id, exportFile: ctx.state.exportFile, fingerprint: ctx.state.sharedFingerprint, masterKey: ctx.deps.masterKey, changed: { code: 'promotion.shared-changed', where: 'the shared n8n' } } as const;
  return verifyReads(from, ctx.deps.dedicated);
}

export const promotionKind: OperationKind<PromotionDeps> = {
  name: 'promotion',
  deadlineSeconds: 3 * 3600,
  steps: [
    {
      name: 'backup',
      timeoutSeconds: 3600,
      async run(ctx) {
        if (typeof ctx.state.backupId === 'string') return;
        ctx.progress({ phase: 'backup' });
        return { backupId: await ctx.deps.preMigrationBackup(ctx.operation.tenant, ctx.operation.id, ctx.signal) };
      },
    },
    {
      name: 'dedicated-up',
      timeoutSeconds: 600,
      async run(ctx) {
        await ctx.deps.dedicated.ensureUp(ctx.operation.tenant, ctx.signal);
        // Before the freeze: the tenant's user (and the API key activate uses) on the dedicated n8n.
        await ctx.deps.dedicated.ensureOwner(ctx.operation.tenant);
      },
      async undo(ctx) {
        await ctx.deps.dedicated.stop(ctx.operation.tenant);
      },
    },
    {
      // Before the freeze, while the tenant still runs on shared: the copy that the freeze then only has to check.
      // The CLI import deactivates what it imports (1.x and 2.x), so nothing is active on dedicated yet; re-running
      // overwrites (ids kept). The fingerprint is taken before the CLI reads, so a change made during the export
      // shows as a moved fingerprint at the freeze and is exported again there.
      name: 'precopy',
      timeoutSeconds: 900,
      async run(ctx) {
        const { tenant } = ctx.operation;
        const copy = await exportSealed(ctx);
        await ctx.deps.dedicated.ensureOwner(tenant);
        await importBoth(ctx, copy.data);
        return { ...copy.journal, precopied: idsOf(copy.data) };
      },
      async undo(ctx) {
        if (typeof ctx.state.exportFile === 'string') await removeSealedExport(ctx.state.exportFile);
      },
    },
    {
      // Journaled before anything is deactivated: a crash mid-freeze still knows what to reactivate.
      name: 'record',
      timeoutSeconds: 300,
      async run(ctx) {
        if (Array.isArray(ctx.state.activeOnShared)) return;
        const workflows = await ctx.deps.shared.workflows(ctx.operation.tenant);
        return { activeOnShared: workflows.filter((w) => w.active).map((w) => w.id).sort(), workflowCount: workflows.length, frozenAt: now(ctx).toISOString() };
      },
    },
    {
      name: 'freeze',
      timeoutSeconds: 300,
      async run(ctx) {
        checkFreeze(ctx);
        await ctx.deps.route(ctx.operation.tenant, 'frozen');
        await setAll(ctx.deps.shared, ctx.operation.tenant, recorded(ctx), false);
      },
      async undo(ctx) {
        await ctx.deps.route(ctx.operation.tenant, 'shared');
        await setAll(ctx.deps.shared, ctx.operation.tenant, recorded(ctx), true);
      },
    },
    {
      // Nothing of the tenant's changed on shared since the pre-copy (the same fingerprint, taken now that its
      // workflows are deactivated): the dedicated n8n already holds it, and neither CLI runs while frozen.
      // Otherwise (or for an operation journaled before the pre-copy existed) the project is exported again.
      name: 'export',
      timeoutSeconds: 900,
      async run(ctx) {
        checkFreeze(ctx);
        const { tenant } = ctx.operation;
        const copied = ctx.state.precopied !== undefined && typeof ctx.state.sharedFingerprint === 'string' && typeof ctx.state.exportFile === 'string';
        if (copied && (await ctx.deps.shared.fingerprint(tenant)) === ctx.state.sharedFingerprint) return { carried: 'precopy' };
        return { ...(await exportSealed(ctx)).journal, carried: 'export' };
      },
      async undo(ctx) {
        if (typeof ctx.state.exportFile === 'string') await removeSealedExport(ctx.state.exportFile);
      },
    },
    {
      // Re-running overwrites (the CLI import keeps ids): no duplicates after a crash.
      name: 'import',
      timeoutSeconds: 900,
      async run(ctx) {
        checkFreeze(ctx);
        if (ctx.state.carried === 'precopy') return;
        const { tenant, id } = ctx.operation;
        const data = await readSealedExport(String(ctx.state.exportFile), id, await ctx.deps.masterKey());
        // A no-op after dedicated-up (kept for an operation journaled before it created the owner).
        await ctx.deps.dedicated.ensureOwner(tenant);
        await importBoth(ctx, data);
        // What the pre-copy brought that the tenant deleted on shared before the freeze goes from dedicated too.
        const gone = precopiedGone(ctx.state.precopied, idsOf(data));
        await allInOrder([ctx.deps.dedicated.deleteItems(tenant, 'credentials', gone.credentials), ctx.deps.dedicated.deleteItems(tenant, 'workflows', gone.workflows)]);
      },
    },
    {
      name: 'activate',
      timeoutSeconds: 600,
      async run(ctx) {
        checkFreeze(ctx);
        await setAll(ctx.deps.dedicated, ctx.operation.tenant, recorded(ctx), true);
      },
      async undo(ctx) {
        const { tenant } = ctx.operation;
        try {
          await setAll(ctx.deps.dedicated, tenant, recorded(ctx), false);
        } catch (error) {
          // Unreachable dedicated n8n: its database is deactivated by CLI (a later start must not bring the
          // workflows up next to shared's), and the stack is stopped so that its triggers stop firing now.
          ctx.log.warn('cannot deactivate through the dedicated n8n API; deactivating by CLI and stopping its stack', { error: error instanceof Error ? error.message : String(error) });
          const deactivated = await ctx.deps.dedicated.deactivateAll(tenant);
          await ctx.deps.dedicated.stop(tenant);
          // Nothing of the stack runs, so nothing fires now; its database still says active (needs a person before a restart).
          if (!deactivated) ctx.log.error('the dedicated stack is down and its database still marks workflows active; deactivate them before starting it again', { code: 'promotion.dedicated-still-active', workflows: recorded(ctx).length });
        }
      },
    },
    {
      name: 'verify',
      timeoutSeconds: 600,
      async run(ctx) {
        checkFreeze(ctx);
        const { tenant, id } = ctx.operation;
        const sides = await bothSides(ctx);
        const differences = contentDifferences(sides.expected.content, sides.target.content);
        if (differences.length > 0) throw new OperationError('promotion.verify-mismatch', `promotion ${id}: the dedicated n8n does not hold what was exported from the shared one: ${differences.slice(0, 10).join('; ')}`);
        if (!(await ctx.deps.dedicated.healthy(tenant))) throw new OperationError('promotion.dedicated-unhealthy', `promotion ${id}: the dedicated n8n of ${tenant} is not healthy`);
        const probed: Record<string, number> = {};
        for (const path of webhookPaths(sides.expected.workflows, new Set(recorded(ctx))).slice(0, 3)) {
          const status = await ctx.deps.dedicated.probeWebhook(tenant, path);
          probed[path] = status;
          if (status === 404 || status >= 500) throw new OperationError('promotion.webhook-not-served', `promotion ${id}: webhook ${path} answers ${status} on the dedicated n8n`);
        }
        return { verified: { workflows: sides.target.content.workflows.count, credentials: sides.target.content.credentials.count, webhooks: probed } };
      },
    },
    {
      name: 'switch',
      timeoutSeconds: 120,
      async run(ctx) {
        checkFreeze(ctx);
        if (!(await ctx.deps.dedicated.healthy(ctx.operation.tenant))) throw new OperationError('promotion.dedicated-unhealthy', `promotion ${ctx.operation.id}: the dedicated n8n of ${ctx.operation.tenant} turned unhealthy before the switch`);
        await ctx.deps.route(ctx.operation.tenant, 'dedicated');
        const at = now(ctx);
        const grace = Number(ctx.state.graceDays ?? DEFAULT_GRACE_DAYS);
        return { switchedAt: at.toISOString(), freezeSeconds: freezeState(ctx.state.frozenAt as string, Number(ctx.state.ttlMinutes), at).seconds, cleanupAfter: new Date(at.getTime() + grace * 86_400_000).toISOString() };
      },
      async undo(ctx) {
        await ctx.deps.route(ctx.operation.tenant, 'frozen');
      },
    },
    {
      name: 'finish',
      timeoutSeconds: 60,
      async run(ctx) {
        if (typeof ctx.state.exportFile === 'string') await removeSealedExport(ctx.state.exportFile);
      },
    },
  ],
  async onFinished(op, deps) {
    const ok = op.status === 'done';
    const result = ok ? 'success' : op.status === 'rolled-back' ? 'rolled-back' : 'failed';
    deps.metrics?.promotions.inc({ result });
    const freeze = typeof op.state.freezeSeconds === 'number' ? op.state.freezeSeconds : freezeState(op.state.frozenAt as string | undefined, Number(op.state.ttlMinutes), op.finishedAt ?? new Date()).seconds;
    if (op.state.frozenAt) deps.metrics?.promotionFreeze.observe({ result }, freeze);
    if (!ok && typeof op.state.exportFile === 'string') await removeSealedExport(op.state.exportFile);
    await deps.events?.record({
      tenant: op.tenant,
      type: ok ? 'Normal' : 'Warning',
      reason: ok ? 'Promoted' : 'PromotionFailed',
      message: ok ? `moved to its dedicated n8n; freeze ${freeze.toFixed(1)} s` : `promotion ${op.status}: ${op.error ?? op.status}${op.state.undoError ? `; ${String(op.state.undoError)}` : ''}`,
      actor: 'controller',
      correlationId: op.id,
      data: { operationId: op.id, freezeSeconds: freeze, activeWorkflows: Array.isArray(op.state.activeOnShared) ? op.state.activeOnShared.length : null },
    });
    if (!ok) await deps.onRolledBack?.(op);
  },
};
