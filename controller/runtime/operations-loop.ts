// Long operations on the leader: every interval, one pass of the operation
// engine (each unfinished operation advances by at most one step, so a crash
// or a change of leader resumes from the journal; not before the first config
// is loaded, which every kind reads), then the backup schedule
// (due scheduled backups start; a missed slot is caught up once) and pruning
// (expired backups lose their objects, then their catalogue row). A pass
// never overlaps the previous one; a follower does nothing. A pass that moved
// an operation (a step done, failed or undone) or started one is followed by
// the next at once, not after the interval (at most MAX_BACK_TO_BACK in a
// row): the steps of an operation run back to back, so a promotion's freeze
// lasts as long as its steps, not one interval per step. A step that is
// waiting (StepWaiting: a watch) does not count as moved.
import type { ObjectStore } from '../../edges/object-store/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { backupInput } from '../backups/naming.js';
import { expiredBackups, retentionFor } from '../backups/retention.js';
import { dueBackups, dueDrills, expectedSince, SCHEDULE_KINDS, type ScheduleKind, type TenantSchedule } from '../backups/schedule.js';
import { scheduledBackupGate, type SharedBackupSettings } from '../backups/schedule-gate.js';
import { isDrillable } from '../operations/drill.js';
import type { OperationEngine } from '../operations/engine.js';
import { startDueCleanups } from '../promotion/start-cleanups.js';
import { startDueDemotions } from '../demotion/start-due.js';
import type { DedicatedStack } from '../demotion/views.js';
import { startDuePromotions } from '../promotion/start-due.js';
import type { GoodConfig } from '../reconcile/config-tracker.js';
import type { Store } from '../store/index.js';
import type { Operation } from '../store/types.js';

export interface OperationsLoopOptions {
  intervalMs: number;
  engine: OperationEngine;
  store: Store;
  objects: ObjectStore;
  config(): GoodConfig | undefined;
  isLeader(): boolean;
  logger: Logger;
  now?(): Date;
  /** A failed scheduled backup is retried after this long (default 30 min). */
  retryAfterMs?: number;
  /** Last-success gauges are refilled from the catalogue every pass, so they survive a restart or a change of leader. */
  metrics?: Pick<Metrics, 'backupLastSuccess' | 'backupBytes' | 'backupExpectedSince'>;
  /** Removes expired restore sandboxes (controller/sandbox/sandbox-sweep.ts); returns their names. */
  sweepSandboxes?(now: Date): Promise<string[]>;
  /** Whether this controller can back up shared tenants (schedule-gate.ts); absent: it can, and no member is awaited. */
  sharedBackups?: SharedBackupSettings;
  /** The dedicated stacks on the engine (controller/demotion/start-due.ts); absent: no demotion starts. */
  dedicatedStacks?(): Promise<ReadonlyMap<string, DedicatedStack>>;
}

export interface TickResult {
  /** Operations the engine's pass stepped (a waiting step included). */
  advanced: number;
  /** Of those, the ones whose journal changed: a step done, failed or undone, or the operation finished. */
  moved: number;
  started: string[];
  pruned: string[];
  sandboxesRemoved: string[];
}

export interface OperationsTicker {
  /** One pass (tests call it directly). */
  tick(): Promise<TickResult>;
}

/** Passes in a row that may follow each other at once; then the loop waits one interval (a bound on a busy loop). */
export const MAX_BACK_TO_BACK = 50;

/** Whether the engine's step changed the operation's journal (not a StepWaiting, which returns it as it was). */
export function operationMoved(before: Operation | undefined, after: Operation): boolean {
  if (!before) return true;
  if (after.finishedAt !== null || after.status !== before.status || after.currentStep !== before.currentStep) return true;
  return after.steps.some((step, i) => step.status !== before.steps[i]?.status);
}

/** Milliseconds until the next pass: none after a pass that moved or started an operation (up to MAX_BACK_TO_BACK in a row), else the interval. */
export function nextPassDelay(result: Pick<TickResult, 'moved' | 'started'> | undefined, backToBack: number, intervalMs: number): number {
  if (!result || backToBack >= MAX_BACK_TO_BACK) return intervalMs;
  return result.moved > 0 || result.started.length > 0 ? 0 : intervalMs;
}

