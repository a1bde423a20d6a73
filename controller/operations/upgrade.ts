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
import type { ApplyPorts } from '../apply/apply-plan.js';
import { databaseName, type Colour } from '../compile/names.js';
import type { DesiredContainer, DesiredDatabase, DesiredRoute } from '../model.js';
import { blueWritesSince, executionCounts } from '../upgrades/blue-writes.js';
import { errorRateVerdict, type ErrorRatePolicy, type ExecutionCounts } from '../upgrades/error-rate.js';
import { copyDatabase, databaseExists, databaseUrl, dropDatabase } from '../upgrades/database-copy.js';
import { anyItemChanges, carryItems, NO_ITEM_CHANGES, type ItemCatchUp, type N8nCli } from '../upgrades/item-catch-up.js';
import { copyExecutionsSince, runningExecutions } from '../upgrades/execution-catch-up.js';
import { RUNNING_STATUSES, type N8nItemHashes } from '../upgrades/catch-up-plan.js';
import { n8nStopTimeoutSeconds } from '../compile/stop-timeout.js';
import type { UpgradeInput } from '../upgrades/live-colour.js';
import { digestDifferences, executionMark, n8nDigest, n8nItemHashes, type N8nDigest } from '../upgrades/n8n-digest.js';
import { activationItems, activationPlan, carriedQuietly, quietModeFor, quietOf, quietSet, withPublishedVersions } from '../upgrades/blue-quiet-plan.js';
import { activeWorkflowIds, activeWorkflows, carryStaticData, deactivateWorkflows, restoreDrafts, versionContents } from '../upgrades/blue-quiet.js';
import type { BlueSmokeInput, BlueSmokeResult } from '../upgrades/smoke-run.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import type { Operation } from '../store/types.js';
import { backupKind, type BackupDeps } from './backup.js';
import { OperationError, StepWaiting, type OperationKind, type StepContext } from './kind.js';

/** One colour's stack as git wants it now (compiled with that colour). */
export interface ColourStack {
  database: DesiredDatabase;
  containers: DesiredContainer[];
  route: DesiredRoute;
}

export interface UpgradeDeps {
  /** The tenant's stack of `colour` from the config in force; undefined when it is no longer a dedicated tenant. */
  stack(tenant: string, colour: Colour): ColourStack | undefined;
  ports(): ApplyPorts;
  /** Admin URL of the tenant database server. */
  adminUrl: string;
  /** The pre-upgrade backup's dependencies, reading the live colour's database and main. */
  backup(tenant: string, colour: Colour): BackupDeps;
  /** Seconds blue is watched after the swap (policies.upgrades.watchMinutes × 60). */
  watchSeconds(tenant: string): number;
  /** Seconds green's stopped containers and database are kept after the watch passed (policies.upgrades.keepGreenHours × 3600; absent: 0). */
  keepGreenSeconds?(tenant: string): number;
  /** The watch's error-rate rule (policies.upgrades.errorRateRise, errorRateMinExecutions); absent: not judged. */
  errorRatePolicy?(tenant: string): ErrorRatePolicy;
  /** The tenant's route answering 503 with Retry-After (the suspended page, as a promotion's freeze): new work waits during the swap. */
  heldRoute(tenant: string): DesiredRoute;
  /**
   * The gate's smoke execution (controller/upgrades/smoke-run.ts): rp9's canary
   * workflow run through blue's main, queue and a worker, then removed.
   */
  smoke(blue: BlueSmokeInput, signal: AbortSignal): Promise<BlueSmokeResult>;
  /** n8n's CLI in a colour's running main: the swap exports what green changed since the copy and imports it into blue (absent: such a change fails the swap). */
  n8nCli?: N8nCli;
  /** Seconds the swap waits for green's queue to drain before it stops green's workers (default 60). */
  drainSeconds?(tenant: string): number;
  /** Undefined while the tenant's blue stack is healthy, else why not (a container down or unhealthy). */
  unhealthy(containers: readonly string[]): Promise<string | undefined>;
  /** After an upgrade rolled back or was given up: an event, a revert PR, the tenant stalled (UpgradeFailed). */
  onFailed?(op: Operation): Promise<void>;
  /** After an upgrade finished: an event. */
  onDone?(op: Operation): Promise<void>;
  /** rp9_upgrades_total, counted as each upgrade ends. */
  metrics?: Pick<Metrics, 'upgrades'>;
  now?(): Date;
}

