// The upgrade's swap (the `swap` step of upgrade.ts, and what it runs): first
// the pre-sync, while green serves (what green changed in workflows and
// credentials since the copy, carried to blue with n8n's CLI); then the hold
// (the route answers 503 with a short Retry-After) and under it the catch-up
// (what changed since the pre-sync, green's main stopped, its queue drained,
// its workers stopped, its executions since the copy copied into blue); then
// the route moves to blue in one rename, and outside the hold a quiet blue's
// deferred workflows are activated. Its undo returns the route to green.
import { blueWritesSince } from '../upgrades/blue-writes.js';
import { anyItemChanges, carryItems, NO_ITEM_CHANGES, type ItemCatchUp } from '../upgrades/item-catch-up.js';
import { copyExecutionsSince, runningExecutions } from '../upgrades/execution-catch-up.js';
import { RUNNING_STATUSES, type N8nItemHashes } from '../upgrades/catch-up-plan.js';
import { digestDifferences, n8nDigest, n8nItemHashes, type N8nDigest } from '../upgrades/n8n-digest.js';
import { activationItems, activationPlan, carriedQuietly, quietOf, withPublishedVersions } from '../upgrades/blue-quiet-plan.js';
import { activeWorkflowIds, carryStaticData, restoreDrafts, versionContents } from '../upgrades/blue-quiet.js';
import { OperationError, type OperationStepSpec } from './kind.js';
import { blueNames, colourUrl, nowOf, stackOf, startGreen, startOf, stopTimeoutOf, type UpgradeCtx, type UpgradeDeps } from './upgrade-context.js';

type Ctx = UpgradeCtx;

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
  const greenUrl = colourUrl(ctx, startOf(ctx).fromColour);
  for (;;) {
    // Not the editor's manual runs: they execute on main (1.x), killed under the hold, and would hold the drain to its limit.
    const unfinished = await runningExecutions(greenUrl, RUNNING_STATUSES, ['manual']);
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
  const [greenMain] = startOf(ctx).greenContainers;
  const [blueMain] = blueNames(ctx);
  if (!atCopy || !ctx.deps.n8nCli || !greenMain || !blueMain) return undefined;
  const greenUrl = colourUrl(ctx, startOf(ctx).fromColour);
  const baseline = await n8nItemHashes(greenUrl);
  if (!anyItemChanges(atCopy, baseline)) return undefined;
  if (await ctx.deps.unhealthy([greenMain])) return undefined;
  ctx.progress({ phase: 'pre-sync items' });
  const asImported = quietOf(ctx.state) ? carriedQuietly : undefined;
  const { restartBlueMain, ...carried } = await carryItems(ctx.deps.n8nCli, { greenMain, blueMain, blueUrl: colourUrl(ctx, startOf(ctx).toColour) }, atCopy, baseline, asImported ? { asImported } : {});
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
  const { fromColour, toColour, greenContainers } = startOf(ctx);
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
  // The workers side by side: each waits for its own jobs (none left after the drain, unless it was cut short). Every
  // stop ends before a failure is thrown: the undo starts green again and must not race a stop still under way.
  await timed('stopWorkers', async () => {
    const stops = await Promise.allSettled(greenWorkers.map((name) => ports.stopContainer(name, stopTimeoutOf(ctx, name))));
    const failed = stops.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  });
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
  const blueUrl = colourUrl(ctx, startOf(ctx).toColour);
  const greenActive = await activeWorkflowIds(colourUrl(ctx, startOf(ctx).fromColour));
  const plan = activationPlan(greenActive, await activeWorkflowIds(blueUrl));
  const done = (importSeconds: number | null, staticData = 0) => ({ method: 'import:workflow --activeState=fromJson', activated: plan.activate, alreadyActive: plan.already, blueOnly: plan.blueOnly, staticData, importSeconds, seconds: (Date.now() - started) / 1000 });
  if (plan.activate.length === 0) return done(null);
  const [blueMain] = blueNames(ctx);
  if (!blueMain || !ctx.deps.n8nCli) throw new OperationError('upgrade.activation-failed', `tenant ${ctx.operation.tenant}: cannot activate ${plan.activate.join(', ')} on blue (no main container or no n8n CLI)`);
  ctx.progress({ phase: 'activate on blue' });
  // Before the export: the export carries green's final static data into the import.
  const staticData = await carryStaticData(colourUrl(ctx, startOf(ctx).fromColour), blueUrl, plan.activate);
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

/** The swap step: pre-sync, hold, catch-up under the hold, route to blue, a quiet blue's activation; its undo returns to green. */
export const swapStep: OperationStepSpec<UpgradeDeps> = {
  name: 'swap',
  timeoutSeconds: 10 * 60,
  async run(ctx) {
    const { fromColour, toColour, greenContainers } = startOf(ctx);
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
    const swappedAt = nowOf(ctx).toISOString();
    // Outside the hold: blue serves. Green's main stopped under it, so from then to this activation no schedule
    // fires on either colour (a missed tick, not a double one).
    const blueActivation = quietOf(ctx.state) ? { blueActivation: await activateQuietBlue(ctx) } : {};
    return { swappedAt, holdSeconds, ...(synced ? { preSync: synced.carried } : {}), ...catchUp, ...blueActivation };
  },
  async undo(ctx) {
    // A quiet blue may have had workflows activated after the route moved: the route holds and blue's main (where
    // their triggers run) stops before green starts again, so none fires on both colours; blue is discarded after this.
    // When blue served: the journaled swap, or the route file's time (a failure after the route moved, before the step's end).
    const blueRoute = stackOf(ctx, startOf(ctx).toColour).route;
    const servedSince = typeof ctx.state.swappedAt === 'string' ? new Date(ctx.state.swappedAt) : await ctx.deps.ports().routedSince?.(blueRoute);
    const quiet = quietOf(ctx.state);
    if (quiet) {
      const [blueMain] = blueNames(ctx);
      await ctx.deps.ports().writeRoute(ctx.deps.heldRoute(ctx.operation.tenant));
      if (blueMain) await ctx.deps.ports().stopContainer(blueMain, stopTimeoutOf(ctx, blueMain));
    }
    // Green comes back on its own, untouched database; then the route returns to it.
    await startGreen(ctx);
    await ctx.deps.ports().writeRoute(stackOf(ctx, startOf(ctx).fromColour).route);
    // Blue served since the swap: what it wrote is counted now (the route has left it) and journaled before its database is dropped.
    if (!servedSince) return;
    const gate = ctx.state.gate as { blue?: N8nDigest } | undefined;
    const lostOnBlue = await blueWritesSince(colourUrl(ctx, startOf(ctx).toColour), servedSince, gate?.blue, quiet?.quiet ?? []);
    // A swap that failed after the route moved (blue's activation) journals when blue began to serve, as a finished one does.
    return { lostOnBlue, ...(typeof ctx.state.swappedAt === 'string' ? {} : { swappedAt: servedSince.toISOString() }) };
  },
};
