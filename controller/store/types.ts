// Public record types of the state store.
import type { TenantPhase } from '../model.js';

export type { TenantPhase };

export type ConditionType = 'Ready' | 'Reconciling' | 'Stalled' | 'Restorable' | 'Throttled' | 'Suspended';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  /** PascalCase, machine-readable: `Applied`, `ImagePullFailed`. */
  reason: string;
  message: string;
  lastTransitionTime: Date;
}

/** What a caller sets; `lastTransitionTime` is kept or stamped by setCondition. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: Date };

export interface TenantStatus {
  tenant: string;
  phase: TenantPhase;
  conditions: Condition[];
  observedCommit: string | null;
  observedGeneration: string | null;
  appliedSpecHash: string | null;
  appliedCommit: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields to change; omitted fields keep their value, `null` clears one. */
export interface TenantStatusUpdate {
  phase?: TenantPhase;
  /** Each is merged with setCondition (the transition time moves only when the status changes). */
  conditions?: ConditionInput[];
  observedCommit?: string | null;
  observedGeneration?: string | null;
  appliedSpecHash?: string | null;
  appliedCommit?: string | null;
}

export type EventType = 'Normal' | 'Warning';

export interface StoreEvent {
  id: number;
  time: Date;
  tenant: string | null;
  type: EventType;
  reason: string;
  message: string;
  /** `controller`, `bot:autoscale`, `cli:<user>`. */
  actor: string;
  commit: string | null;
  correlationId: string | null;
  data: Record<string, unknown>;
}

export interface EventInput {
  tenant?: string | null;
  type: EventType;
  reason: string;
  message: string;
  actor: string;
  commit?: string | null;
  correlationId?: string | null;
  /** Must not contain secret values: events are shown by `rp9 status`. */
  data?: Record<string, unknown>;
}

export interface EventQuery {
  /** A tenant's events; `null` for platform events (no tenant); omitted for all. */
  tenant?: string | null;
  correlationId?: string;
  /** Only events at or after this time. */
  since?: Date;
  /** Newest first; default 20, at most 1000. */
  limit?: number;
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'rolled-back';
export type OperationStatus = 'running' | 'done' | 'failed' | 'rolled-back';

export interface OperationStep {
  name: string;
  status: StepStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

export interface Operation {
  id: string;
  tenant: string;
  /** `promotion`, `upgrade`, `restore`, ... */
  kind: string;
  status: OperationStatus;
  steps: OperationStep[];
  /** Index into steps of the step in progress (or the failed one); steps.length when done. */
  currentStep: number;
  state: Record<string, unknown>;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
  /** Null while running, and after a failure until it is rolled back or abandoned. */
  finishedAt: Date | null;
}

export interface OperationStart {
  tenant: string;
  kind: string;
  /** Step names in order, at least one, unique. */
  steps: string[];
  state?: Record<string, unknown>;
  /** Defaults to a random UUID. */
  id?: string;
}

export interface Lease {
  name: string;
  holder: string;
  acquiredAt: Date;
  renewedAt: Date;
  expiresAt: Date;
}

export interface LeaseResult {
  /** True when the caller holds the lease now. */
  leader: boolean;
  /** The current holder (the caller when leader), undefined when nobody holds it. */
  holder: string | undefined;
  /** When the current holder's lease expires (database clock). */
  expiresAt: Date | undefined;
}
