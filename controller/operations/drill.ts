// The restore drill, top to bottom: pick a verified backup of the tenant at
// random, restore it into a sandbox of its own (`<tenant>-drill-<yyyymmdd>`)
// with the restore kind's own steps (verify the whole backup, fresh database,
// pg_restore, the sandbox stack through compile/plan/apply, a shared tenant's
// export imported, n8n healthy, workflow and credential counts and hashes
// equal to the manifest), execute
// one restored workflow in the sandbox (the smoke execution; a backup with no
// workflow at all has nothing to execute and passes), record the RTO
// (start → verified and executed), and remove the sandbox. A failed drill is
// an operation that failed: undo removes the sandbox whole,
// rp9_restore_drills_total{result="failure"} rises (RestoreDrillFailed
// alert), the tenant's Restorable condition turns False with reason
// RestoreDrillFailed, a Warning event names the reason, and the operators are
// notified when a channel is configured.
import type { Notification } from '../../edges/notify/types.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { mainContainerName } from '../compile/names.js';
import { drillSandboxName } from '../sandbox/sandbox.js';
import type { BackupRecord } from '../store/backups-repo.js';
import type { EventsApi } from '../store/events-repo.js';
import type { StatusApi } from '../store/status-repo.js';
import type { Operation } from '../store/types.js';
import type { OperationKind, OperationStepSpec, StepContext } from './kind.js';
import { OperationError } from './kind.js';
import { restoreKind, type RestoreDeps } from './restore.js';
import { smokeCandidate, type SmokeResult } from './smoke-candidate.js';

export interface DrillDeps extends RestoreDeps {
  events: EventsApi;
  /** The tenant's Restorable condition. */
  status: Pick<StatusApi, 'update'>;
  /** [0, 1): which verified backup to pick. */
  random(): number;
  /** Runs one workflow to its end in a container (n8n's CLI `execute`). */
  executeWorkflow(container: string, workflowId: string): Promise<SmokeResult>;
  /** Tells the operators about a failed drill (edges/notify); absent when no channel is configured. */
  notify?(notification: Notification): Promise<unknown>;
  metrics?: Pick<Metrics, 'restoreDrills' | 'restoreRto'>;
}

type Ctx = StepContext<DrillDeps>;

/** How long a drill's sandbox may outlive the drill's start: past the drill's deadline, so the sweep removes what a lost drill left. */
export const DRILL_SANDBOX_TTL_MS = 7 * 3600_000;

function sandboxOf(ctx: Ctx): string {
  const sandbox = ctx.state.sandbox;
  if (typeof sandbox !== 'string') throw new OperationError('drill.no-sandbox', `drill ${ctx.operation.id}: no sandbox in its journal`);
  return sandbox;
}

/** A backup a drill can restore: verified, in the configured store, with a database (dedicated) or a workflows export (shared: imported into the sandbox). */
export function isDrillable(backup: Pick<BackupRecord, 'status' | 'location' | 'manifest'>, location: string): boolean {
  const objects = backup.manifest.objects;
  if (backup.status !== 'verified' || backup.location !== location || !objects || typeof objects !== 'object') return false;
  return 'database' in objects || 'workflows' in objects;
}

const pickBackup: OperationStepSpec<DrillDeps> = {
  name: 'pick-backup',
  timeoutSeconds: 30,
  async run(ctx) {
    if (typeof ctx.state.backupId === 'string') return;
    const verified = (await ctx.deps.catalogue.list(ctx.operation.tenant)).filter((b) => isDrillable(b, ctx.deps.objects.description));
    if (verified.length === 0) throw new OperationError('drill.no-backup', `tenant ${ctx.operation.tenant} has no verified backup with a database or a workflows export in ${ctx.deps.objects.description} to drill`);
    const choice = verified[Math.min(verified.length - 1, Math.floor(ctx.deps.random() * verified.length))];
    const started = ctx.operation.startedAt;
    return { backupId: choice?.id, target: 'sandbox', sandbox: drillSandboxName(ctx.operation.tenant, started), expiresAt: new Date(started.getTime() + DRILL_SANDBOX_TTL_MS).toISOString() };
  },
};

