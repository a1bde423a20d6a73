// How the controller wires blue/green upgrades: the upgrade kind bound to its
// edges (for the operations loop's engine) and the reconcile hook that starts
// upgrades on that engine. Kept here so run-controller.ts only adds two lines.
import type { OperationEngine } from '../operations/engine.js';
import { bindKind, type BoundKind } from '../operations/kind.js';
import { upgradeKind } from '../operations/upgrade.js';
import type { OperationsApi } from '../store/operations-repo.js';
import { createUpgradeHook, type UpgradeHook } from './reconcile-hook.js';
import { upgradeDeps, type UpgradeRuntimeOptions } from './runtime.js';

export function upgradeWiring(options: UpgradeRuntimeOptions & { operations: OperationsApi; engine(): OperationEngine | undefined }): { kinds: Record<string, BoundKind>; hook: UpgradeHook } {
  return {
    kinds: { upgrade: bindKind(upgradeKind, upgradeDeps(options)) },
    hook: createUpgradeHook({
      operations: options.operations,
      startOperation: (kind, tenant, state) => {
        const engine = options.engine();
        if (!engine) throw Object.assign(new Error('the operation engine is not running yet'), { code: 'store.operation-in-progress' });
        return engine.start(kind, tenant, state);
      },
    }),
  };
}
