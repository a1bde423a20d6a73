// One reconcile pass: track the config repo → compile → observe → plan →
// gate by what is reachable → apply → record status, events, metrics and the
// commit status. Every step's I/O is injected; the decisions are pure.
import type { Platform } from '../../config/types.js';
import { applyPlan, type ApplyPorts, type TenantApplyResult } from '../apply/apply-plan.js';
import { compileDesired } from '../compile/compile-desired.js';
import type { CompileCache } from '../compile/compile-cache.js';
import type { CompileContext } from '../compile/context.js';
import { newCorrelationId, tenantCorrelationId, type Logger } from '../../kernel/log/logger.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { recordAppliedCommit, recordContainers, recordReconcile } from '../../controller/metrics/record.js';
import type { Action, ObservedContainer, ObservedState, Plan, TenantPlan } from '../model.js';
import { plan as computePlan } from '../plan/plan.js';
import { dedicatedStacksOf, DEMOTION_KIND, demotionHolds, demotionViews, failedDemotions, journalRoutes } from '../demotion/views.js';
import { failedPromotions, promotionRoutes, promotionViews } from '../promotion/views.js';
import type { Store } from '../store/index.js';
import { passStatus, type CommitStatusReporter } from './commit-status.js';
import type { ConfigTracker, GoodConfig } from './config-tracker.js';
import { gatePlan, WAITING_FOR_DOCKER, type HeldTenant } from './gate.js';
import { recordOutcome, recordRemoval, type RecordContext } from './record-status.js';
import { recordOverride, recordRefusal, recordRefusalCleared } from './refusal-event.js';
import { reasonFromCode, type TenantOutcome } from './tenant-status.js';
import type { UpgradeHook } from '../upgrades/reconcile-hook.js';
import { degradedServices } from '../swarm/service-health.js';
import { maintenanceByTenant, pendingWindows, runnableNow, schedulePlan } from '../maintenance/schedule-plan.js';
import { formatWindowTime, MAINTENANCE_WINDOW_REASON, pendingText } from '../maintenance/windows.js';

export interface ReconcilerDeps {
  tracker: ConfigTracker;
  compileContext(platform: Platform): CompileContext;
  /** Keeps compiled tenants across passes: a one-file change recompiles one tenant. */
  compileCache?: CompileCache;
  observe(): Promise<ObservedState>;
  /** The apply ports for the config in force: its environment labels databases, networks and routes. */
  ports(good: GoodConfig): ApplyPorts;
  /** Whether a PostgreSQL server for tenant databases is configured. */
  tenantDatabases: boolean;
  /** Blue/green upgrades: live colours, and version changes run as operations instead of recreates. */
  upgrades?: UpgradeHook;
  /**
   * This controller runs demotions (the shared n8n settings are there): a shared tenant whose data is on its
   * dedicated stack keeps that stack and route until its demotion moves it. Without it, a move to shared
   * switches the route and removes the containers at once, as before demotions existed.
   */
  demotions?: boolean;
  /** The clock maintenance windows are read against (tests move it). */
  now?(): Date;
  /** A tenant's status for this pass was written, as soon as its apply ended (the runtime refreshes rp9_tenant_ready). */
  onTenantRecorded?(tenant: string): void;
  store: Store;
  commitStatus: CommitStatusReporter;
  metrics: Metrics;
  logger: Logger;
  options: {
    /** --allow-mass-deletion <commit>: lets that one commit's plan past the mass-deletion rail. */
    allowMassDeletionCommit?: string | undefined;
    concurrency: number;
    retry: { attempts: number; baseMs: number; maxMs: number };
  };
}

export type ReconcileResultKind = 'applied' | 'noop' | 'failed' | 'refused' | 'unreachable' | 'idle';

