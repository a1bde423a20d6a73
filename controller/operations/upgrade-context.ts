// The upgrade operation's context, shared by its steps (upgrade.ts) and its
// swap (upgrade-swap.ts): its dependencies, what the reconcile hook journals
// at its start, and the reads of them every step makes.
import type { ApplyPorts } from '../apply/apply-plan.js';
import { databaseName, type Colour } from '../compile/names.js';
import type { DesiredContainer, DesiredDatabase, DesiredRoute } from '../model.js';
import type { ErrorRatePolicy } from '../upgrades/error-rate.js';
import { databaseUrl } from '../upgrades/database-copy.js';
import type { N8nCli } from '../upgrades/item-catch-up.js';
import { n8nStopTimeoutSeconds } from '../compile/stop-timeout.js';
import type { UpgradeInput } from '../upgrades/live-colour.js';
import type { BlueSmokeInput, BlueSmokeResult } from '../upgrades/smoke-run.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import type { Operation } from '../store/types.js';
import type { BackupDeps } from './backup.js';
import { OperationError, type StepContext } from './kind.js';

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

export type UpgradeCtx = StepContext<UpgradeDeps>;
type Ctx = UpgradeCtx;

/** What the reconcile hook journaled at the start, with the steps' state. */
export function startOf(ctx: Ctx): UpgradeStart & Record<string, unknown> {
  return ctx.state as UpgradeStart & Record<string, unknown>;
}

/** The stack of `colour` from the config in force; upgrade.not-dedicated when the tenant is no longer dedicated. */
export function stackOf(ctx: Ctx, colour: Colour): ColourStack {
  const stack = ctx.deps.stack(ctx.operation.tenant, colour);
  if (!stack) throw new OperationError('upgrade.not-dedicated', `tenant ${ctx.operation.tenant} is no longer a dedicated tenant in the config in force`);
  return stack;
}

/** The database URL of `colour`. */
export function colourUrl(ctx: Ctx, colour: Colour): string {
  return databaseUrl(ctx.deps.adminUrl, databaseName(ctx.operation.tenant, colour));
}

/** The clock (injectable). */
export function nowOf(ctx: Ctx): Date {
  return ctx.deps.now?.() ?? new Date();
}

/** Blue's container names: journaled at blue-up, else compiled. */
export function blueNames(ctx: Ctx): string[] {
  return (ctx.state.blueContainers as string[] | undefined) ?? stackOf(ctx, startOf(ctx).toColour).containers.map((c) => c.name);
}

/** Green's containers started again and healthy. */
export async function startGreen(ctx: Ctx): Promise<void> {
  const ports = ctx.deps.ports();
  const green = startOf(ctx).greenContainers;
  for (const name of green) await ports.startContainer(name);
  await Promise.all(green.map((name) => ports.waitHealthy(name)));
}

/** Green's container `name` is stopped with its compiled stop timeout (above n8n's graceful shutdown), also when it was created before rp9 set one. */
export function stopTimeoutOf(ctx: Ctx, name: string): number {
  const { fromColour, toColour } = startOf(ctx);
  const compiled = [fromColour, toColour].flatMap((colour) => ctx.deps.stack(ctx.operation.tenant, colour)?.containers ?? []).find((c) => c.name === name);
  return compiled?.stopTimeoutSeconds ?? n8nStopTimeoutSeconds(compiled?.env ?? {});
}