export function createOperationsTicker(options: OperationsLoopOptions): OperationsTicker {
  const now = options.now ?? (() => new Date());
  const notConfigured = new Set<string>();
  /** When this controller first saw each tenant's backup schedule (tenant\0kind). */
  const firstSeen = new Map<string, Date>();
  const demotionsNotConfigured = new Set<string>();
  /** Tenants whose scheduled backups this controller cannot run, already warned about. */
  const backupsNotConfigured = new Set<string>();
  /** Whether the last read of the dedicated stacks failed (logged once per outage, not every pass). */
  const dockerDown = { logged: false };
  /** Whether "waiting for the first config" was logged (once until a config is loaded). */
  const waiting = { logged: false };
  return {
    async tick() {
      const result: TickResult = { advanced: 0, moved: 0, started: [], pruned: [], sandboxesRemoved: [] };
      if (!options.isLeader()) return result;
      // Every kind the controller runs reads the config in force (a tenant's email, the compile context, the
      // backups' bucket). A fresh leader (a restart after a crash) passes only once the reconcile loop has
      // loaded one: a step re-run before that would fail on "no config yet" and roll a promotion back.
      const good = options.config();
      if (!good) {
        if (!waiting.logged) options.logger.info('operations wait for the first config to load', { code: 'operations.no-config-yet' });
        waiting.logged = true;
        return result;
      }
      waiting.logged = false;
      const before = new Map((await options.store.operations.listUnfinished()).map((op) => [op.id, op]));
      const stepped = await options.engine.pass();
      result.advanced = stepped.length;
      result.moved = stepped.filter((op) => operationMoved(before.get(op.id), op)).length;
      if (options.sweepSandboxes) result.sandboxesRemoved = await options.sweepSandboxes(now());
      const stacks = options.dedicatedStacks ? await readStacks(options.dedicatedStacks, options.logger, dockerDown) : undefined;
      const demotions = stacks ? await startDueDemotions(options.engine, options.store, good, stacks, now(), options.logger, demotionsNotConfigured) : [];
      result.started = [...(await startDuePromotions(options.engine, options.store, good, now(), options.logger, notConfigured)), ...demotions, ...(await startDue(options, good, now(), backupsNotConfigured)), ...(await startDrills(options, good, now())), ...(await startDueCleanups(options.engine, options.store, good, now(), options.logger))];
      result.pruned = await prune(options, good, now());
      if (options.metrics) {
        await recordCatalogue(options.store, options.metrics);
        for (const e of expectedSince(await schedulesOf(options.store, good), firstSeen, now())) options.metrics.backupExpectedSince.set({ tenant: e.tenant, type: e.kind }, e.since.getTime() / 1000);
      }
      return result;
    },
  };
}

/**
 * The dedicated stacks on the engine, for the demotions; undefined while the engine cannot be reached
 * (no demotion can run then), so that the rest of the pass (backups of shared tenants, drills) still runs.
 */
async function readStacks(read: () => Promise<ReadonlyMap<string, DedicatedStack>>, logger: Logger, down: { logged: boolean }): Promise<ReadonlyMap<string, DedicatedStack> | undefined> {
  try {
    const stacks = await read();
    down.logged = false;
    return stacks;
  } catch (error) {
    if (!down.logged) logger.warn('demotions wait: the Docker engine cannot be reached to list the dedicated stacks (logged once until it answers)', { error: (error as Error).message, code: 'demotion.docker-unreachable' });
    down.logged = true;
    return undefined;
  }
}

async function schedulesOf(store: Store, good: GoodConfig): Promise<TenantSchedule[]> {
  const out: TenantSchedule[] = [];
  for (const { name, tenant } of good.config.tenants) {
    if (tenant.spec.suspended) continue;
    const schedules = (tenant.spec.backups?.schedules ?? []).filter((k): k is ScheduleKind => (SCHEDULE_KINDS as readonly string[]).includes(k));
    if (schedules.length === 0) continue;
    const lastSuccess: TenantSchedule['lastSuccess'] = {};
    for (const b of await store.backups.list(name, 200)) {
      const kind = b.kind as ScheduleKind;
      if (SCHEDULE_KINDS.includes(kind) && !lastSuccess[kind]) lastSuccess[kind] = b.createdAt;
    }
    const lastAttempt: TenantSchedule['lastAttempt'] = {};
    const firstAttempt: TenantSchedule['lastAttempt'] = {};
    for (const op of await store.operations.list(name, 50)) {
      const kind = op.state.backupKind as ScheduleKind;
      if (op.kind !== 'backup' || !SCHEDULE_KINDS.includes(kind)) continue;
      if (!lastAttempt[kind]) lastAttempt[kind] = op.startedAt;
      firstAttempt[kind] = op.startedAt;
    }
    out.push({ tenant: name, schedules, lastSuccess, lastAttempt, firstAttempt });
  }
  return out;
}