export interface ReconcileResult {
  correlationId: string;
  kind: ReconcileResultKind;
  /** The commit in force (the last good one). */
  commit?: string;
  /** The newest commit read, when it failed validation. */
  invalidCommit?: string;
  plan?: Plan;
  failures: { tenant: string; code: string; message: string; transient: boolean }[];
  /** True when a retry should come sooner than the interval. */
  retrySoon: boolean;
  durationMs: number;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(action: Action): string {
  return `${action.op} ${action.kind} ${action.name}`;
}

function tenantOfFile(file: string): string | undefined {
  const match = /^tenants\/([^/]+)\.ya?ml$/.exec(file);
  return match?.[1];
}

export async function reconcileOnce(deps: ReconcilerDeps): Promise<ReconcileResult> {
  const started = Date.now();
  const correlationId = newCorrelationId();
  const log = deps.logger.child({ correlation_id: correlationId });
  const finish = (result: Omit<ReconcileResult, 'correlationId' | 'durationMs'>): ReconcileResult => {
    const durationMs = Date.now() - started;
    const metricResult = result.kind === 'applied' ? 'success' : result.kind === 'noop' ? 'noop' : result.kind === 'refused' ? 'refused' : result.kind === 'idle' ? 'noop' : 'error';
    recordReconcile(deps.metrics, { result: metricResult, durationSeconds: durationMs / 1000, errorCodes: result.failures.map((f) => f.code) });
    log.info('reconcile finished', { result: result.kind, commit: result.commit, failed: result.failures.length, duration_ms: durationMs });
    return { ...result, correlationId, durationMs };
  };

  const tracked = await deps.tracker.track();
  const recordCtx: RecordContext = { store: deps.store, actor: 'controller', correlationId, metrics: deps.metrics };
  const invalidTenants = new Map<string, string>();
  let invalidCommit: string | undefined;
  if (tracked.kind === 'unreachable') {
    log.warn('config source not readable', { code: tracked.code, error: tracked.message });
  }
  if (tracked.kind === 'invalid') {
    invalidCommit = tracked.commit;
    const first = tracked.errors[0];
    const description = first ? `${tracked.errors.length} config error(s): ${first.file}:${first.line} ${first.code}` : 'config invalid: platform.yaml missing';
    await deps.commitStatus.report({ commit: tracked.commit, state: 'failure', description });
    log.warn('commit failed validation; keeping the last good commit', { commit: tracked.commit, errors: tracked.errors.length, last_good: tracked.good?.commit });
    for (const error of tracked.errors) {
      const tenant = tenantOfFile(error.file);
      if (tenant && !invalidTenants.has(tenant)) invalidTenants.set(tenant, `${error.file}:${error.line}:${error.column} ${error.code}: ${error.message}`);
    }
  }
  if (tracked.kind === 'updated') await deps.commitStatus.report({ commit: tracked.commit, state: 'pending', description: 'applying' });

  const good: GoodConfig | undefined = tracked.good;
  if (!good) {
    const failures = tracked.kind === 'unreachable' ? [{ tenant: '', code: tracked.code, message: tracked.message, transient: true }] : [];
    return finish({ kind: tracked.kind === 'unreachable' ? 'unreachable' : 'idle', ...(invalidCommit ? { invalidCommit } : {}), failures, retrySoon: true });
  }

  const upgradeView = await deps.upgrades?.view();
  // A promoting tenant's route and stack follow its promotion's journal (controller/promotion/views.ts).
  const promotionJournal = promotionViews(await deps.store.operations.listByKind('promotion', 1000), new Date());
  // A shared tenant whose data is on its dedicated stack keeps that stack until its demotion is done (controller/demotion/views.ts).
  const observed = await deps.observe();
  const demotionFacts = {
    promotions: promotionJournal,
    demotions: demotionViews(await deps.store.operations.listByKind(DEMOTION_KIND, 1000), new Date()),
    stacks: dedicatedStacksOf(observed.resources.filter((r): r is ObservedContainer => r.kind === 'container')),
  };
  const promotions = journalRoutes(good.config.tenants, promotionRoutes(promotionJournal), deps.demotions ? demotionHolds(good.config.tenants, demotionFacts, new Date()) : new Map());
  const desired = compileDesired(good.platform, good.config.tenants, deps.compileContext(good.platform), {
    commit: good.commit,
    now: new Date(),
    promotions,
    ...(deps.compileCache ? { cache: deps.compileCache } : {}),
    ...(upgradeView ? { colours: upgradeView.colours } : {}),
  });
  recordContainers(deps.metrics, observed.resources.filter((r): r is ObservedContainer => r.kind === 'container'));
  const computed = computePlan(desired, observed, {
    maxDeletionPercent: good.platform.spec.safety.maxDeletionPercent,
    allowDeletion: good.platform.spec.safety.allowDeletion,
    allowMassDeletionCommit: deps.options.allowMassDeletionCommit,
  });

  const diverted = deps.upgrades && upgradeView && !computed.refused ? deps.upgrades.divert(computed, upgradeView) : { plan: computed, start: [], held: [] };
  // Downtime changes outside the tenant's maintenance window wait for it: the plan shows them `at window`, the pass leaves them out.
  const now = deps.now?.() ?? new Date();
  const plan = schedulePlan(diverted.plan, maintenanceByTenant(good.platform, good.config.tenants), now);
  const pending = pendingWindows(plan);
  if (plan.refused) {
    log.error('plan refused by a safety rail', { code: plan.refused.code, reason: plan.refused.message });
    // GitHub keeps 140 characters of a description: the override comes first, the counts after.
    await deps.commitStatus.report({ commit: good.commit, state: 'failure', description: `refused (${plan.refused.code}); if intended, list the tenants in spec.safety.allowDeletion: ${plan.refused.message}` });
    await recordRefusal(deps.store, { commit: good.commit, refusal: plan.refused, actor: 'controller', correlationId });
    return finish({ kind: 'refused', commit: good.commit, plan, failures: [{ tenant: '', code: plan.refused.code, message: plan.refused.message, transient: false }], retrySoon: false });
  }

  await recordRefusalCleared(deps.store, { commit: good.commit, actor: 'controller', correlationId });
  if (plan.deletionOverride) {
    const { by, tenants, reason } = plan.deletionOverride;
    log.warn('removals allowed past the mass-deletion rail by an override', { override: by, tenants, reason });
    await recordOverride(deps.store, { commit: good.commit, override: plan.deletionOverride, actor: 'controller', correlationId });
  }
  const gated = gatePlan(runnableNow(plan), observed.availability, { tenantDatabases: deps.tenantDatabases });
  const runnable = gated.plan;
  const held = [...gated.held, ...diverted.held, ...failedPromotions(good.config.tenants, promotionJournal), ...(deps.demotions ? failedDemotions(good.config.tenants, demotionFacts.demotions) : [])];
  // Every line about one tenant carries its own id next to the pass's id.
  const tenantLogs = new Map<string, Logger>();
  const tenantLog = (tenant: string): Logger => {
    let child = tenantLogs.get(tenant);
    if (!child) tenantLogs.set(tenant, (child = log.child({ tenant, tenant_correlation_id: tenantCorrelationId(correlationId, tenant) })));
    return child;
  };
  const previous = new Map((await deps.store.status.list()).map((s) => [s.tenant, s]));
  const heldBy = new Map<string, HeldTenant>(held.map((h) => [h.tenant, h]));
  const failureOf = new Map<string, ReconcileResult['failures'][number]>();
  const fullPlanOf = new Map(plan.tenants.map((t) => [t.tenant, t]));
  const generation = new Map(desired.tenants.map((t) => [t.name, t]));
  const commit = good.commit;
  // Swarm services short of running tasks (a lost node), by tenant: such a tenant reads degraded until they run again.
  const degradedOf = new Map<string, string[]>();
  for (const resource of observed.resources) {
    if (resource.kind !== 'service') continue;
    const lines = degradedServices([resource]);
    if (lines.length > 0) degradedOf.set(resource.tenant, [...(degradedOf.get(resource.tenant) ?? []), ...lines]);
  }

  /** Records one tenant's outcome (status, events, log) once its part of the pass is final. */
  async function recordTenant(tenantPlan: TenantPlan, result: TenantApplyResult | undefined): Promise<void> {
    const tenant = tenantPlan.tenant;
    const hold = heldBy.get(tenant);
    if (tenantPlan.change === 'delete') {
      if (result?.outcome === 'applied' || result?.outcome === 'unchanged') {
        await recordRemoval(recordCtx, tenant, commit, result.done.map(describe));
        tenantLog(tenant).info('tenant removed', { audit: true, commit, actions: result.done.length });
      } else if (hold || result?.error) {
        const failure = { tenant, code: hold?.code ?? result?.error?.code ?? 'apply.failed', message: hold?.message ?? result?.error?.message ?? '', transient: hold?.transient ?? result?.error?.transient ?? true };
        failureOf.set(tenant, failure);
        tenantLog(tenant).warn(hold ? 'tenant held' : 'tenant failed', { code: failure.code, error: failure.message, transient: failure.transient });
      }
      deps.onTenantRecorded?.(tenant);
      return;
    }
    const desiredTenant = generation.get(tenant);
    let outcome: TenantOutcome;
    if (invalidTenants.has(tenant) && invalidCommit) {
      outcome = { kind: 'invalid', commit: invalidCommit, message: invalidTenants.get(tenant)! };
    } else if (hold?.code === WAITING_FOR_DOCKER) {
      outcome = { kind: 'waiting', commit, generation: tenantPlan.generation ?? '', reason: reasonFromCode(hold.code), message: hold.message };
      failureOf.set(tenant, { tenant, code: hold.code, message: hold.message, transient: true });
      tenantLog(tenant).info('tenant waiting for Docker', { code: hold.code, reason: hold.message });
    } else if (hold) {
      outcome = { kind: 'failed', commit, generation: tenantPlan.generation ?? '', code: hold.code, message: hold.message, transient: hold.transient, actions: [] };
      failureOf.set(tenant, { tenant, code: hold.code, message: hold.message, transient: hold.transient });
      tenantLog(tenant).warn('tenant held', { code: hold.code, error: hold.message, transient: hold.transient });
    } else if (result?.outcome !== 'failed' && pending.has(tenant)) {
      // The whole plan's entry: the runnable one has its at-window actions taken out.
      const full = fullPlanOf.get(tenant) ?? tenantPlan;
      const waiting = full.operation?.at === 'window' ? `upgrade ${full.operation.from} → ${full.operation.to}` : full.actions.filter((a) => a.at === 'window').map(describe).join(', ');
      outcome = { kind: 'waiting', commit, generation: tenantPlan.generation ?? '', reason: MAINTENANCE_WINDOW_REASON, message: `${pendingText(pending.get(tenant)!)}: ${waiting}` };
      tenantLog(tenant).info('tenant waits for its maintenance window', { opens_at: pending.get(tenant)!.toISOString(), waiting });
    } else if (result?.outcome === 'failed' && result.error) {
      outcome = { kind: 'failed', commit, generation: tenantPlan.generation ?? '', code: result.error.code, message: result.error.message, transient: result.error.transient, actions: result.done.map(describe) };
      failureOf.set(tenant, { tenant, code: result.error.code, message: result.error.message, transient: result.error.transient });
      tenantLog(tenant).warn('tenant failed', { code: result.error.code, error: result.error.message, transient: result.error.transient, actions: result.done.length });
    } else if (degradedOf.has(tenant) && (result === undefined || result.outcome === 'unchanged')) {
      // Nothing to change, but Swarm has not (re)placed every task: reported until they run again.
      const message = `degraded: ${degradedOf.get(tenant)!.join('; ')}`;
      outcome = { kind: 'failed', commit, generation: tenantPlan.generation ?? '', code: 'swarm.degraded', message, transient: true, actions: [] };
      failureOf.set(tenant, { tenant, code: 'swarm.degraded', message, transient: true });
      tenantLog(tenant).warn('tenant degraded', { code: 'swarm.degraded', error: message });
    } else {
      outcome = {
        kind: 'applied',
        commit,
        generation: tenantPlan.generation ?? desiredTenant?.generation ?? '',
        specHash: tenantPlan.specHash ?? desiredTenant?.specHash ?? '',
        suspended: desiredTenant?.suspended ?? false,
        actions: (result?.done ?? []).map(describe),
        enforcement: {
          ...(desiredTenant?.suspendedReason ? { suspendedReason: desiredTenant.suspendedReason } : {}),
          ...(desiredTenant?.throttle ? { throttle: desiredTenant.throttle } : {}),
        },
      };
      if (result?.outcome === 'applied') tenantLog(tenant).info('tenant applied', { audit: true, commit, actions: result.done.length });
    }
    await recordOutcome(recordCtx, tenant, previous.get(tenant), outcome);
    deps.onTenantRecorded?.(tenant);
  }

  // Tenants the gate held back apply nothing: their status is final now. The
  // others are recorded as each one's apply ends, so a tenant that is ready
  // shows Ready while slower ones still apply (not at the end of the pass).
  const runnableTenants = new Set(runnable.tenants.map((t) => t.tenant));
  for (const tenantPlan of plan.tenants) {
    if (!runnableTenants.has(tenantPlan.tenant)) await recordTenant(tenantPlan, undefined);
  }
  const planOf = new Map(runnable.tenants.map((t) => [t.tenant, t]));
  let recordError: unknown;
  const report = await applyPlan(runnable, deps.ports(good), {
    concurrency: deps.options.concurrency,
    retry: deps.options.retry,
    metrics: deps.metrics,
    onAction: (tenant, action, outcome, error) => {
      // Applied and failed changes are the audit trail: who (the controller, at this commit) changed what.
      const fields = { audit: true, commit: good.commit, action: describe(action), reason: action.reason };
      if (outcome === 'done') tenantLog(tenant).info('action applied', fields);
      else tenantLog(tenant).warn('action failed', { ...fields, error: errorText(error) });
    },
    onRetry: (tenant, action, error, attempt, delayMs) => {
      tenantLog(tenant).info('action retrying', { action: describe(action), attempt, delay_ms: delayMs, error: errorText(error) });
    },
    onTenant: async (result) => {
      try {
        await recordTenant(planOf.get(result.tenant)!, result);
      } catch (error) {
        recordError ??= error;
      }
    },
  });
  if (recordError !== undefined) throw recordError;

  if (deps.upgrades && upgradeView && diverted.start.length > 0) {
    const started = await deps.upgrades.start(diverted.start.filter((u) => !held.some((h) => h.tenant === u.tenant) && !pending.has(u.tenant)), upgradeView);
    if (started.length > 0) log.info('upgrades started', { operations: started });
  }
  // In plan order, whatever order the tenants finished in.
  const failures: ReconcileResult['failures'] = plan.tenants.flatMap((t) => {
    const failure = failureOf.get(t.tenant);
    return failure ? [failure] : [];
  });

  const total = desired.tenants.length;
  const failedTenants = new Set(failures.map((f) => f.tenant));
  const appliedCount = desired.tenants.filter((t) => !failedTenants.has(t.name)).length;
  // Transient failures are retried with backoff: the commit stays pending until they clear or one turns terminal.
  const opens = [...pending.values()].sort((a, b) => a.getTime() - b.getTime())[0];
  const status = failures.length === 0 && opens
    ? { state: 'pending' as const, description: `${pending.size === 1 ? '1 tenant waits' : `${pending.size} tenants wait`} for a maintenance window (next opens ${formatWindowTime(opens)}); the rest applied` }
    : passStatus(appliedCount, total, failures);
  await deps.commitStatus.report({ commit: good.commit, ...status });
  const changed = report.tenants.some((t) => t.done.length > 0);
  // The commit counts as applied when every tenant is at it, and also when this
  // pass applied it to some tenants while others wait or fail: those show on
  // rp9_tenant_ready, and the timestamp must not stay at 0 meanwhile.
  const appliedSome = report.tenants.some((t) => t.outcome === 'applied' && t.done.length > 0);
  if (failures.length === 0 || appliedSome) recordAppliedCommit(deps.metrics, good.commit, new Date());
  const kind: ReconcileResultKind = failures.length > 0 ? 'failed' : changed ? 'applied' : 'noop';
  return finish({
    kind,
    commit: good.commit,
    ...(invalidCommit ? { invalidCommit } : {}),
    plan,
    failures,
    retrySoon: failures.some((f) => f.transient) || tracked.kind === 'unreachable',
  });
}