/** What the reconcile hook journals when it starts an upgrade. */
export interface UpgradeStart extends UpgradeInput {
  /** Green's containers as observed at the start (started again on rollback, removed at cleanup). */
  greenContainers: string[];
  /** The backup kind's input (backupInput(tenant, 'pre-upgrade', …)), fixed at the start so a re-run reuses its prefix. */
  backup: Record<string, unknown> & { backupId: string; prefix: string };
}

type Ctx = StepContext<UpgradeDeps>;

/** Blue's smoke target from its compiled stack: main first, then the workers; the port is main's N8N_PORT. */
function smokeTarget(ctx: Ctx): BlueSmokeInput {
  const { toColour, toVersion } = input(ctx);
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

function input(ctx: Ctx): UpgradeStart & Record<string, unknown> {
  return ctx.state as UpgradeStart & Record<string, unknown>;
}

function stackOf(ctx: Ctx, colour: Colour): ColourStack {
  const stack = ctx.deps.stack(ctx.operation.tenant, colour);
  if (!stack) throw new OperationError('upgrade.not-dedicated', `tenant ${ctx.operation.tenant} is no longer a dedicated tenant in the config in force`);
  return stack;
}

function colourUrl(ctx: Ctx, colour: Colour): string {
  return databaseUrl(ctx.deps.adminUrl, databaseName(ctx.operation.tenant, colour));
}

function now(ctx: Ctx): Date {
  return ctx.deps.now?.() ?? new Date();
}

function blueNames(ctx: Ctx): string[] {
  return (ctx.state.blueContainers as string[] | undefined) ?? stackOf(ctx, input(ctx).toColour).containers.map((c) => c.name);
}

/** The backup kind's steps run inline, each journaled in this step's state only once all are done. */
async function runBackup(ctx: Ctx): Promise<Record<string, unknown>> {
  const deps = ctx.deps.backup(ctx.operation.tenant, input(ctx).fromColour);
  let state: Record<string, unknown> = { ...input(ctx).backup };
  for (const step of backupKind.steps) {
    const sub: StepContext<BackupDeps> = { ...ctx, deps, state, operation: { ...ctx.operation, state } };
    const result = await step.run(sub);
    if (result) state = { ...state, ...result };
  }
  return state;
}

async function startGreen(ctx: Ctx): Promise<void> {
  const ports = ctx.deps.ports();
  const green = input(ctx).greenContainers;
  for (const name of green) await ports.startContainer(name);
  await Promise.all(green.map((name) => ports.waitHealthy(name)));
}

/** Green's container `name` is stopped with its compiled stop timeout (above n8n's graceful shutdown), also when it was created before rp9 set one. */
function stopTimeoutOf(ctx: Ctx, name: string): number {
  const { fromColour, toColour } = input(ctx);
  const compiled = [fromColour, toColour].flatMap((colour) => ctx.deps.stack(ctx.operation.tenant, colour)?.containers ?? []).find((c) => c.name === name);
  return compiled?.stopTimeoutSeconds ?? n8nStopTimeoutSeconds(compiled?.env ?? {});
}

/**
 * How long green's main gets to stop under the hold before it is killed. Nothing new reaches it then (the route
 * holds), and in queue mode its production executions run on the workers, which the drain then waits for. n8n's
 * own graceful shutdown would wait for the executions its triggers enqueued: measured 32.3 s of a 34 s hold on
 * 1.123.81 with a schedule every 5 s (its whole N8N_GRACEFUL_SHUTDOWN_TIMEOUT; it had not exited 10 s in either),
 * against 2 s for an idle main. What a kill cuts: a webhook response still in flight after these seconds (requests
 * reached green before the hold, and a queue execution takes well under a second), and a manual execution run from
 * the editor on main (left `running`, copied to blue so).
 */
export const HOLD_MAIN_STOP_SECONDS = 5;

/** Seconds the swap waits for green's queued and running executions to end once green's main is stopped. */
const DRAIN_SECONDS = 60;

/** Waits (bounded) until green has no execution queued or running; what was left when the wait ended is journaled, not fatal. */
async function drainGreen(ctx: Ctx): Promise<{ seconds: number; unfinished: number }> {
  const started = Date.now();
  const limit = (ctx.deps.drainSeconds?.(ctx.operation.tenant) ?? DRAIN_SECONDS) * 1000;
  const greenUrl = colourUrl(ctx, input(ctx).fromColour);
  for (;;) {
    const unfinished = await runningExecutions(greenUrl, RUNNING_STATUSES);
    const elapsed = Date.now() - started;
    if (unfinished === 0 || elapsed >= limit || ctx.signal.aborted) return { seconds: elapsed / 1000, unfinished };
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, limit - elapsed)));
  }
}

