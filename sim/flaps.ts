// Flaps: a resource change reversed within the stabilisation window. Pure.

export interface ResourceChangeRecord {
  /** Epoch ms the change merged. */
  at: number;
  resource: 'cpu' | 'memoryMb' | 'workers';
  from: number;
  to: number;
}

/**
 * Counts changes that go the opposite way of the same resource's previous
 * change less than `windowMs` after it (up then down, or down then up).
 * `changes` are one tenant's, in merge order.
 */
export function countFlaps(changes: readonly ResourceChangeRecord[], windowMs: number): number {
  const last = new Map<ResourceChangeRecord['resource'], ResourceChangeRecord>();
  let flaps = 0;
  for (const change of changes) {
    if (change.to === change.from) continue;
    const previous = last.get(change.resource);
    if (previous && Math.sign(change.to - change.from) !== Math.sign(previous.to - previous.from) && change.at - previous.at < windowMs) flaps += 1;
    last.set(change.resource, change);
  }
  return flaps;
}
