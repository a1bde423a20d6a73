// Errors of the Swarm edge. `code` is stable and greppable; the tenant's
// status reason is its last part in PascalCase (`swarm.no-capacity-in-region`
// → `NoCapacityInRegion`, see controller/reconcile/tenant-status.ts).
export type SwarmErrorCode =
  | 'swarm.no-capacity-in-region'
  | 'swarm.degraded'
  | 'swarm.not-converged'
  | 'swarm.not-managed'
  | 'swarm.invalid-config'
  | 'swarm.unavailable';

export class SwarmError extends Error {
  readonly code: SwarmErrorCode;
  readonly retry: 'transient' | 'terminal';
  constructor(code: SwarmErrorCode, retry: 'transient' | 'terminal', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwarmError';
    this.code = code;
    this.retry = retry;
  }
}