/** What green changed since the copy, carried to blue before the hold; `baseline`: green's per-item hashes it was carried from. */
interface PreSync {
  baseline: N8nItemHashes;
  carried: Omit<ItemCatchUp, 'restartBlueMain'> & { restartedBlueMain?: boolean; seconds: number };
}

/**
 * Before the hold, while green still serves: the workflows and credentials green changed, added or deleted since
 * the copy are carried to blue (n8n's CLI: tens of seconds on a loaded host, outside the hold), so that under the
 * hold only what changes in the seconds after is carried, usually nothing, and the hold is the drain, the
 * execution copy and the route. The baseline is green's per-item hashes read before the export: an item changed
 * during the export differs from it and is carried again under the hold. Undefined (the hold carries everything
 * since the copy, as before) when nothing changed, when this upgrade cannot carry (no per-item hashes at its copy,
 * no CLI), or when green's main is not healthy (a re-run after a kill under the hold: green's main stopped).
 */
async function preSync(ctx: Ctx): Promise<PreSync | undefined> {
  const started = Date.now();
  const atCopy = ctx.state.greenItems as N8nItemHashes | undefined;
  const [greenMain] = input(ctx).greenContainers;
  const [blueMain] = blueNames(ctx);
  if (!atCopy || !ctx.deps.n8nCli || !greenMain || !blueMain) return undefined;
  const greenUrl = colourUrl(ctx, input(ctx).fromColour);
  const baseline = await n8nItemHashes(greenUrl);
  if (!anyItemChanges(atCopy, baseline)) return undefined;
  if (await ctx.deps.unhealthy([greenMain])) return undefined;
  ctx.progress({ phase: 'pre-sync items' });
  const asImported = quietOf(ctx.state) ? carriedQuietly : undefined;
  const { restartBlueMain, ...carried } = await carryItems(ctx.deps.n8nCli, { greenMain, blueMain, blueUrl: colourUrl(ctx, input(ctx).toColour) }, atCopy, baseline, asImported ? { asImported } : {});
  if (restartBlueMain) await restartBlue(ctx, blueMain);
  return { baseline, carried: { ...carried, ...(restartBlueMain ? { restartedBlueMain: true } : {}), seconds: (Date.now() - started) / 1000 } };
}

/** Blue's main restarted (a deleted workflow stays registered in a running main until then). */
async function restartBlue(ctx: Ctx, blueMain: string): Promise<void> {
  const ports = ctx.deps.ports();
  await ports.stopContainer(blueMain, stopTimeoutOf(ctx, blueMain));
  await ports.startContainer(blueMain);
  await ports.waitHealthy(blueMain);
}

/**
 * Under the hold, green is brought to rest and blue up to date with it:
 *   1. the workflows and credentials green changed, added or deleted since the copy (or since the pre-sync, whose
 *      baseline is passed), carried to blue with n8n's CLI (green's main must run for its export: a re-run after a
 *      kill under the hold starts green again);
 *   2. green's main stops (no new triggers), its queue drains (bounded), its workers stop, each within its stop timeout;
 *   3. the executions green wrote since the copy, copied into blue's database with their ids.
 * A re-copy would re-run blue's migrations under the hold (tens of seconds of 503); this carries only what changed.
 */
