// The blue/green upgrade of a dedicated tenant's n8n, top to bottom:
//   backup          a pre-upgrade backup (the backup kind's own steps, inline)
//   copy-database   the live ("green") database copied into the other colour's
//                   ("blue") with pg_dump | pg_restore while green runs; green's
//                   high-water marks journaled first (per-item hashes of its
//                   workflows and credentials, its largest execution id);
//                   for a 2.x blue the copy is then quieted: its active
//                   workflows that fire by themselves (schedule, polling,
//                   unknown triggers) journaled and marked inactive, so blue's
//                   main runs none of them beside green's (blue-quiet.ts);
//                   webhook-only ones stay active (no request reaches blue)
//   blue-up         blue's main, then its workers, on the new version and the
//                   copy: the migrations run on the copy, never on green's
//   gate            blue healthy; one smoke execution of rp9's canary workflow
//                   through blue's main, queue and a blue worker (then the
//                   canary and its execution removed); its migrations at least
//                   green's, the same workflows and credentials (count and
//                   hashes) as green, read after the canary is gone (a quiet
//                   blue's quieted workflows read as active), and none of the
//                   quieted ones active on blue
//   swap            first, while green serves (the pre-sync), what green
//                   changed in workflows and credentials since the copy is
//                   carried to blue with n8n's CLI; then the route holds new
//                   work (503 with a Retry-After of seconds); under the hold,
//                   the catch-up: what green changed since the pre-sync
//                   (usually nothing) is carried, green's main stops, its queue drains
//                   (bounded), its workers stop (each within a stop timeout
//                   above n8n's graceful shutdown), and the executions green
//                   wrote since the copy are copied into blue's database with
//                   their ids; then the route file moves to blue in one
//                   rename. Then, outside the hold, a quiet blue gets what
//                   green had active at its stop and blue not yet (the quiet
//                   set) activated with one CLI import. Re-run after a crash
//                   that came after the route moved, it neither holds nor
//                   catches up again, and activates only what is left
//   watch           blue stays healthy for the watch (waits across passes) and
//                   its execution error rate since the swap does not rise past
//                   green's before the copy by more than errorRateRise
//   cleanup         green's containers and database are removed, at once or
//                   once keepGreenHours have passed (waits across passes)
// Any failure up to the swap discards blue; a failure in the watch undoes the
// swap (green starts again, the route returns, green's database untouched)
// and then discards blue: what was written on blue after the swap is lost
// (counted from blue's database first and journaled as lostOnBlue). A rollback
// on demand (`rp9 tenant rollback`, request-rollback.ts) takes the same path.
// After cleanup, the way back is `rp9 restore` of the pre-upgrade backup.
import { databaseName } from '../compile/names.js';
import { executionCounts } from '../upgrades/blue-writes.js';
import { errorRateVerdict, type ExecutionCounts } from '../upgrades/error-rate.js';
import { copyDatabase, databaseExists, databaseUrl, dropDatabase } from '../upgrades/database-copy.js';
import { digestDifferences, executionMark, n8nDigest, n8nItemHashes, type N8nDigest } from '../upgrades/n8n-digest.js';
import { quietModeFor, quietOf, quietSet } from '../upgrades/blue-quiet-plan.js';
import { activeWorkflowIds, activeWorkflows, deactivateWorkflows } from '../upgrades/blue-quiet.js';
import type { BlueSmokeInput } from '../upgrades/smoke-run.js';
import type { Operation } from '../store/types.js';
import { backupKind, type BackupDeps } from './backup.js';
import { OperationError, StepWaiting, type OperationKind, type StepContext } from './kind.js';
import { colourUrl, nowOf, stackOf, startOf, blueNames, type UpgradeCtx, type UpgradeDeps, type UpgradeStart } from './upgrade-context.js';
import { swapStep } from './upgrade-swap.js';

export type { ColourStack, UpgradeCtx, UpgradeDeps, UpgradeStart } from './upgrade-context.js';
export { HOLD_MAIN_STOP_SECONDS } from './upgrade-swap.js';

