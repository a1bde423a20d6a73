// The Docker-runtime features not built for the Swarm runtime refuse clearly
// before they change anything: one stable code, `swarm.not-supported`, and a
// message naming the feature (docs/scale-out.md#limits). Pure.
import type { Platform } from '../../config/types.js';
import { OperationError } from '../operations/kind.js';

export const NOT_ON_SWARM = 'swarm.not-supported';

/** What refuses on a swarm; each runs containers, or `docker exec` in a tenant's main container, on one engine. */
export type SingleEngineFeature = 'restore sandboxes and drills' | 'in-place restores' | 'promotions';

/** The refusal, or undefined when the platform runs on one engine. */
export function notOnSwarm(platform: Pick<Platform, 'spec'>, feature: SingleEngineFeature): OperationError | undefined {
  if (platform.spec.runtime !== 'swarm') return undefined;
  return new OperationError(NOT_ON_SWARM, `${feature} are not built for the Swarm runtime (platform.yaml spec.runtime: swarm); nothing was changed (docs/scale-out.md#limits)`);
}

/** Throws the refusal on a swarm. */
export function refuseOnSwarm(platform: Pick<Platform, 'spec'>, feature: SingleEngineFeature): void {
  const refusal = notOnSwarm(platform, feature);
  if (refusal) throw refusal;
}