async function catchUpUnderHold(ctx: Ctx, preSynced?: N8nItemHashes): Promise<Record<string, unknown>> {
  const started = Date.now();
  const { fromColour, toColour, greenContainers } = input(ctx);
  const ports = ctx.deps.ports();
  const greenUrl = colourUrl(ctx, fromColour);
  const blueUrl = colourUrl(ctx, toColour);
  let items = NO_ITEM_CHANGES;
  const changed = digestDifferences(ctx.state.greenDigest as N8nDigest, await n8nDigest(greenUrl));
  if (changed.length > 0) {
    const atCopy = preSynced ?? (ctx.state.greenItems as N8nItemHashes | undefined);
    // An upgrade journaled before the catch-up existed (no per-item hashes at its copy) fails as it always did.
    if (!atCopy || !ctx.deps.n8nCli) throw new OperationError('upgrade.green-changed', `green changed after the copy (${changed.join('; ')}) and this upgrade cannot carry the changes; blue is discarded and the upgrade must run again`);
    const current = await n8nItemHashes(greenUrl);
    if (anyItemChanges(atCopy, current)) {
      ctx.progress({ phase: 'catch-up items' });
      const [greenMain] = greenContainers;
      const [blueMain] = blueNames(ctx);
      if (!greenMain || !blueMain) throw new OperationError('upgrade.no-containers', `tenant ${ctx.operation.tenant}: no main container to carry green's changes with`);
      if (await ctx.deps.unhealthy([greenMain])) await startGreen(ctx);
      // A quiet blue takes a changed self-firing workflow in inactive (green's main still runs): activated after the route moves.
      const asImported = quietOf(ctx.state) ? carriedQuietly : undefined;
      items = await carryItems(ctx.deps.n8nCli, { greenMain, blueMain, blueUrl }, atCopy, current, asImported ? { asImported } : {});
      if (items.restartBlueMain) await restartBlue(ctx, blueMain);
    }
  }
  // Seconds of each part of the hold, journaled: where a long hold went.
  const phases: Record<string, number> = { items: (Date.now() - started) / 1000 };
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const from = Date.now();
    try {
      return await work();
    } finally {
      phases[phase] = (Date.now() - from) / 1000;
    }
  };
  ctx.progress({ phase: 'drain' });
  const [greenMain, ...greenWorkers] = greenContainers;
  if (greenMain) await timed('stopMain', () => ports.stopContainer(greenMain, Math.min(HOLD_MAIN_STOP_SECONDS, stopTimeoutOf(ctx, greenMain))));
  const drain = await drainGreen(ctx);
  // The workers side by side: each waits for its own jobs (none left after the drain, unless it was cut short).
  await timed('stopWorkers', () => Promise.all(greenWorkers.map((name) => ports.stopContainer(name, stopTimeoutOf(ctx, name)))));
  ctx.progress({ phase: 'catch-up executions' });
  const mark = ctx.state.greenMark;
  const executions = typeof mark === 'number' ? await timed('executions', () => copyExecutionsSince(greenUrl, blueUrl, mark)) : undefined;
  const { restartBlueMain, ...carried } = items;
  return {
    drain,
    catchUp: { ...carried, ...(restartBlueMain ? { restartedBlueMain: true } : {}), executions: executions?.executions ?? null, replacedExecutions: executions?.replaced ?? null, skippedExecutions: executions?.skipped ?? null, alreadyOnBlueExecutions: executions?.alreadyOnBlue ?? null, seconds: (Date.now() - started) / 1000, phases },
  };
}

/**
 * A quiet blue's activation, once the route moved to blue (outside the hold; green's main is stopped, so green's
 * database holds its final active set): the workflows active on green and not yet on blue (the quiet set, and
 * self-firing ones green changed since the copy) get green's final static data (a polling trigger's position), are
 * exported from blue's main and imported back into it marked active, with one `import:workflow
 * --activeState=fromJson` (queue mode: blue's running main takes them up). n8n's import logs an activation it could not make and exits 0, so blue's database must then say them active, else
 * `upgrade.activation-failed` (the swap fails and its undo returns to green). Idempotent: a re-run activates what is left.
 */
