// The promotion's first step: a pre-migration backup made by the backup
// kind's own steps (controller/operations/backup.ts), run in order inside
// the promotion's step (one operation per tenant, so not a second journaled
// operation). Its id comes from the promotion's start time, so a re-run
// after a crash finds the catalogued backup instead of making another.
import type { Logger } from '../../kernel/log/logger.js';
import { backupInput } from '../backups/naming.js';
import { backupKind, type BackupDeps } from '../operations/backup.js';
import type { Operation } from '../store/types.js';

/** `mode`: where the tenant's data is before the move: shared for a promotion (default), dedicated for a demotion. */
export async function runPreMigrationBackup(deps: BackupDeps, operation: Operation, options: { n8nVersion: string | null; signal: AbortSignal; log: Logger; mode?: 'shared' | 'dedicated' }): Promise<string> {
  const input = backupInput(operation.tenant, 'pre-migration', operation.startedAt, { mode: options.mode ?? 'shared', n8nVersion: options.n8nVersion });
  if (await deps.catalogue.get(input.backupId)) return input.backupId;
  let state: Record<string, unknown> = { ...input };
  for (const step of backupKind.steps) {
    const result = await step.run({ operation, state, deps, signal: options.signal, log: options.log, progress: () => undefined });
    if (result) state = { ...state, ...result };
  }
  return input.backupId;
}
