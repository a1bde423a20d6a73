// `rp9 status [tenant]`: what the controller last recorded, read from the
// state store (DATABASE_URL, or the embedded store in --state-dir).
import { MAINTENANCE_WINDOW_REASON, pendingOf } from '../../controller/maintenance/windows.js';
import { resolve } from 'node:path';
import { EXIT_INVALID, EXIT_OK, UsageError, helpOption, outputFormat, type Command, type CommandIo } from '../command.js';
import { DEFAULT_STATE_DIR, embeddedStoreExists, openStore, type StoreOptions } from '../../controller/store/store.js';
import type { Operation, StoreEvent, TenantStatus } from '../../controller/store/types.js';
import { promotionView, type PromotionView } from '../../controller/promotion/views.js';
import type { SharedMember } from '../../controller/store/shared-members-repo.js';
import { memberFields } from '../../controller/shared-tenants/member-fields.js';
import { resourceRows } from './status-resources.js';
import { UPGRADE_KIND } from '../../controller/upgrades/live-colour.js';
import { upgradeSummary } from '../../controller/upgrades/upgrade-summary.js';
import { upgradeView } from '../../controller/upgrades/upgrade-view.js';
import { periodLine, readUsage, usageCell, usageRows, type TenantUsageView, type UsageRead } from './status-usage.js';

const RECENT_EVENTS = 10;

export interface TenantDetail {
  status: TenantStatus;
  operations: Operation[];
  events: StoreEvent[];
  /** The tenant's promotion in progress: phase migrating, its step and elapsed freeze. */
  promotion?: PromotionView;
  /** The tenant's newest blue/green upgrade: one line (step of a running one, or the last result) and the journal's view. */
  upgrade?: { summary: string; operation: ReturnType<typeof upgradeView> };
  /** A shared tenant's member on the shared n8n, when rp9 made one. */
  member?: SharedMember;
  /** Usage against the plan's limits (RP9_PROMETHEUS_URL): the figures, or why there are none. */
  usage?: TenantUsageView | { unavailable: string };
}