async function activateQuietBlue(ctx: Ctx): Promise<Record<string, unknown>> {
  const started = Date.now();
  const blueUrl = colourUrl(ctx, input(ctx).toColour);
  const greenActive = await activeWorkflowIds(colourUrl(ctx, input(ctx).fromColour));
  const plan = activationPlan(greenActive, await activeWorkflowIds(blueUrl));
  const done = (importSeconds: number | null, staticData = 0) => ({ method: 'import:workflow --activeState=fromJson', activated: plan.activate, alreadyActive: plan.already, blueOnly: plan.blueOnly, staticData, importSeconds, seconds: (Date.now() - started) / 1000 });
  if (plan.activate.length === 0) return done(null);
  const [blueMain] = blueNames(ctx);
  if (!blueMain || !ctx.deps.n8nCli) throw new OperationError('upgrade.activation-failed', `tenant ${ctx.operation.tenant}: cannot activate ${plan.activate.join(', ')} on blue (no main container or no n8n CLI)`);
  ctx.progress({ phase: 'activate on blue' });
  // Before the export: the export carries green's final static data into the import.
  const staticData = await carryStaticData(colourUrl(ctx, input(ctx).fromColour), blueUrl, plan.activate);
  const exported = activationItems(await ctx.deps.n8nCli.exportItems(blueMain, 'workflows'), plan.activate);
  if (exported.missing.length > 0) throw new OperationError('upgrade.activation-failed', `blue's export lacks workflows active on green: ${exported.missing.join(', ')}`);
  // A quieted workflow with an unpublished draft: its active version is imported (and activated), then the draft written back.
  const published = Object.fromEntries(Object.entries(quietOf(ctx.state)?.published ?? {}).filter(([id]) => plan.activate.includes(id)));
  const { items, drafts } = withPublishedVersions(exported.items, await versionContents(blueUrl, published));
  const importStarted = Date.now();
  await ctx.deps.n8nCli.importItems(blueMain, 'workflows', items, { activeState: 'fromJson' });
  const importSeconds = (Date.now() - importStarted) / 1000;
  const nowActive = new Set(await activeWorkflowIds(blueUrl));
  const notActive = plan.activate.filter((id) => !nowActive.has(id));
  if (notActive.length > 0) throw new OperationError('upgrade.activation-failed', `n8n did not activate on blue what green had active: ${notActive.join(', ')}; see blue main's log`);
  await restoreDrafts(blueUrl, drafts);
  return { ...done(importSeconds, staticData), ...(drafts.length > 0 ? { draftsKept: drafts.map((d) => d.id) } : {}) };
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
        const { fromColour, toColour } = input(ctx);
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
        const at = now(ctx);
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
        const mode = quietModeFor(input(ctx).toVersion);
        if (mode.mode === 'live') return { greenDigest, copyDigest, greenItems, greenMark, greenExecutions, copy, quiet: mode };
        const quiet = quietSet(await activeWorkflows(blueUrl));
        await deactivateWorkflows(blueUrl, quiet.quiet);
        return { greenDigest, copyDigest, greenItems, greenMark, greenExecutions, copy, quiet };
      },
      async undo(ctx) {
        await dropDatabase(ctx.deps.adminUrl, databaseName(ctx.operation.tenant, input(ctx).toColour));
      },
    },
    {
      name: 'blue-up',
      timeoutSeconds: 30 * 60,
      async run(ctx) {
        const ports = ctx.deps.ports();
        const [main, ...workers] = stackOf(ctx, input(ctx).toColour).containers;
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
        const { fromColour, toColour } = input(ctx);
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
        return { gate: { passedAt: now(ctx).toISOString(), green, blue, smoke, ...(quiet ? { quiet: quiet.quiet.length } : {}) } };
      },
    },
    {
      name: 'swap',
      timeoutSeconds: 10 * 60,
      async run(ctx) {
        const { fromColour, toColour, greenContainers } = input(ctx);
        const ports = ctx.deps.ports();
        const blueRoute = stackOf(ctx, toColour).route;
        // A re-run after a crash that came after the switch (kill -9 before the step was journaled): the route file
        // already holds blue's route, written only after the catch-up below finished under the hold. Blue serves
        // since then; holding again would interrupt it, and the swap time would be journaled late (the watch and
        // lostOnBlue count from it). So the switch is taken as done, at the route file's time.
        const switchedAt = ctx.state.swappedAt === undefined ? await ports.routedSince?.(blueRoute) : undefined;
        if (ctx.state.swappedAt !== undefined || switchedAt) {
          await ports.writeRoute(blueRoute);
          for (const name of greenContainers) await ports.stopContainer(name, stopTimeoutOf(ctx, name));
          const blueActivation = quietOf(ctx.state) ? { blueActivation: await activateQuietBlue(ctx) } : {};
          if (switchedAt) return { swappedAt: switchedAt.toISOString(), swapResumed: true, ...blueActivation };
          return { swappedAt: ctx.state.swappedAt as string, ...blueActivation };
        }
        // Green serves while its changes since the copy are carried to blue; then the hold carries only the rest.
        const synced = await preSync(ctx);
        // Hold new work: nothing reaches green (webhooks, editor, API) from here to the switch; clients get 503 with a short Retry-After.
        const held = Date.now();
        await ports.writeRoute(ctx.deps.heldRoute(ctx.operation.tenant));
        const catchUp = await catchUpUnderHold(ctx, synced?.baseline);
        // One rename of the route file: Traefik serves the held page, then blue, never green and blue both.
        await ports.writeRoute(blueRoute);
        const holdSeconds = (Date.now() - held) / 1000;
        const swappedAt = now(ctx).toISOString();
        // Outside the hold: blue serves. Green's main stopped under it, so from then to this activation no schedule
        // fires on either colour (a missed tick, not a double one).
        const blueActivation = quietOf(ctx.state) ? { blueActivation: await activateQuietBlue(ctx) } : {};
        return { swappedAt, holdSeconds, ...(synced ? { preSync: synced.carried } : {}), ...catchUp, ...blueActivation };
      },
      async undo(ctx) {
        // A quiet blue may have had workflows activated after the route moved: the route holds and blue's main (where
        // their triggers run) stops before green starts again, so none fires on both colours; blue is discarded after this.
        // When blue served: the journaled swap, or the route file's time (a failure after the route moved, before the step's end).
        const blueRoute = stackOf(ctx, input(ctx).toColour).route;
        const servedSince = typeof ctx.state.swappedAt === 'string' ? new Date(ctx.state.swappedAt) : await ctx.deps.ports().routedSince?.(blueRoute);
        const quiet = quietOf(ctx.state);
        if (quiet) {
          const [blueMain] = blueNames(ctx);
          await ctx.deps.ports().writeRoute(ctx.deps.heldRoute(ctx.operation.tenant));
          if (blueMain) await ctx.deps.ports().stopContainer(blueMain, stopTimeoutOf(ctx, blueMain));
        }
        // Green comes back on its own, untouched database; then the route returns to it.
        await startGreen(ctx);
        await ctx.deps.ports().writeRoute(stackOf(ctx, input(ctx).fromColour).route);
        // Blue served since the swap: what it wrote is counted now (the route has left it) and journaled before its database is dropped.
        if (!servedSince) return;
        const gate = ctx.state.gate as { blue?: N8nDigest } | undefined;
        const lostOnBlue = await blueWritesSince(colourUrl(ctx, input(ctx).toColour), servedSince, gate?.blue, quiet?.quiet ?? []);
        // A swap that failed after the route moved (blue's activation) journals when blue began to serve, as a finished one does.
        return { lostOnBlue, ...(typeof ctx.state.swappedAt === 'string' ? {} : { swappedAt: servedSince.toISOString() }) };
      },
    },
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
        const blueExecutions = policy ? await executionCounts(colourUrl(ctx, input(ctx).toColour), new Date(swappedAt)).catch(() => undefined) : undefined;
        const errorRate = policy && blueExecutions ? errorRateVerdict(ctx.state.greenExecutions as ExecutionCounts | null | undefined, blueExecutions, policy) : undefined;
        if (errorRate?.verdict === 'rose') throw new OperationError('upgrade.error-rate-rose', `the error rate rose during the watch: ${errorRate.reason}`);
        const elapsed = (now(ctx).getTime() - swappedAt) / 1000;
        const watch = ctx.deps.watchSeconds(ctx.operation.tenant);
        if (elapsed < watch) throw new StepWaiting(`watching blue: ${Math.floor(elapsed)} of ${watch} s${errorRate ? `; ${errorRate.reason}` : ''}`);
        const keep = ctx.deps.keepGreenSeconds?.(ctx.operation.tenant) ?? 0;
        const kept = keep > 0 ? { keepGreenSeconds: keep, greenKeptUntil: new Date(now(ctx).getTime() + keep * 1000).toISOString() } : {};
        return { watchedSeconds: Math.round(elapsed), ...(errorRate ? { errorRate } : {}), ...kept };
      },
    },
    {
      name: 'cleanup',
      timeoutSeconds: 10 * 60,
      async run(ctx) {
        // keepGreenHours: green stays (stopped, its database untouched) until then; rp9 tenant rollback can still switch back to it.
        const keptUntil = typeof ctx.state.greenKeptUntil === 'string' ? Date.parse(ctx.state.greenKeptUntil) : Number.NaN;
        if (keptUntil > now(ctx).getTime()) throw new StepWaiting(`green kept until ${ctx.state.greenKeptUntil as string} (policies.upgrades.keepGreenHours)`);
        // The watch passed: a failure here must not roll back. What is left is logged; the plan deletes leftover containers.
        const ports = ctx.deps.ports();
        const errors: string[] = [];
        for (const name of input(ctx).greenContainers) await ports.removeContainer(name).catch((e: Error) => errors.push(`${name}: ${e.message}`));
        await dropDatabase(ctx.deps.adminUrl, databaseName(ctx.operation.tenant, input(ctx).fromColour)).catch((e: Error) => errors.push(`database: ${e.message}`));
        if (errors.length > 0) ctx.log.warn('upgrade cleanup left green parts behind', { errors });
        return { cleanedAt: now(ctx).toISOString(), cleanupErrors: errors };
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
