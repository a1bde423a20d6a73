// What to do with one Swarm service rp9 wants, given the one that exists.
// Every change is one service update: Swarm rolls the tasks itself (no
// recreate), so scaling workers is a replica change, not new containers.
import { specFieldChanges } from './spec-changes.js';
import { type Action, type DesiredService, type FieldChange, type ObservedService } from '../model.js';

/** Why the spec differs: changed outside rp9 (drift), changed in git, or nothing about the spec. */
function specChanges(desired: DesiredService, observed: ObservedService): FieldChange[] {
  if (observed.drifted) return [{ field: 'spec', from: '(changed outside rp9)', to: desired.hash }];
  if (observed.hash === desired.hash && observed.image === desired.image) return [];
  return specFieldChanges(desired, observed);
}

function reasonFor(desired: DesiredService, observed: ObservedService, spec: FieldChange[], replicasChanged: boolean): string {
  if (observed.drifted) return 'service spec changed outside rp9';
  if (spec.length > 0) return 'configuration changed';
  if (replicasChanged && desired.replicas === 0) return 'tenant is suspended';
  if (replicasChanged && observed.replicas === 0) return 'tenant resumes';
  if (replicasChanged && desired.role === 'worker') return `workers ${observed.replicas} → ${desired.replicas}`;
  if (replicasChanged) return `replicas ${observed.replicas} → ${desired.replicas}`;
  return 'resources change in place';
}

/**
 * One update carrying every field that differs; nothing when the service
 * matches. Downtime when main stops serving for it: a suspend, or a rolling
 * change with stop-first (a fixed host port).
 */
export function diffService(desired: DesiredService, observed: ObservedService, out: Action[]): void {
  const changes = specChanges(desired, observed);
  const replicasChanged = observed.replicas !== desired.replicas;
  if (replicasChanged) changes.push({ field: 'replicas', from: observed.replicas, to: desired.replicas });
  const resourcesChanged = observed.cpu !== desired.cpu || observed.memoryMb !== desired.memoryMb;
  if (observed.cpu !== desired.cpu) changes.push({ field: 'cpu', from: observed.cpu, to: desired.cpu });
  if (observed.memoryMb !== desired.memoryMb) changes.push({ field: 'memoryMb', from: observed.memoryMb, to: desired.memoryMb });
  if (changes.length === 0) return;
  const serving = desired.role === 'main' && observed.replicas > 0;
  const rolled = changes.some((c) => c.field !== 'replicas') || resourcesChanged;
  const downtime = serving && (desired.replicas === 0 || (rolled && desired.updateOrder === 'stop-first'));
  const reason = reasonFor(desired, observed, changes.filter((c) => c.field !== 'replicas' && c.field !== 'cpu' && c.field !== 'memoryMb'), replicasChanged);
  out.push({ op: 'update', kind: 'service', name: desired.name, tenant: desired.tenant, reason, changes, downtime, desired, observed });
}
