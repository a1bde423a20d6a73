// Assembly of the upgrade kind's dependencies from the controller's edges:
// the config in force (compiled per colour), the apply ports, the tenant
// database server, the backup edges pointed at the live colour, Docker for
// blue's health, and the store for events.
import type Docker from 'dockerode';
import type { Platform } from '../../config/types.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { exportItems, importItems } from '../../edges/n8n/cli-export.js';
import type { ApplyPorts } from '../apply/apply-plan.js';
import { compileTenantWith } from '../compile/compile-tenant.js';
import { stableHash } from '../compile/hash.js';
import { containerTemplate } from '../compile/containers.js';
import type { CompileContext } from '../compile/context.js';
import { databaseName, mainContainerName, type Colour } from '../compile/names.js';
import type { DesiredContainer, DesiredDatabase, DesiredRoute } from '../model.js';
import type { BackupDeps } from '../operations/backup.js';
import type { ColourStack, UpgradeDeps } from '../operations/upgrade.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { EventsApi } from '../store/events-repo.js';
import type { Operation } from '../store/types.js';
import { describeLostWrites, type BlueWrites } from './blue-writes.js';
import { databaseUrl } from './database-copy.js';
import { upgradeInput } from './live-colour.js';
import { runBlueSmoke } from './smoke-run.js';

export interface UpgradeRuntimeOptions {
  config(): GoodConfig | undefined;
  compileContext(platform: Platform): CompileContext;
  ports(good: GoodConfig): ApplyPorts;
  adminUrl: string;
  docker: Docker;
  /** The backup edges (object store, catalogue, master key); databaseUrl and n8n are set per colour here. */
  backup: Omit<BackupDeps, 'databaseUrl' | 'n8n'>;
  events: EventsApi;
  /** Overrides policies.upgrades.watchMinutes (tests shorten the watch). */
  watchSeconds?: number;
  /** Opens the PR that sets the version back (absent: no forge configured; the event says so). */
  revertPr?(op: Operation): Promise<string | undefined>;
  /** Counts rp9_upgrades_total as each upgrade ends. */
  metrics?: Pick<Metrics, 'upgrades'>;
  now?(): Date;
}

/** The Retry-After the swap's held route answers with. */
export const SWAP_RETRY_AFTER_SECONDS = 10;

function stackFrom(good: GoodConfig, context: CompileContext, tenant: string, colour: Colour): ColourStack | undefined {
  const loaded = good.config.tenants.find((t) => t.name === tenant);
  if (!loaded || loaded.tenant.spec.mode !== 'dedicated') return undefined;
  const desired = compileTenantWith(good.platform, loaded, containerTemplate(context), new Date(), undefined, colour);
  const database = desired.resources.find((r): r is DesiredDatabase => r.kind === 'database');
  const route = desired.resources.find((r): r is DesiredRoute => r.kind === 'route');
  const containers = desired.resources.filter((r): r is DesiredContainer => r.kind === 'container');
  if (!database || !route) return undefined;
  return { database, route, containers };
}

/** Undefined when every container runs and is healthy (or has no healthcheck). */
export async function dockerUnhealthy(docker: Docker, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    const info = await docker.getContainer(name).inspect().catch(() => undefined);
    if (!info) return `${name} does not exist`;
    if (!info.State.Running) return `${name} is ${info.State.Status} (exit ${info.State.ExitCode})`;
    const health = info.State.Health?.Status;
    if (health && health !== 'healthy' && health !== 'starting') return `${name} is ${health}`;
  }
  return undefined;
}

function requireConfig(options: UpgradeRuntimeOptions): GoodConfig {
  const good = options.config();
  if (!good) throw new Error('no valid config loaded yet');
  return good;
}

export function upgradeDeps(options: UpgradeRuntimeOptions): UpgradeDeps {
  return {
    stack(tenant, colour) {
      const good = requireConfig(options);
      return stackFrom(good, options.compileContext(good.platform), tenant, colour);
    },
    ports: () => options.ports(requireConfig(options)),
    heldRoute(tenant) {
      const good = requireConfig(options);
      const route = stackFrom(good, options.compileContext(good.platform), tenant, 'green')?.route;
      if (!route) throw new Error(`tenant ${tenant} is no longer a dedicated tenant in the config in force`);
      // The suspended page answers 503, with a Retry-After of seconds: the swap holds new work for seconds, not an hour.
      const target = { type: 'suspended' as const, url: options.compileContext(good.platform).suspendedUrl, retryAfterSeconds: SWAP_RETRY_AFTER_SECONDS };
      // A hash of its own (lowercase hex, as the route writer requires): the held route differs from green's.
      return { ...route, target, hash: stableHash({ held: true, route: route.hash, target }) };
    },
    adminUrl: options.adminUrl,
    n8nCli: {
      exportItems: (container, what) => exportItems(options.docker, container, what),
      importItems: (container, what, items, opts) => importItems(options.docker, container, what, items, opts),
    },
    backup: (tenant, colour): BackupDeps => ({
      ...options.backup,
      databaseUrl: () => databaseUrl(options.adminUrl, databaseName(tenant, colour)),
      n8n: { exportItems: (_t, what) => exportItems(options.docker, mainContainerName(tenant, colour), what) },
    }),
    watchSeconds: () => options.watchSeconds ?? (options.config()?.platform.spec.policies.upgrades.watchMinutes ?? 15) * 60,
    keepGreenSeconds: () => (options.config()?.platform.spec.policies.upgrades.keepGreenHours ?? 0) * 3600,
    errorRatePolicy: () => {
      const upgrades = options.config()?.platform.spec.policies.upgrades;
      return { maxRise: upgrades?.errorRateRise ?? 0.1, minExecutions: upgrades?.errorRateMinExecutions ?? 10 };
    },
    unhealthy: (names) => dockerUnhealthy(options.docker, names),
    smoke: (blue, signal) => runBlueSmoke(options.docker, blue, signal),
    async onFailed(op) {
      const input = upgradeInput(op);
      const swapped = typeof op.state.swappedAt === 'string';
      const lostOnBlue = op.state.lostOnBlue as BlueWrites | undefined;
      const lost = describeLostWrites(swapped, lostOnBlue);
      const request = op.state.rollbackRequest as { by: string } | undefined;
      const pr = await options.revertPr?.(op).catch((e: Error) => `could not open the revert PR: ${e.message}`);
      await options.events.record({
        tenant: op.tenant,
        type: 'Warning',
        reason: 'UpgradeFailed',
        message: `upgrade to n8n ${input.toVersion} ${op.status === 'rolled-back' ? 'rolled back' : 'given up (needs a human)'}${request ? ` on request of ${request.by}` : ''}: ${op.error ?? ''}; ${lost}; ${pr ?? 'no forge configured: set the version back in git'}`,
        actor: 'controller',
        data: { operationId: op.id, from: input.fromVersion, to: input.toVersion, swapped, backupId: op.state.backupId ?? null, lostOnBlue: lostOnBlue ?? null, rollbackRequest: request ?? null },
      });
    },
    async onDone(op) {
      const input = upgradeInput(op);
      await options.events.record({
        tenant: op.tenant,
        type: 'Normal',
        reason: 'Upgraded',
        message: `n8n ${input.fromVersion} → ${input.toVersion} (blue/green, now ${input.toColour}); pre-upgrade backup ${String(op.state.backupId)}`,
        actor: 'controller',
        data: { operationId: op.id, copy: op.state.copy ?? null, watchedSeconds: op.state.watchedSeconds ?? null },
      });
    },
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}
