// The `sandbox-remove` operation (DELETE /sandboxes/:id): a restore sandbox
// removed before its TTL by the leader, with the sandbox stack the sweep uses
// (sandbox-stack.ts remove: containers, route, volume, database and role,
// secrets). Journaled under the sandbox's name with state.sandbox set, so the
// sweep counts it busy and never removes it at the same time. Only a name
// that is a sandbox's and that the inventory shows with rp9's sandbox owner
// label (rp9.io/sandbox-of) is removed; a restore or drill still working on
// it fails the operation (sandbox.busy). One step; removing is idempotent,
// so it is run again after a crash; nothing to undo.
import type { SandboxInventoryEntry } from '../sandbox/sandbox.js';
import { isSandboxName } from '../sandbox/sandbox.js';
import type { SandboxStack } from '../sandbox/sandbox-stack.js';
import type { OperationsApi } from '../store/operations-repo.js';
import type { EventInput, Operation } from '../store/types.js';
import { OperationError, type OperationKind } from './kind.js';

export const SANDBOX_REMOVE_KIND = 'sandbox-remove';

export interface SandboxRemoveDeps {
  stack(): Pick<SandboxStack, 'inventory' | 'remove'>;
  operations: Pick<OperationsApi, 'listUnfinished'>;
  events: { record(event: EventInput): Promise<unknown> };
}

/** The sandbox if the inventory has it with rp9's owner label; a name that is not a sandbox's is never looked up. */
export function ownedSandbox(inventory: readonly SandboxInventoryEntry[], name: string): SandboxInventoryEntry | undefined {
  if (!isSandboxName(name)) return undefined;
  return inventory.find((s) => s.name === name && s.of !== undefined);
}

/** Unfinished operations (other than `except`) working on the sandbox: a restore or drill names it in state.sandbox. */
export function sandboxBusyWith(unfinished: readonly Operation[], name: string, except?: string): Operation[] {
  return unfinished.filter((op) => op.id !== except && op.kind !== SANDBOX_REMOVE_KIND && op.state.sandbox === name);
}

function removeInput(state: Readonly<Record<string, unknown>>): { sandbox: string; actor: string } {
  const { sandbox, actor } = state;
  if (typeof sandbox !== 'string' || !isSandboxName(sandbox) || typeof actor !== 'string') throw new OperationError('sandbox.invalid-input', 'a sandbox-remove needs a sandbox name and actor in its state');
  return { sandbox, actor };
}

export const sandboxRemoveKind: OperationKind<SandboxRemoveDeps> = {
  name: SANDBOX_REMOVE_KIND,
  deadlineSeconds: 600,
  steps: [
    {
      name: 'remove',
      timeoutSeconds: 540,
      async run(ctx) {
        const { sandbox, actor } = removeInput(ctx.state);
        const busy = sandboxBusyWith(await ctx.deps.operations.listUnfinished(), sandbox, ctx.operation.id);
        if (busy.length > 0) throw new OperationError('sandbox.busy', `sandbox ${sandbox} is in use by ${busy.map((op) => `${op.kind} ${op.id}`).join(', ')}; nothing was removed`);
        const stack = ctx.deps.stack();
        const entry = ownedSandbox(await stack.inventory(), sandbox);
        // Gone already (the sweep, or this step before a crash): nothing left to do.
        if (!entry) return { removed: [] };
        await stack.remove(sandbox);
        await ctx.deps.events.record({ tenant: entry.of ?? sandbox, type: 'Normal', reason: 'SandboxRemoved', message: `sandbox ${sandbox} removed before its TTL${entry.expiresAt ? ` (${entry.expiresAt.toISOString()})` : ''}: ${entry.resources.join(', ')}`, actor, data: { sandbox } });
        return { removed: entry.resources };
      },
    },
  ],
};