async function startDue(options: OperationsLoopOptions, good: GoodConfig, now: Date, notConfigured: Set<string>): Promise<string[]> {
  const started: string[] = [];
  const tenants = new Map(good.config.tenants.map((t) => [t.name, t.tenant]));
  const platform = good.platform.spec;
  const shared = options.sharedBackups ?? { exportable: true, membersManaged: false };
  for (const due of dueBackups(now, await schedulesOf(options.store, good), options.retryAfterMs ?? 30 * 60_000)) {
    const tenant = tenants.get(due.tenant);
    if (!tenant) continue;
    const mode = tenant.spec.mode;
    // A backup that could only fail does not start (schedule-gate.ts). Measured: bench:upgrade's `Migration
    // "RenameAnalyticsToInsights…" failed` when a dedicated backup's export ran beside main's first migrations.
    const gate = scheduledBackupGate({
      mode,
      appliedCommit: mode === 'dedicated' ? (await options.store.status.get(due.tenant))?.appliedCommit : undefined,
      shared,
      member: mode === 'shared' && shared.membersManaged ? ((await options.store.sharedMembers.get(due.tenant)) ?? undefined) : undefined,
    });
    if (!gate.start) {
      if (gate.code === 'backup.not-configured' && !notConfigured.has(due.tenant)) {
        notConfigured.add(due.tenant);
        options.logger.warn(`scheduled backups of this tenant cannot run: ${gate.reason} (logged once per tenant)`, { tenant: due.tenant, code: gate.code });
      }
      continue;
    }
    const n8nVersion = mode === 'dedicated' ? (tenant.spec.n8n?.version ?? platform.dedicated.n8nVersion) : platform.sharedN8n.version;
    try {
      const op = await options.engine.start('backup', due.tenant, { ...backupInput(due.tenant, due.kind, now, { mode, n8nVersion }) });
      started.push(op.id);
      options.logger.info('scheduled backup started', { tenant: due.tenant, kind: due.kind, slot: due.slot.toISOString(), operation_id: op.id });
    } catch (error) {
      // Another operation of this tenant is running: the backup waits for the next pass.
      if ((error as { code?: string }).code !== 'store.operation-in-progress') throw error;
    }
  }
  return started;
}

async function startDrills(options: OperationsLoopOptions, good: GoodConfig, now: Date): Promise<string[]> {
  // A drill brings up a whole sandbox stack (n8n main + workers): one at a time on the platform; the others wait for a later pass.
  if ((await options.store.operations.listUnfinished()).some((op) => op.kind === 'drill')) return [];
  const lastDrill = new Map<string, Date>();
  for (const op of await options.store.operations.listByKind('drill', 10_000)) if (!lastDrill.has(op.tenant)) lastDrill.set(op.tenant, op.startedAt);
  const tenants = [];
  for (const { name } of good.config.tenants) {
    const verified = (await options.store.backups.list(name, 50)).some((b) => isDrillable(b, options.objects.description));
    tenants.push({ tenant: name, hasVerifiedBackup: verified, lastDrill: lastDrill.get(name) });
  }
  const drills = good.platform.spec.backups.drills;
  for (const tenant of dueDrills(now, tenants, { every: drills.every, sample: drills.sample })) {
    try {
      const op = await options.engine.start('drill', tenant);
      options.logger.info('restore drill started', { tenant, operation_id: op.id });
      return [op.id];
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Another operation of this tenant runs: try the next tenant. No sandbox edges (no tenant database server): no drills.
      if (code === 'operations.unknown-kind') return [];
      if (code !== 'store.operation-in-progress') throw error;
    }
  }
  return [];
}

async function prune(options: OperationsLoopOptions, good: GoodConfig, now: Date): Promise<string[]> {
  const { plans } = good.platform.spec;
  const planOf = new Map(good.config.tenants.map((t) => [t.name, plans[t.tenant.spec.plan]]));
  const retentionOf = (tenant: string) => retentionFor({ retention: good.platform.spec.backups?.retention }, planOf.get(tenant));
  const backups = await options.store.backups.list(undefined, 100_000);
  const local = backups.filter((b) => b.location === options.objects.description);
  const pruned: string[] = [];
  for (const expired of expiredBackups(local, now, retentionOf)) {
    const record = local.find((b) => b.id === expired.id);
    if (!record) continue;
    // Objects first: a crash in between leaves a row whose objects are gone, and the next pass deletes it again.
    await options.objects.delete(await options.objects.list(record.prefix));
    await options.store.backups.delete(record.id);
    pruned.push(record.id);
    options.logger.info('backup pruned', { tenant: record.tenant, backup_id: record.id, reason: expired.reason });
  }
  return pruned;
}

/** Starts the loop; the returned stop resolves once the pass in flight (if any) is over. */
async function recordCatalogue(store: Store, metrics: NonNullable<OperationsLoopOptions['metrics']>): Promise<void> {
  const seen = new Set<string>();
  for (const b of await store.backups.list(undefined, 100_000)) {
    const key = `${b.tenant}\0${b.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    metrics.backupLastSuccess.set({ tenant: b.tenant, type: b.kind }, b.completedAt.getTime() / 1000);
    metrics.backupBytes.set({ tenant: b.tenant, type: b.kind }, b.storedBytes);
  }
}

export function startOperationsLoop(options: OperationsLoopOptions): () => Promise<void> {
  const ticker = createOperationsTicker(options);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> | undefined;
  let backToBack = 0;
  async function loop(): Promise<void> {
    let result: TickResult | undefined;
    try {
      const tick = ticker.tick();
      running = tick;
      result = await tick;
    } catch (error) {
      options.logger.warn('operations pass failed; retrying next interval', { error: error instanceof Error ? error.message : String(error) });
    }
    if (stopped) return;
    const delay = nextPassDelay(result, backToBack, options.intervalMs);
    backToBack = delay === 0 ? backToBack + 1 : 0;
    timer = setTimeout(() => void loop(), delay);
    timer.unref?.();
  }
  timer = setTimeout(() => void loop(), Math.min(options.intervalMs, 5_000));
  timer.unref?.();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running?.catch(() => undefined);
  };
}
