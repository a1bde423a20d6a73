// The demotion of a dedicated tenant back to the shared n8n (git says
// `mode: shared`, from the failover playbook or an edit, while the data is on
// its dedicated n8n): the promotion's machinery in reverse, top to bottom.
// A pre-migration backup of the dedicated tenant; the dedicated stack up (the
// export runs in it); the tenant's member user and personal project on the
// shared n8n (the members loop invites it); record which workflows are active
// on dedicated; freeze (route answers 503, those deactivated on dedicated);
// export (sealed file); import into the tenant's personal project on shared
// (ids kept); activate exactly the recorded workflows on shared through its
// API; verify (every item of the sealed export on shared with the same
// content, dedicated unchanged since, shared healthy, a webhook answers
// there); switch the route to shared; stop the dedicated stack (kept, not
// removed, for a grace period).
//
// Invariant: a workflow is never active on both instances. The freeze
// deactivates on dedicated before anything is activated on shared, and undo
// runs in reverse: shared is deactivated before dedicated is reactivated (an
// undo that fails gives the operation up there, so dedicated stays off).
//
// The freeze is kept short as the promotion's is, with the same helpers
// (move-steps.ts): record reads the active workflows from the tenant's own
// database (SQL, not a CLI export); workflows are (de)activated a few at a
// time; the export takes a fingerprint of the dedicated database first and
// runs its two CLI exports side by side (workflows on main, credentials on a
// worker); the two imports into shared run side by side; verify compares the
// shared project with the sealed export (what was imported) and proves by the
// fingerprint, read again, that nothing changed on dedicated since
// (demotion.dedicated-changed), instead of exporting dedicated again.
import { demotionVerdict } from '../demotion/verdict.js';
import { freezeState, webhookPaths } from '../promotion/content.js';
import { readSealedExport, removeSealedExport } from '../promotion/sealed-export.js';
import type { EventsApi } from '../store/events-repo.js';
import type { Operation } from '../store/types.js';
import { OperationError, StepWaiting, type OperationKind, type StepContext } from './kind.js';
import { allInOrder, sealSource, setAll, verifyReads, type MoveSource, type VerifyReads } from './move-steps.js';
import type { DedicatedN8n, PromotionN8n, RouteState } from './promotion.js';

/** The shared n8n as a demotion's target: the tenant's personal project there. */
export interface SharedTarget extends PromotionN8n {
  /** The tenant's personal project on the shared n8n; undefined while its member user does not exist yet. */
  project(tenant: string): Promise<string | undefined>;
  /** CLI import into the tenant's personal project: ids kept, imported workflows inactive. */
  importItems(tenant: string, what: 'workflows' | 'credentials', items: readonly Record<string, unknown>[]): Promise<void>;
  healthy(): Promise<boolean>;
  /** HTTP status of GET <shared n8n>/webhook/<path>. */
  probeWebhook(path: string): Promise<number>;
}

/** The dedicated n8n as a demotion's source: its fingerprint read from the tenant's own database. */
export type DemotionSource = DedicatedN8n & MoveSource;

export interface DemotionDeps {
  dedicated: DemotionSource;
  shared: SharedTarget;
  /** Points the tenant's route at its dedicated n8n, the 503 freeze response, or the shared n8n (one atomic write). */
  route(tenant: string, target: RouteState): Promise<void>;
  /** Runs (or finds, after a crash) the dedicated tenant's pre-migration backup; returns its id. */
  preMigrationBackup(tenant: string, operationId: string, signal: AbortSignal): Promise<string>;
  masterKey(): Promise<Buffer>;
  workDir: string;
  events?: EventsApi;
  /** After a rollback: status Stalled/DemotionFailed and the PR that sets mode: dedicated. */
  onRolledBack?(op: Operation): Promise<void>;
  now?(): Date;
  /** How long the member step waits for the members loop to create the tenant's user on shared (default 600 s). */
  memberWaitSeconds?: number;
}

type Ctx = StepContext<DemotionDeps>;

function recorded(ctx: Ctx): string[] {
  const ids = ctx.state.activeOnDedicated;
  if (!Array.isArray(ids)) throw new OperationError('demotion.not-recorded', `demotion ${ctx.operation.id}: the journal has no record of the tenant's active workflows`);
  return ids as string[];
}

function now(ctx: Ctx): Date {
  return ctx.deps.now?.() ?? new Date();
}