const smoke: OperationStepSpec<DrillDeps> = {
  name: 'smoke-execution',
  timeoutSeconds: 15 * 60,
  async run(ctx) {
    ctx.progress({ phase: 'smoke' });
    const main = mainContainerName(sandboxOf(ctx));
    const workflows = await ctx.deps.exportItems(main, 'workflows');
    // A backup with no workflow at all (a tenant that has built nothing yet): restored and verified, nothing to execute, not a failure.
    if (workflows.length === 0) return { smoke: { skipped: 'no-workflows' }, rtoSeconds: (Date.now() - ctx.operation.startedAt.getTime()) / 1000 };
    const candidate = smokeCandidate(workflows);
    if (!candidate) {
      throw new OperationError('drill.no-smoke-workflow', `backup ${String(ctx.state.backupId)} restored, but none of its workflows can be executed by the drill (one with a Manual Trigger or an Execute Workflow Trigger, or tagged rp9-smoke)`);
    }
    const result = await ctx.deps.executeWorkflow(main, candidate.id);
    if (!result.ok) throw new OperationError('drill.smoke-failed', `workflow ${candidate.id} (${candidate.name}) of backup ${String(ctx.state.backupId)} did not execute in sandbox ${sandboxOf(ctx)}: ${result.detail}`);
    return { smoke: { workflowId: candidate.id, workflowName: candidate.name, why: candidate.why, nodesRun: result.nodesRun }, rtoSeconds: (Date.now() - ctx.operation.startedAt.getTime()) / 1000 };
  },
};

const removeSandbox: OperationStepSpec<DrillDeps> = {
  name: 'remove-sandbox',
  timeoutSeconds: 300,
  async run(ctx) {
    await ctx.deps.stack().remove(sandboxOf(ctx));
  },
};

/** What a passed drill's smoke step did, in words: the workflow executed, or nothing to execute. Pure. */
export function drillSmokeSummary(smoke: unknown): string {
  const s = (smoke ?? {}) as { workflowId?: string; workflowName?: string; skipped?: string };
  if (s.skipped === 'no-workflows') return 'no workflow to execute (the backup holds none)';
  return `workflow ${s.workflowId} (${s.workflowName}) executed`;
}

async function onFinished(op: Operation, deps: DrillDeps): Promise<void> {
  const ok = op.status === 'done';
  deps.metrics?.restoreDrills.inc({ result: ok ? 'success' : 'failure' });
  if (ok && typeof op.state.rtoSeconds === 'number') deps.metrics?.restoreRto.set({ tenant: op.tenant }, op.state.rtoSeconds);
  const message = ok
    ? `restore drill of backup ${String(op.state.backupId)} passed: n8n healthy, workflows and credentials equal to the manifest, ${drillSmokeSummary(op.state.smoke)}; RTO ${Number(op.state.rtoSeconds).toFixed(1)} s`
    : `restore drill${op.state.backupId ? ` of backup ${String(op.state.backupId)}` : ''} failed: ${op.error ?? op.status}`;
  const reason = ok ? 'RestoreDrillPassed' : 'RestoreDrillFailed';
  await deps.status.update(op.tenant, { conditions: [{ type: 'Restorable', status: ok ? 'True' : 'False', reason, message }] });
  await deps.events.record({
    tenant: op.tenant,
    type: ok ? 'Normal' : 'Warning',
    reason,
    message,
    actor: 'controller',
    correlationId: op.id,
    data: { operationId: op.id, backupId: op.state.backupId ?? null, rtoSeconds: op.state.rtoSeconds ?? null, smoke: op.state.smoke ?? null },
  });
  if (!ok && deps.notify) {
    await deps.notify({ key: `drill/${op.id}`, subject: `rp9: restore drill of ${op.tenant} failed`, text: `${message}\n\nOperation ${op.id}; see rp9 drills list and rp9 status ${op.tenant}.` });
  }
}

export const drillKind: OperationKind<DrillDeps> = {
  name: 'drill',
  deadlineSeconds: 6 * 3600,
  steps: [pickBackup, ...(restoreKind.steps as readonly OperationStepSpec<DrillDeps>[]), smoke, removeSandbox],
  onFinished,
};
