// Contracts of the per-tenant collector: what it is asked to measure, the
// narrow I/O edges it reads through, and the stable codes of its failures.
import type { ContainerUsage } from './docker-stats.js';
import type { ExecutionActivity } from './executions.js';
import type { StorageReading } from './storage.js';
import type { SubscriptionPeriod } from '../../kernel/billing/billing-period.js';

/** A tenant to measure; mode decides where its executions live and whether it has containers. */
export interface TelemetryTarget {
  tenant: string;
  mode: 'shared' | 'dedicated';
  plan: string;
  /**
   * The current period of the tenant's Stripe subscription as the store last
   * saw it (bots/enforcement/subscription-period.ts); without it the
   * executions are counted over the calendar month (UTC).
   */
  subscriptionPeriod?: SubscriptionPeriod;
}

/** The instants an execution read covers: rows of [windowStart, now], the count since periodStart (the tenant's billing period). */
export interface ExecutionQuery {
  now: Date;
  windowStart: Date;
  periodStart: Date;
  /**
   * Earlier than windowStart when set: also the rows started since then (the
   * queue-wait histogram's mark after failed passes), so none is skipped.
   */
  startedSince?: Date;
}

/**
 * The edges. Each must give up when `signal` aborts (the collector aborts it
 * on the tenant's timeout); an absent edge means "not measured" for every tenant.
 */
export interface TelemetrySources {
  /** A dedicated tenant's running containers with one stats read each. */
  containerUsage?(tenant: string, signal: AbortSignal): Promise<ContainerUsage[]>;
  /** The tenant's executions, from its own database (dedicated) or its project on the shared instance. */
  executions?(target: TelemetryTarget, query: ExecutionQuery, signal: AbortSignal): Promise<ExecutionActivity>;
  /** The bytes the tenant's data takes: its database and volumes (dedicated) or its project's rows (shared). */
  storage?(target: TelemetryTarget, signal: AbortSignal): Promise<StorageReading>;
}

export type TelemetryErrorCode =
  | 'telemetry.timeout'
  | 'telemetry.docker-failed'
  | 'telemetry.executions-failed'
  | 'telemetry.storage-failed'
  | 'telemetry.no-project'
  | 'telemetry.project-lookup-failed'
  | 'telemetry.project-conflict'
  | 'telemetry.rows-truncated';

export interface TelemetryIssue {
  tenant: string;
  code: TelemetryErrorCode;
  message: string;
}

/** Thrown by the edges when the failure has a code of its own (e.g. no project for a shared tenant). */
export class TelemetryError extends Error {
  readonly code: TelemetryErrorCode;
  constructor(code: TelemetryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TelemetryError';
    this.code = code;
  }
}