function checkFreeze(ctx: Ctx): void {
  const ttl = Number(ctx.state.ttlMinutes);
  const freeze = freezeState(ctx.state.frozenAt as string | undefined, ttl, now(ctx));
  if (freeze.expired) throw new OperationError('demotion.freeze-expired', `demotion ${ctx.operation.id} of ${ctx.operation.tenant}: the freeze has lasted ${freeze.seconds.toFixed(1)} s, past ttlMinutes ${ttl}`);
}

/**
 * The verify step's reads side by side: the expected content (the sealed export, and the dedicated database's
 * fingerprint still the one taken at the export) and the shared project's two CLI exports.
 */
function bothSides(ctx: Ctx): Promise<VerifyReads> {
  const { tenant, id } = ctx.operation;
  const from = { kind: 'demotion', source: ctx.deps.dedicated, tenant, operationId: id, exportFile: ctx.state.exportFile, fingerprint: ctx.state.dedicatedFingerprint, masterKey: ctx.deps.masterKey, changed: { code: 'demotion.dedicated-changed', where: 'the dedicated n8n' } } as const;
  return verifyReads(from, ctx.deps.shared);
}

export const demotionKind: OperationKind<DemotionDeps> = {
  name: 'demotion',
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
      // It serves the tenant until the switch: nothing to undo.
      name: 'dedicated-up',
      timeoutSeconds: 600,
      async run(ctx) {
        await ctx.deps.dedicated.ensureUp(ctx.operation.tenant, ctx.signal);
        await ctx.deps.dedicated.ensureOwner(ctx.operation.tenant);
      },
    },
    {
      // The members loop invites the tenant's user once git says shared; wait for it, bounded.
      name: 'member',
      timeoutSeconds: 120,
      async run(ctx) {
        const { tenant, id } = ctx.operation;
        const project = await ctx.deps.shared.project(tenant);
        if (project) return { sharedProject: project };
        const since = ctx.operation.steps.find((s) => s.name === 'member')?.startedAt ?? ctx.operation.startedAt;
        const waited = (now(ctx).getTime() - since.getTime()) / 1000;
        if (waited > (ctx.deps.memberWaitSeconds ?? 600)) throw new OperationError('demotion.no-member', `demotion ${id}: tenant ${tenant} has no member user with a personal project on the shared n8n after ${Math.round(waited)} s (the members loop invites it; is RP9_SHARED_N8N_API_KEY set?)`);
        throw new StepWaiting(`tenant ${tenant}: waiting for its member user on the shared n8n`);
      },
    },
    {
      // Journaled before anything is deactivated: a crash mid-freeze still knows what to reactivate.
      name: 'record',
      timeoutSeconds: 300,
      async run(ctx) {
        if (Array.isArray(ctx.state.activeOnDedicated)) return;
        const workflows = await ctx.deps.dedicated.workflows(ctx.operation.tenant);
        return { activeOnDedicated: workflows.filter((w) => w.active).map((w) => w.id).sort(), workflowCount: workflows.length, frozenAt: now(ctx).toISOString() };
      },
    },
    {
      name: 'freeze',
      timeoutSeconds: 300,
      async run(ctx) {
        checkFreeze(ctx);
        await ctx.deps.route(ctx.operation.tenant, 'frozen');
        await setAll(ctx.deps.dedicated, ctx.operation.tenant, recorded(ctx), false);
      },
      async undo(ctx) {
        await ctx.deps.route(ctx.operation.tenant, 'dedicated');
        await setAll(ctx.deps.dedicated, ctx.operation.tenant, recorded(ctx), true);
      },
    },
    {
      name: 'export',
      timeoutSeconds: 900,
      async run(ctx) {
        checkFreeze(ctx);
        const { tenant, id } = ctx.operation;
        const sealed = await sealSource(ctx.deps.dedicated, tenant, id, ctx.deps.workDir, await ctx.deps.masterKey());
        return { exportFile: sealed.exportFile, dedicatedFingerprint: sealed.fingerprint, exported: sealed.exported };
      },
      async undo(ctx) {
        if (typeof ctx.state.exportFile === 'string') await removeSealedExport(ctx.state.exportFile);
      },
    },
    {
      // Re-running overwrites (the CLI import keeps ids): no duplicates after a crash. Imported workflows are inactive.
      name: 'import',
      timeoutSeconds: 900,
      async run(ctx) {
        checkFreeze(ctx);
        const { tenant, id } = ctx.operation;
        const data = await readSealedExport(String(ctx.state.exportFile), id, await ctx.deps.masterKey());
        // Side by side, as the promotion's: the workflows' nodes refer to credentials by id, and import:workflow keeps
        // such a reference as it is when that credential is not there (yet), so the order changes nothing imported;
        // nothing is activated before both are in. Both run to their end; a failure is reported credentials first.
        await allInOrder([ctx.deps.shared.importItems(tenant, 'credentials', data.credentials), ctx.deps.shared.importItems(tenant, 'workflows', data.workflows)]);
      },
    },
    {
      name: 'activate',
      timeoutSeconds: 600,
      async run(ctx) {
        checkFreeze(ctx);
        await setAll(ctx.deps.shared, ctx.operation.tenant, recorded(ctx), true);
      },
      async undo(ctx) {
        await setAll(ctx.deps.shared, ctx.operation.tenant, recorded(ctx), false);
      },
    },
    {
      name: 'verify',
      timeoutSeconds: 600,
      async run(ctx) {
        checkFreeze(ctx);
        const { tenant, id } = ctx.operation;
        const sides = await bothSides(ctx);
        const targetActive = sides.target.workflows.filter((w) => w.active === true).map((w) => String(w.id));
        const verdict = demotionVerdict({ source: sides.expected.content, target: sides.target.content, targetActive, recorded: recorded(ctx) });
        if (!verdict.ok) throw new OperationError('demotion.verify-mismatch', `demotion ${id}: the shared n8n does not hold what was exported from the dedicated one: ${verdict.problems.slice(0, 10).join('; ')}`);
        if (!(await ctx.deps.shared.healthy())) throw new OperationError('demotion.shared-unhealthy', `demotion ${id}: the shared n8n is not healthy`);
        const probed: Record<string, number> = {};
        for (const path of webhookPaths(sides.expected.workflows, new Set(recorded(ctx))).slice(0, 3)) {
          const status = await ctx.deps.shared.probeWebhook(path);
          probed[path] = status;
          if (status === 404 || status >= 500) throw new OperationError('demotion.webhook-not-served', `demotion ${id}: webhook ${path} answers ${status} on the shared n8n`);
        }
        return { verified: { workflows: sides.expected.content.workflows.count, credentials: sides.expected.content.credentials.count, webhooks: probed, leftOnShared: verdict.leftOnShared } };
      },
    },
    {
      name: 'switch',
      timeoutSeconds: 120,
      async run(ctx) {
        checkFreeze(ctx);
        await ctx.deps.route(ctx.operation.tenant, 'shared');
        const at = now(ctx);
        const grace = Number(ctx.state.graceDays ?? 7);
        return { switchedAt: at.toISOString(), freezeSeconds: freezeState(ctx.state.frozenAt as string, Number(ctx.state.ttlMinutes), at).seconds, keepStackUntil: new Date(at.getTime() + grace * 86_400_000).toISOString() };
      },
      async undo(ctx) {
        await ctx.deps.route(ctx.operation.tenant, 'frozen');
      },
    },
    {
      // Its workflows are all inactive already; stopped, kept (containers until keepStackUntil, database and volume until a purge).
      name: 'stop-dedicated',
      timeoutSeconds: 120,
      async run(ctx) {
        if (typeof ctx.state.exportFile === 'string') await removeSealedExport(ctx.state.exportFile);
        await ctx.deps.dedicated.stop(ctx.operation.tenant);
      },
    },
  ],
  async onFinished(op, deps) {
    const ok = op.status === 'done';
    if (!ok && typeof op.state.exportFile === 'string') await removeSealedExport(op.state.exportFile);
    const freeze = typeof op.state.freezeSeconds === 'number' ? op.state.freezeSeconds : freezeState(op.state.frozenAt as string | undefined, Number(op.state.ttlMinutes), op.finishedAt ?? new Date()).seconds;
    await deps.events?.record({
      tenant: op.tenant,
      type: ok ? 'Normal' : 'Warning',
      reason: ok ? 'Demoted' : 'DemotionFailed',
      message: ok ? `moved back to the shared n8n; freeze ${freeze.toFixed(1)} s; dedicated stack stopped, kept until ${String(op.state.keepStackUntil)}` : `demotion ${op.status}: ${op.error ?? op.status}${op.state.undoError ? `; ${String(op.state.undoError)}` : ''}`,
      actor: 'controller',
      correlationId: op.id,
      data: { operationId: op.id, freezeSeconds: freeze, activeWorkflows: Array.isArray(op.state.activeOnDedicated) ? op.state.activeOnDedicated.length : null },
    });
    if (!ok) await deps.onRolledBack?.(op);
  },
};