export const statusCommand: Command = {
  name: ['status'],
  summary: 'Show the status the controller recorded, for all tenants or one',
  args: '[tenant]',
  description: [
    'Reads the state store only: PostgreSQL when DATABASE_URL is set, otherwise the',
    'embedded store in the state directory. Nothing is changed.',
    '',
    'With RP9_PROMETHEUS_URL (or --prometheus), usage too: executions this billing',
    'period, peak concurrent executions and API calls over the last hour, storage',
    '(the enforcement bot\'s read), against the plan\'s limits when --dir (default .)',
    'holds the config (platform.yaml and tenants/); for one dedicated tenant also its',
    'CPU and memory against its allocation.',
  ].join('\n'),
  options: {
    output: { type: 'string', short: 'o', default: 'text', valueName: 'text|json', description: 'Output format' },
    'state-dir': { type: 'string', default: DEFAULT_STATE_DIR, valueName: 'dir', description: 'State directory of the embedded store' },
    prometheus: { type: 'string', valueName: 'url', description: 'Prometheus to read usage from (default RP9_PROMETHEUS_URL)' },
    dir: { type: 'string', default: '.', valueName: 'dir', description: 'Config directory with the plans\' limits (usage only)' },
    ...helpOption,
  },
  async run({ values, positionals }, io) {
    const format = outputFormat(values, ['text', 'json']);
    if (positionals.length > 1) throw new UsageError(`expected at most one tenant (got ${positionals.join(', ')})`);
    const tenant = positionals[0];
    const stateDir = resolve(io.cwd, String(values['state-dir'] ?? DEFAULT_STATE_DIR));
    const databaseUrl = io.env.DATABASE_URL?.trim();
    if (!databaseUrl && !embeddedStoreExists(stateDir)) {
      return printEmpty(io, format, `no state store in ${stateDir}`, tenant);
    }
    const options: StoreOptions = databaseUrl ? { databaseUrl } : { dir: stateDir };
    const prometheusUrl = (typeof values.prometheus === 'string' ? values.prometheus : io.env.RP9_PROMETHEUS_URL)?.trim() || undefined;
    const usage = prometheusUrl ? readUsage(prometheusUrl, resolve(io.cwd, String(values.dir ?? '.')), new Date()) : undefined;
    const store = await openStore({ ...options, notify: (message) => io.stderr.write(`rp9: ${message}\n`) });
    try {
      const backend = store.backend.description;
      if (tenant === undefined) {
        const tenants = await store.status.list();
        if (tenants.length === 0) return printEmpty(io, format, backend, undefined);
        const read = await usage;
        const byTenant = read?.kind === 'read' ? read.byTenant : undefined;
        const now = new Date();
        const newest = await store.operations.latestByKind(UPGRADE_KIND);
        const upgrades = new Map(newest.map((o) => [o.tenant, upgradeSummary(o, now)]));
        if (format === 'json') {
          const upgradesJson = newest.length > 0 ? { upgrades: Object.fromEntries(newest.map((o) => [o.tenant, { summary: upgrades.get(o.tenant), operation: upgradeView(o) }])) } : {};
          io.stdout.write(`${JSON.stringify({ backend, tenants, ...upgradesJson, ...(read ? { usage: usageJson(read) } : {}) }, null, 2)}\n`);
          return EXIT_OK;
        }
        io.stdout.write(renderStatusTable(tenants, now, byTenant, upgrades));
        if (read?.kind === 'unavailable') io.stdout.write(`Usage unavailable: ${read.reason}\n`);
        return EXIT_OK;
      }
      const status = await store.status.get(tenant);
      if (!status) {
        const known = (await store.status.list()).map((s) => s.tenant);
        if (known.length === 0) return printEmpty(io, format, backend, tenant);
        io.stderr.write(`rp9 status: no status recorded for tenant "${tenant}" in ${backend} (known: ${known.join(', ')})\n`);
        return EXIT_INVALID;
      }
      const operations = await store.operations.listUnfinished(tenant);
      const promoting = operations.find((o) => o.kind === 'promotion');
      const upgrade = (await store.operations.list(tenant, 100)).find((o) => o.kind === UPGRADE_KIND);
      const detail: TenantDetail = {
        status: promoting ? { ...status, phase: 'migrating' } : status,
        operations,
        events: await store.events.recent({ tenant, limit: RECENT_EVENTS }),
        ...(promoting ? { promotion: promotionView(promoting, new Date()) } : {}),
        ...(upgrade ? { upgrade: { summary: upgradeSummary(upgrade, new Date()), operation: upgradeView(upgrade) } } : {}),
      };
      const member = await store.sharedMembers.get(tenant);
      if (member) detail.member = member;
      const read = await usage;
      if (read) detail.usage = read.kind === 'read' ? (read.byTenant.get(tenant) ?? { unavailable: `Prometheus ${read.prometheus} has no usage figures for ${tenant}` }) : { unavailable: read.reason };
      io.stdout.write(format === 'json' ? `${JSON.stringify({ backend, ...detail }, null, 2)}\n` : renderTenantDetail(detail, new Date()));
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

function printEmpty(io: CommandIo, format: string, where: string, tenant: string | undefined): number {
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ backend: where, tenants: [] }, null, 2)}\n`);
  } else {
    const subject = tenant === undefined ? 'no tenant has a' : `tenant "${tenant}" has no`;
    io.stdout.write(`Nothing has been applied yet: ${subject} recorded status (${where}).\n`);
  }
  return EXIT_OK;
}

/** The usage part of the JSON output: per tenant its figures and limit statuses, or why there are none. */
function usageJson(read: UsageRead): Record<string, unknown> {
  if (read.kind === 'unavailable') return { unavailable: read.reason };
  return { prometheus: read.prometheus, limitsFrom: read.limitsFrom ?? null, tenants: Object.fromEntries([...read.byTenant].map(([tenant, view]) => [tenant, { figures: view.figures, limits: view.limits, ...(view.resources ? { resources: view.resources } : {}), ...(view.allocation ? { allocation: view.allocation } : {}) }])) };
}

/** The all-tenants table: tenant, phase, Ready, reason, applied commit (short), updated; with usage, the limit nearest its allowance; with upgrades (any tenant has one), each tenant's newest upgrade last. */
export function renderStatusTable(tenants: readonly TenantStatus[], now: Date, usage?: ReadonlyMap<string, TenantUsageView>, upgrades?: ReadonlyMap<string, string>): string {
  const withUpgrades = upgrades !== undefined && upgrades.size > 0;
  const rows = tenants.map((s) => {
    const ready = s.conditions.find((c) => c.type === 'Ready');
    // A downtime change waiting for the tenant's window reads `Pending (window opens <time>)`, not a bare reason.
    const reason = ready?.reason === MAINTENANCE_WINDOW_REASON ? pendingOf(ready.message) : (ready?.reason ?? '-');
    const row = [s.tenant, s.phase, ready?.status ?? '-', reason, shortCommit(s.appliedCommit), when(s.updatedAt, now), ...(withUpgrades ? [upgrades.get(s.tenant) ?? '-'] : [])];
    return usage ? [...row.slice(0, 4), usageCell(usage.get(s.tenant)), ...row.slice(4)] : row;
  });
  const header = ['TENANT', 'PHASE', 'READY', 'REASON', 'APPLIED', 'UPDATED', ...(withUpgrades ? ['UPGRADE'] : [])];
  return table(usage ? [...header.slice(0, 4), 'USAGE', ...header.slice(4)] : header, rows);
}

/** One tenant: phase, conditions, last applied commit, spec hash, operations in progress, recent events. */
export function renderTenantDetail(detail: TenantDetail, now: Date): string {
  const { status, operations, events } = detail;
  const fields: [string, string][] = [
    ['Tenant', status.tenant],
    ['Phase', status.phase],
    ['Applied commit', status.appliedCommit ?? '(none yet)'],
    ['Spec hash', status.appliedSpecHash ?? '(none yet)'],
    ['Observed commit', status.observedCommit ?? '-'],
    ['Generation', status.observedGeneration ?? '-'],
    ['Updated', when(status.updatedAt, now)],
    ...(detail.promotion ? [['Promotion', `operation ${detail.promotion.operationId}, step ${detail.promotion.step ?? '-'}, freeze ${detail.promotion.freezeSeconds.toFixed(0)} s`] as [string, string]] : []),
    ...(detail.upgrade ? [['Upgrade', `${detail.upgrade.summary} (operation ${detail.upgrade.operation.id}; rp9 tenant upgrade-status ${status.tenant})`] as [string, string]] : []),
    ...(detail.member ? memberFields(detail.member) : []),
  ];
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  const out = fields.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${clean(v)}`);
  out.push('', 'Conditions:');
  out.push(
    status.conditions.length === 0
      ? '  (none)'
      : indent(table(['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], status.conditions.map((c) => [c.type, c.status, c.reason, when(c.lastTransitionTime, now), c.message]))),
  );
  if (detail.usage) {
    out.push('', 'Usage:');
    if ('unavailable' in detail.usage) out.push(`  (unavailable: ${clean(detail.usage.unavailable)})`);
    else {
      const rows = usageRows(detail.usage);
      out.push(rows.length === 0 ? '  (no figures)' : indent(table(['LIMIT', 'USED', 'ALLOWED', 'PERCENT', 'LEVEL'], rows)));
      const period = periodLine(detail.usage);
      if (period) out.push(`  ${period}`);
      const resources = detail.usage.resources ? resourceRows(detail.usage.resources, detail.usage.allocation) : [];
      if (resources.length > 0) out.push('', 'Allocation:', indent(table(['RESOURCE', 'USED', 'ALLOCATED', 'PERCENT'], resources)));
    }
  }
  if (operations.length > 0) {
    out.push('', 'Operations in progress:');
    out.push(indent(table(['KIND', 'ID', 'STATUS', 'STEP', 'STARTED'], operations.map((o) => [o.kind, o.id, o.status, stepLabel(o), when(o.startedAt, now)]))));
  }
  out.push('', 'Recent events:');
  out.push(events.length === 0 ? '  (none)' : indent(renderEventTable(events, now)));
  return `${out.join('\n')}\n`;
}

/** Events as a table: time, type, reason, actor, commit, message (one line each). */
export function renderEventTable(events: readonly StoreEvent[], now: Date): string {
  return table(['TIME', 'TYPE', 'REASON', 'ACTOR', 'COMMIT', 'MESSAGE'], events.map((e) => [when(e.time, now), e.type, e.reason, e.actor, shortCommit(e.commit), e.message]));
}

function stepLabel(op: Operation): string {
  const step = op.steps[Math.min(op.currentStep, op.steps.length - 1)];
  return `${Math.min(op.currentStep + 1, op.steps.length)}/${op.steps.length} ${step?.name ?? '-'} (${step?.status ?? '-'})`;
}

function shortCommit(commit: string | null): string {
  return commit ? commit.slice(0, 7) : '-';
}

/** `2026-03-01 10:00:00Z (5m ago)`. */
function when(time: Date, now: Date): string {
  const stamp = `${time.toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return `${stamp} (${ago(now.getTime() - time.getTime())})`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** One line, no control characters: messages come from the store and must not steer the terminal. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows.map((r) => r.map(clean))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const lines = cells.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  return `${lines.join('\n')}\n`;
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
}