type Ctx = UpgradeCtx;

/** Blue's smoke target from its compiled stack: main first, then the workers; the port is main's N8N_PORT. */
function smokeTarget(ctx: Ctx): BlueSmokeInput {
  const { toColour, toVersion } = startOf(ctx);
  const [main, ...workers] = stackOf(ctx, toColour).containers;
  if (!main) throw new OperationError('upgrade.no-containers', `tenant ${ctx.operation.tenant}: the new stack has no main container`);
  const port = Number(main.env.N8N_PORT);
  return { operationId: ctx.operation.id, version: toVersion, main: main.name, workers: workers.map((w) => w.name), port, databaseUrl: colourUrl(ctx, toColour) };
}

/** Hours of green's executions before the copy that make the watch's baseline error rate. */
const BASELINE_HOURS = 24;

/** The labels of rp9_upgrades_total for a finished upgrade: swapped says whether blue served the tenant before it ended. */
export function upgradeOutcome(op: Pick<Operation, 'tenant' | 'status' | 'state'>): { tenant: string; result: 'success' | 'rolled-back' | 'failed'; swapped: 'true' | 'false' } {
  // The swap step journals swappedAt once the route moved to blue.
  const swapped = typeof op.state.swappedAt === 'string';
  const result = op.status === 'done' ? 'success' : op.status === 'rolled-back' ? 'rolled-back' : 'failed';
  return { tenant: op.tenant, result, swapped: swapped ? 'true' : 'false' };
}


/** The backup kind's steps run inline, each journaled in this step's state only once all are done. */
async function runBackup(ctx: Ctx): Promise<Record<string, unknown>> {
  const deps = ctx.deps.backup(ctx.operation.tenant, startOf(ctx).fromColour);
  let state: Record<string, unknown> = { ...startOf(ctx).backup };
  for (const step of backupKind.steps) {
    const sub: StepContext<BackupDeps> = { ...ctx, deps, state, operation: { ...ctx.operation, state } };
    const result = await step.run(sub);
    if (result) state = { ...state, ...result };
  }
  return state;
}


