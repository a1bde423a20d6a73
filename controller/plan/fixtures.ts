// Observed states for tests and benches.
import type { ObservedState } from '../model.js';
import { ALL_AVAILABLE } from './converged-observed.js';

export { ALL_AVAILABLE, convergedObserved, observedFrom } from './converged-observed.js';

export const NOTHING_OBSERVED: ObservedState = { availability: ALL_AVAILABLE, resources: [] };
