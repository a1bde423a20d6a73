// The restore drill, top to bottom: pick a verified backup of the tenant at
// random, restore its database into a throwaway database (the whole backup
// is verified first, workflows and credentials included), check the restored
// row counts against the manifest, record the RTO, drop the database. A
// failed drill is an operation that failed: its database is dropped by undo,
// rp9_restore_drills_total{result="failure"} rises (RestoreDrillFailed) and
// a Warning event names the tenant and the reason.
import type { Metrics } from '../../kernel/metrics/registry.js';
import type { ObjectStore } from '../../edges/object-store/index.js';
import { dropDatabase, drillDatabaseName, recreateDatabase, withDatabase } from '../backups/drill-database.js';
import { restoreDatabase } from '../backups/restore-database.js';
import { countTables } from '../backups/table-counts.js';
import type { BackupsApi } from '../store/backups-repo.js';
import type { EventsApi } from '../store/events-repo.js';
import type { OperationKind, StepContext } from './kind.js';
import { OperationError } from './kind.js';

export interface DrillDeps {
  objects: ObjectStore;
  catalogue: BackupsApi;
  events: EventsApi;
  masterKey(): Promise<Buffer>;
  /** Admin URL of the tenant database server. */
  adminUrl: string | undefined;
  /** [0, 1): which verified backup to pick. */
  random(): number;
  metrics?: Pick<Metrics, 'restoreDrills' | 'restoreRto'>;
}

type Ctx = StepContext<DrillDeps>;

function adminUrl(ctx: Ctx): string {
  if (!ctx.deps.adminUrl) throw new OperationError('drill.no-database-server', `drill ${ctx.operation.id}: no tenant database server is configured (RP9_TENANT_DATABASE_URL)`);
  return ctx.deps.adminUrl;
}

async function picked(ctx: Ctx) {
  const record = await ctx.deps.catalogue.get(String(ctx.state.backupId));
  if (!record) throw new OperationError('drill.backup-gone', `drill ${ctx.operation.id}: backup ${String(ctx.state.backupId)} is no longer in the catalogue`);
  return record;
}

export const drillKind: OperationKind<DrillDeps> = {
  name: 'drill',
  deadlineSeconds: 6 * 3600,
  steps: [
    {
      name: 'pick-backup',
      timeoutSeconds: 30,
      async run(ctx) {
        if (typeof ctx.state.backupId === 'string') return;
        const verified = (await ctx.deps.catalogue.list(ctx.operation.tenant)).filter((b) => b.status === 'verified' && b.manifest.objects && 'database' in (b.manifest.objects as object));
        if (verified.length === 0) throw new OperationError('drill.no-backup', `tenant ${ctx.operation.tenant} has no verified backup with a database to drill`);
        const choice = verified[Math.min(verified.length - 1, Math.floor(ctx.deps.random() * verified.length))];
        return { backupId: choice?.id };
      },
    },
    {
      name: 'create-database',
      timeoutSeconds: 60,
      async run(ctx) {
        await recreateDatabase(adminUrl(ctx), drillDatabaseName(ctx.operation.tenant));
      },
      async undo(ctx) {
        if (ctx.deps.adminUrl) await dropDatabase(ctx.deps.adminUrl, drillDatabaseName(ctx.operation.tenant));
      },
    },
    {
      name: 'restore',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        // Idempotent: a re-run after a crash starts from an empty database again.
        const url = adminUrl(ctx);
        const name = drillDatabaseName(ctx.operation.tenant);
        await recreateDatabase(url, name);
        ctx.progress({ phase: 'restore' });
        const read = await restoreDatabase(ctx.deps.objects, await ctx.deps.masterKey(), await picked(ctx), withDatabase(url, name));
        return { restoredBytes: read.plainBytes };
      },
    },
    {
      name: 'check',
      timeoutSeconds: 300,
      async run(ctx) {
        const record = await picked(ctx);
        const expected = (record.manifest.tables ?? {}) as Record<string, number>;
        const actual = await countTables(withDatabase(adminUrl(ctx), drillDatabaseName(ctx.operation.tenant)));
        const wrong = Object.keys({ ...expected, ...actual }).filter((t) => expected[t] !== actual[t]);
        if (wrong.length > 0) {
          throw new OperationError('drill.mismatch', `backup ${record.id} restored with row counts that differ from its manifest: ${wrong.map((t) => `${t} ${actual[t] ?? 'missing'} (manifest ${expected[t] ?? 'missing'})`).join(', ')}`);
        }
        return { rtoSeconds: (Date.now() - ctx.operation.startedAt.getTime()) / 1000, checkedTables: Object.keys(actual).length };
      },
    },
    {
      name: 'drop-database',
      timeoutSeconds: 60,
      async run(ctx) {
        await dropDatabase(adminUrl(ctx), drillDatabaseName(ctx.operation.tenant));
      },
    },
  ],
  async onFinished(op, deps) {
    const ok = op.status === 'done';
    deps.metrics?.restoreDrills.inc({ result: ok ? 'success' : 'failure' });
    if (ok && typeof op.state.rtoSeconds === 'number') deps.metrics?.restoreRto.set({ tenant: op.tenant }, op.state.rtoSeconds);
    await deps.events.record({
      tenant: op.tenant,
      type: ok ? 'Normal' : 'Warning',
      reason: ok ? 'RestoreDrillPassed' : 'RestoreDrillFailed',
      message: ok ? `restore drill of backup ${String(op.state.backupId)} passed; RTO ${Number(op.state.rtoSeconds).toFixed(1)} s` : `restore drill failed: ${op.error ?? op.status}`,
      actor: 'controller',
      correlationId: op.id,
      data: { operationId: op.id, backupId: op.state.backupId ?? null, rtoSeconds: op.state.rtoSeconds ?? null },
    });
  },
};
