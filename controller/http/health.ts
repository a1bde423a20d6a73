// Pure rules that turn a readiness snapshot into /readyz and /health/detailed answers.
//
// Readiness rule: ready ⇔ the database is up AND the role is known (leader or standby).
// Docker, git and the tenant database server do not gate readiness: without Docker
// the controller still serves webhooks and the status page and applies what needs
// no Docker (routes of shared tenants), while dedicated tenants wait for Docker
// ("waiting-for-docker" mode); without git it keeps the last applied state; without
// the tenant database server only dedicated tenants stall. All are reported so
// probes and humans see them.
import { loadavg } from 'node:os';
import { redactString } from '../../kernel/log/redact.js';
import type { DepState, DepStatus, Readiness } from './types.js';

/** apply: everything is applied; waiting-for-docker: routes are applied, tenants that need Docker wait for it. */
export type OperatingMode = 'apply' | 'waiting-for-docker';

export interface ReadyzBody {
  ready: boolean;
  role: Readiness['role'];
  mode: OperatingMode;
  database: boolean;
  docker: boolean;
  git: boolean;
  /** The tenant database server answers (false when down or not configured). */
  tenantDatabase: boolean;
  /**
   * The container-side PostgreSQL and Redis addresses: true when both answered
   * a probe from a container, false when one did not (see `problems`),
   * 'not-probed' while no probe could run yet (no Docker, the n8n image not on
   * the engine yet): unknown, not unreachable.
   */
  containerAddresses: boolean | 'not-probed';
  /** Stable codes of what is wrong now, e.g. `settings.container-address-unreachable`; absent when nothing is. */
  problems?: string[];
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface DependencyReport {
  /** 'not-probed': the container addresses were not probed yet (a 'disabled' state of them). */
  status: DepStatus | 'not-probed';
  latencyMs?: number;
  error?: string;
}

export interface SystemInfo {
  uptimeSeconds: number;
  memory: { rss: number; heapUsed: number; heapTotal: number };
  loadavg: number[];
  node: string;
  pid: number;
  version: string;
}

export interface HealthReport {
  status: HealthStatus;
  role: Readiness['role'];
  mode: OperatingMode;
  dependencies: { database: DependencyReport; docker: DependencyReport; git: DependencyReport; tenantDatabase: DependencyReport; containerAddresses: DependencyReport };
  system: SystemInfo;
}

export function operatingMode(readiness: Readiness): OperatingMode {
  return readiness.docker.status === 'up' ? 'apply' : 'waiting-for-docker';
}

export function readyz(readiness: Readiness): ReadyzBody {
  return {
    ready: readiness.database.status === 'up' && readiness.role !== 'unknown',
    role: readiness.role,
    mode: operatingMode(readiness),
    database: readiness.database.status === 'up',
    docker: readiness.docker.status === 'up',
    git: readiness.git.status === 'up',
    tenantDatabase: tenantDatabase(readiness).status === 'up',
    containerAddresses: addressesFlag(containerAddresses(readiness)),
    ...(problemCodes(readiness).length > 0 ? { problems: problemCodes(readiness) } : {}),
  };
}

function tenantDatabase(readiness: Readiness): DepState {
  return readiness.tenantDatabase ?? { status: 'disabled' };
}

function containerAddresses(readiness: Readiness): DepState {
  return readiness.containerAddresses ?? { status: 'disabled', error: NOT_PROBED };
}

/** The reason of a container-address state before any probe could run. */
export const NOT_PROBED = 'not probed yet';

function addressesFlag(state: DepState): ReadyzBody['containerAddresses'] {
  if (state.status === 'disabled') return 'not-probed';
  return state.status === 'up';
}

/** The `area.kebab-code` a down dependency's error starts with, when it has one. */
function problemCodes(readiness: Readiness): string[] {
  const state = containerAddresses(readiness);
  const code = state.status === 'down' ? /^([a-z]+\.[a-z0-9-]+):/.exec(state.error ?? '')?.[1] : undefined;
  return code ? [code] : [];
}

/** unhealthy: database down; degraded: docker, git, the tenant database server or the container addresses down, or role unknown; healthy otherwise ('disabled' and 'not-probed' are not faults). */
export function healthStatus(readiness: Readiness): HealthStatus {
  if (readiness.database.status !== 'up') return 'unhealthy';
  if (readiness.docker.status === 'down' || readiness.git.status === 'down' || tenantDatabase(readiness).status === 'down' || containerAddresses(readiness).status === 'down' || readiness.role === 'unknown') return 'degraded';
  return 'healthy';
}

export function healthReport(readiness: Readiness, system: SystemInfo): HealthReport {
  return {
    status: healthStatus(readiness),
    role: readiness.role,
    mode: operatingMode(readiness),
    dependencies: { database: dependency(readiness.database), docker: dependency(readiness.docker), git: dependency(readiness.git), tenantDatabase: dependency(tenantDatabase(readiness)), containerAddresses: addressesDependency(containerAddresses(readiness)) },
    system,
  };
}

/** Readiness to report when the probe itself failed or timed out. */
export function unknownReadiness(error: string): Readiness {
  const down: DepState = { status: 'down', error };
  return { role: 'unknown', database: down, docker: down, git: down, tenantDatabase: down };
}

export function systemInfo(version: string): SystemInfo {
  const memory = process.memoryUsage();
  return {
    uptimeSeconds: Math.round(process.uptime()),
    memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
    loadavg: loadavg().map((n) => Math.round(n * 100) / 100),
    node: process.version,
    pid: process.pid,
    version,
  };
}

/** The addresses are never disabled on purpose: 'disabled' there means not probed yet, and says so. */
function addressesDependency(state: DepState): DependencyReport {
  const report = dependency(state);
  return state.status === 'disabled' ? { ...report, status: 'not-probed' } : report;
}

function dependency(state: DepState): DependencyReport {
  const report: DependencyReport = { status: state.status };
  if (state.latencyMs !== undefined) report.latencyMs = Math.round(state.latencyMs * 10) / 10;
  if (state.error !== undefined) report.error = redactString(state.error).slice(0, 300);
  return report;
}