export const upgradeKind: OperationKind<UpgradeDeps> = {
  name: 'upgrade',
  deadlineSeconds: 8 * 3600,
  steps: [
    {
      name: 'backup',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        if (typeof ctx.state.backupId === 'string') return;
        const done = await runBackup(ctx);
        return { backupId: done.backupId, backupPrefix: done.prefix };
      },
      // The backup is kept: it is the way back after cleanup, and evidence after a failure.
    },
    {
      name: 'copy-database',
      timeoutSeconds: 2 * 3600,
      async run(ctx) {
        const { fromColour, toColour } = startOf(ctx);
        const tenant = ctx.operation.tenant;
        const blue = stackOf(ctx, toColour).database;
        // A re-run after a crash starts the copy over: a half-restored database is never trusted.
        if (await databaseExists(ctx.deps.adminUrl, blue.database)) await dropDatabase(ctx.deps.adminUrl, blue.database);
        await ctx.deps.ports().ensureDatabase(blue);
        const greenDigest = await n8nDigest(colourUrl(ctx, fromColour));
        // The high-water marks the swap's catch-up starts from, read before the dump: anything green writes after them
        // (and perhaps already in the dump, even running, then marked crashed by blue's start) is carried again,
        // replacing blue's copy when green's outcome differs, never missed.
        const greenItems = await n8nItemHashes(colourUrl(ctx, fromColour));
        const greenMark = await executionMark(colourUrl(ctx, fromColour));
        // Green's error rate before the upgrade, the watch's baseline: the executions created in the 24 h before the copy.
        const at = nowOf(ctx);
        const greenExecutions = await executionCounts(colourUrl(ctx, fromColour), new Date(at.getTime() - BASELINE_HOURS * 3_600_000), at).catch(() => null);
        const started = Date.now();
        ctx.progress({ phase: 'copy' });
        const { bytes } = await copyDatabase(ctx.deps.adminUrl, databaseName(tenant, fromColour), blue.database, blue.role, ctx.signal);
        const copy = { method: 'pg_dump|pg_restore', bytes, seconds: (Date.now() - started) / 1000 };
        const blueUrl = colourUrl(ctx, toColour);
        // What the copy holds, before blue's migrations and before anything is quieted: the gate's reference (green
        // may change meanwhile; the swap's catch-up carries that).
        const copyDigest = await n8nDigest(blueUrl);
        // Before blue's main starts: the copy's self-firing active workflows go inactive, so blue runs none of them beside green's.
        const mode = quietModeFor(startOf(ctx).toVersion);
        if (mode.mode === 'live') return { greenDigest, copyDigest, greenItems, greenMark, greenExecutions, copy, quiet: mode };
        const quiet = quietSet(await activeWorkflows(blueUrl));
        await deactivateWorkflows(blueUrl, quiet.quiet);
        return { greenDigest, copyDigest, greenItems, greenMark, greenExecutions, copy, quiet };
      },
      async undo(ctx) {
        await dropDatabase(ctx.deps.adminUrl, databaseName(ctx.operation.tenant, startOf(ctx).toColour));
      },
    },
    {
      name: 'blue-up',
      timeoutSeconds: 30 * 60,
      async run(ctx) {
        const ports = ctx.deps.ports();
        const [main, ...workers] = stackOf(ctx, startOf(ctx).toColour).containers;
        if (!main) throw new OperationError('upgrade.no-containers', `tenant ${ctx.operation.tenant}: the new stack has no main container`);
        // Main first: it runs the migrations on the copy; the workers start on a migrated database.
        await ports.createContainer(main);
        await ports.waitHealthy(main.name);
        for (const worker of workers) await ports.createContainer(worker);
        await Promise.all(workers.map((w) => ports.waitHealthy(w.name)));
        return { blueContainers: [main.name, ...workers.map((w) => w.name)] };
      },
      async undo(ctx) {
        const ports = ctx.deps.ports();
        for (const name of blueNames(ctx)) await ports.removeContainer(name);
      },
    },
    {
      name: 'gate',
      timeoutSeconds: 10 * 60,
      async run(ctx) {
        const { fromColour, toColour } = startOf(ctx);
        const problem = await ctx.deps.unhealthy(blueNames(ctx));
        if (problem) throw new OperationError('upgrade.gate-failed', `blue is not healthy: ${problem}`);
        ctx.progress({ phase: 'smoke' });
        const smoke = await ctx.deps.smoke(smokeTarget(ctx), ctx.signal);
        if (!smoke.ok) throw new OperationError('upgrade.smoke-failed', `the smoke execution on blue failed: ${smoke.detail}`);
        // Read after the smoke: the canary, its execution and its webhook are gone, so blue holds exactly what the copy
        // held, through its migrations. Compared with the copy, not with green now: what the tenant changes on green
        // while blue starts is not a fault of blue's, and the swap's catch-up carries it (an upgrade journaled before
        // the copy's digest existed compares with green now).
        // A quiet blue's quieted workflows are read as active: their activation is deferred to the swap, nothing else differs.
        const quiet = quietOf(ctx.state);
        const copied = ctx.state.copyDigest as N8nDigest | undefined;
        const green = copied ?? (await n8nDigest(colourUrl(ctx, fromColour)));
        const blue = await n8nDigest(colourUrl(ctx, toColour), { activeAs: quiet?.quiet ?? [] });
        const differences = digestDifferences(green, blue);
        if (differences.length > 0) throw new OperationError('upgrade.gate-failed', `blue does not hold what ${copied ? 'the copy of green held' : 'green holds'}: ${differences.join('; ')}`);
        const firing = quiet ? (await activeWorkflowIds(colourUrl(ctx, toColour))).filter((id) => quiet.quiet.includes(id)) : [];
        if (firing.length > 0) throw new OperationError('upgrade.gate-failed', `blue has workflows active that fire by themselves before the swap: ${firing.join(', ')}`);
        return { gate: { passedAt: nowOf(ctx).toISOString(), green, blue, smoke, ...(quiet ? { quiet: quiet.quiet.length } : {}) } };
      },
    },
    swapStep,
    {
      name: 'watch',
      timeoutSeconds: 60,
      async run(ctx) {
        const swappedAt = Date.parse(String(ctx.state.swappedAt));
        const problem = await ctx.deps.unhealthy(blueNames(ctx));
        if (problem) throw new OperationError('upgrade.watch-failed', `blue turned unhealthy during the watch: ${problem}`);
        // The error rate since the swap against green's before the copy: a rise past the policy's rolls back.
        const policy = ctx.deps.errorRatePolicy?.(ctx.operation.tenant);
        // A read that fails is no verdict (never a rollback by itself); the next pass reads again.
        const blueExecutions = policy ? await executionCounts(colourUrl(ctx, startOf(ctx).toColour), new Date(swappedAt)).catch(() => undefined) : undefined;
        const errorRate = policy && blueExecutions ? errorRateVerdict(ctx.state.greenExecutions as ExecutionCounts | null | undefined, blueExecutions, policy) : undefined;
        if (errorRate?.verdict === 'rose') throw new OperationError('upgrade.error-rate-rose', `the error rate rose during the watch: ${errorRate.reason}`);
        const elapsed = (nowOf(ctx).getTime() - swappedAt) / 1000;
        const watch = ctx.deps.watchSeconds(ctx.operation.tenant);
        if (elapsed < watch) throw new StepWaiting(`watching blue: ${Math.floor(elapsed)} of ${watch} s${errorRate ? `; ${errorRate.reason}` : ''}`);
        const keep = ctx.deps.keepGreenSeconds?.(ctx.operation.tenant) ?? 0;
        const kept = keep > 0 ? { keepGreenSeconds: keep, greenKeptUntil: new Date(nowOf(ctx).getTime() + keep * 1000).toISOString() } : {};
        return { watchedSeconds: Math.round(elapsed), ...(errorRate ? { errorRate } : {}), ...kept };
      },
    },
    {
      name: 'cleanup',
      timeoutSeconds: 10 * 60,
      async run(ctx) {
        // keepGreenHours: green stays (stopped, its database untouched) until then; rp9 tenant rollback can still switch back to it.
        const keptUntil = typeof ctx.state.greenKeptUntil === 'string' ? Date.parse(ctx.state.greenKeptUntil) : Number.NaN;
        if (keptUntil > nowOf(ctx).getTime()) throw new StepWaiting(`green kept until ${ctx.state.greenKeptUntil as string} (policies.upgrades.keepGreenHours)`);
        // The watch passed: a failure here must not roll back. What is left is logged; the plan deletes leftover containers.
        const ports = ctx.deps.ports();
        const errors: string[] = [];
        for (const name of startOf(ctx).greenContainers) await ports.removeContainer(name).catch((e: Error) => errors.push(`${name}: ${e.message}`));
        await dropDatabase(ctx.deps.adminUrl, databaseName(ctx.operation.tenant, startOf(ctx).fromColour)).catch((e: Error) => errors.push(`database: ${e.message}`));
        if (errors.length > 0) ctx.log.warn('upgrade cleanup left green parts behind', { errors });
        return { cleanedAt: nowOf(ctx).toISOString(), cleanupErrors: errors };
      },
    },
  ],
  // Keeping green extends the operation's budget by that long.
  deadlineExtensionSeconds: (op) => (typeof op.state.keepGreenSeconds === 'number' ? op.state.keepGreenSeconds : 0),
  async onFinished(op, deps) {
    deps.metrics?.upgrades.inc(upgradeOutcome(op));
    if (op.status === 'done') await deps.onDone?.(op);
    else await deps.onFailed?.(op);
  },
};
