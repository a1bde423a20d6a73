// Which colour of a dedicated tenant's stack is live, read from the journal:
// the tenant's newest upgrade operation says it. The route moves in the
// `swap` step, so the live colour is the new one exactly while that step is
// done (not undone); a tenant that never upgraded is green. Pure.
import type { Colour } from '../compile/names.js';
import type { Operation } from '../store/types.js';

/** What an upgrade operation journals when it starts (the reconcile hook writes it). */
export interface UpgradeInput {
  fromVersion: string;
  toVersion: string;
  fromColour: Colour;
  toColour: Colour;
}

export const UPGRADE_KIND = 'upgrade';
export const SWAP_STEP = 'swap';

export function upgradeInput(op: Operation): UpgradeInput {
  return op.state as unknown as UpgradeInput;
}

/** The colour the route points at according to one upgrade operation. */
export function routedColour(op: Operation): Colour {
  const input = upgradeInput(op);
  const swap = op.steps.find((s) => s.name === SWAP_STEP);
  return swap?.status === 'done' ? input.toColour : input.fromColour;
}

/** Live colour per tenant from each tenant's newest upgrade (`OperationsApi.latestByKind`); absent tenants are green. */
export function liveColours(latest: readonly Operation[]): Map<string, Colour> {
  const colours = new Map<string, Colour>();
  for (const op of latest) {
    if (op.kind !== UPGRADE_KIND) continue;
    colours.set(op.tenant, routedColour(op));
  }
  return colours;
}
