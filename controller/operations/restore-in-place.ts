// The in-place restore, top to bottom: check the backup (the tenant's, the
// tenant in git and dedicated, the whole backup verifies, it was taken under
// the tenant's current n8n key), take a pre-restore backup of the tenant as it
// is (the backup kind's own steps, journaled here), stop main and workers,
// replace the database with the backup's, start them, and check workflows and
// credentials against the manifest. Undo: the database is restored from the
// pre-restore backup and the containers started again; the pre-restore
// backup is kept (it is catalogued, kind pre-restore).
import { unwrapN8nKey } from '../backups/envelope.js';
import { BackupError } from '../backups/errors.js';
import { credentialContent, summarizeExport, workflowContent } from '../backups/manifest.js';
import { restoreDatabase } from '../backups/restore-database.js';
import { withDatabase } from '../backups/drill-database.js';
import type { TenantData } from '../backups/tenant-data.js';
import { readManifest, verifyBackup } from '../backups/verify.js';
import { mainContainerName } from '../compile/names.js';
import type { DesiredContainer, DesiredDatabase, DesiredTenant } from '../model.js';
import type { BackupRecord } from '../store/backups-repo.js';
import type { SecretsApi } from '../store/secrets-repo.js';
import { backupKind, type BackupDeps, type BackupInput } from './backup.js';
import type { OperationKind, OperationStepSpec, StepContext } from './kind.js';
import { OperationError } from './kind.js';

export interface InPlaceDeps extends BackupDeps {
  secrets: SecretsApi;
  adminUrl: string | undefined;
  /** The tenant's desired state compiled from git; undefined when it is not in git. */
  tenantDesired(tenant: string): DesiredTenant | undefined | Promise<DesiredTenant | undefined>;
  tenantData(): TenantData;
  exportItems(container: string, what: 'workflows' | 'credentials'): Promise<Record<string, unknown>[]>;
}

/** What `rp9 restore --in-place` journals: the backup to restore, and the pre-restore backup's input (backupId etc.). */
export interface InPlaceInput extends BackupInput {
  target: 'in-place';
  restoreFrom: string;
}

type Ctx = StepContext<InPlaceDeps>;

function input(ctx: Ctx): InPlaceInput & Record<string, unknown> {
  return ctx.state as InPlaceInput & Record<string, unknown>;
}

async function recordOf(ctx: Ctx, id: string): Promise<BackupRecord> {
  const record = await ctx.deps.catalogue.get(id);
  if (!record) throw new BackupError('backup.not-found', `no backup ${id} in the catalogue (rp9 backup list)`);
  if (record.tenant !== ctx.operation.tenant) throw new OperationError('restore.backup-of-other-tenant', `backup ${id} is a backup of ${record.tenant}, not of ${ctx.operation.tenant}`);
  return record;
}

async function desired(ctx: Ctx): Promise<DesiredTenant> {
  const tenant = await ctx.deps.tenantDesired(ctx.operation.tenant);
  if (!tenant) throw new OperationError('restore.tenant-unknown', `tenant ${ctx.operation.tenant} is not in the config (tenants/${ctx.operation.tenant}.yaml); only tenants in git are restored`);
  if (tenant.mode !== 'dedicated') throw new OperationError('restore.not-dedicated', `tenant ${ctx.operation.tenant} is shared; an in-place restore replaces a dedicated tenant's database`);
  return tenant;
}

async function database(ctx: Ctx): Promise<DesiredDatabase> {
  return (await desired(ctx)).resources.find((r): r is DesiredDatabase => r.kind === 'database') as DesiredDatabase;
}

async function containers(ctx: Ctx): Promise<DesiredContainer[]> {
  return (await desired(ctx)).resources.filter((r): r is DesiredContainer => r.kind === 'container');
}

/** Replaces the tenant's database with a backup's dump, restored as the tenant's role. */
async function replaceDatabase(ctx: Ctx, backupId: string): Promise<number> {
  if (!ctx.deps.adminUrl) throw new OperationError('restore.no-database-server', `restore ${ctx.operation.id}: no tenant database server is configured (RP9_TENANT_DATABASE_URL)`);
  const db = await database(ctx);
  await ctx.deps.tenantData().freshDatabase(db);
  const read = await restoreDatabase(ctx.deps.objects, await ctx.deps.masterKey(), await recordOf(ctx, backupId), withDatabase(ctx.deps.adminUrl, db.database), { role: db.role });
  return read.plainBytes;
}

/** The backup kind's steps, run here as the pre-restore backup; once it is catalogued, undo keeps it. */
const preRestoreSteps: OperationStepSpec<InPlaceDeps>[] = backupKind.steps.map((step) => ({
  ...step,
  name: `pre-restore-${step.name}`,
  ...(step.undo
    ? {
        undo: async (ctx: Ctx) => {
          if (await ctx.deps.catalogue.get(input(ctx).backupId)) return;
          await step.undo?.(ctx);
        },
      }
    : {}),
}));

export const restoreInPlaceKind: OperationKind<InPlaceDeps> = {
  name: 'restore-in-place',
  deadlineSeconds: 12 * 3600,
  steps: [
    {
      name: 'check-backup',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        const { restoreFrom } = input(ctx);
        await desired(ctx);
        const record = await recordOf(ctx, restoreFrom);
        if (record.location !== ctx.deps.objects.description) throw new OperationError('restore.location-mismatch', `backup ${restoreFrom} is in ${record.location}, the configured backup store is ${ctx.deps.objects.description}`);
        ctx.progress({ phase: 'verify' });
        const masterKey = await ctx.deps.masterKey();
        await verifyBackup(ctx.deps.objects, masterKey, record);
        const manifest = await readManifest(ctx.deps.objects, record);
        if (!manifest.objects.database) throw new OperationError('restore.not-dedicated', `backup ${restoreFrom} holds no database (a shared tenant's backup)`);
        const current = (await ctx.deps.secrets.get(ctx.operation.tenant, 'encryption-key'))?.reveal();
        if (manifest.encryption.wrappedN8nKey && current !== undefined && unwrapN8nKey(manifest.encryption.wrappedN8nKey, masterKey, restoreFrom) !== current) {
          throw new OperationError('restore.key-changed', `backup ${restoreFrom} was taken under another n8n encryption key than the tenant's current one; restore it into a sandbox instead`);
        }
      },
    },
    ...preRestoreSteps,
    {
      name: 'stop-tenant',
      timeoutSeconds: 300,
      async run(ctx) {
        ctx.progress({ phase: 'stop' });
        await ctx.deps.tenantData().stop(await containers(ctx));
      },
      async undo(ctx) {
        await ctx.deps.tenantData().start(await containers(ctx));
      },
    },
    {
      name: 'restore-database',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        ctx.progress({ phase: 'restore' });
        return { restoredBytes: await replaceDatabase(ctx, input(ctx).restoreFrom) };
      },
      async undo(ctx) {
        // Back to the data as it was: the pre-restore backup (stop first: a later step may have started them).
        await ctx.deps.tenantData().stop(await containers(ctx));
        await replaceDatabase(ctx, input(ctx).backupId);
      },
    },
    {
      name: 'start-tenant',
      timeoutSeconds: 30 * 60,
      async run(ctx) {
        ctx.progress({ phase: 'start' });
        await ctx.deps.tenantData().start(await containers(ctx));
      },
    },
    {
      name: 'check-integrity',
      timeoutSeconds: 15 * 60,
      async run(ctx) {
        ctx.progress({ phase: 'check' });
        const { restoreFrom } = input(ctx);
        const manifest = await readManifest(ctx.deps.objects, await recordOf(ctx, restoreFrom));
        // The live colour's main (blue after a blue/green upgrade): tenantDesired compiles the live stack.
        const main = (await containers(ctx)).find((c) => c.role === 'main')?.name ?? mainContainerName(ctx.operation.tenant);
        const wrong: string[] = [];
        for (const [what, content] of [['workflows', workflowContent], ['credentials', credentialContent]] as const) {
          const expected = manifest[what];
          if (!expected) continue;
          const actual = summarizeExport(await ctx.deps.exportItems(main, what), content);
          if (actual.count !== expected.count || actual.sha256 !== expected.sha256) wrong.push(`${what} ${actual.count} vs manifest ${expected.count}`);
        }
        if (wrong.length > 0) throw new OperationError('restore.integrity-mismatch', `tenant ${ctx.operation.tenant} restored from backup ${restoreFrom} differs from the manifest: ${wrong.join('; ')}`);
        return { rtoSeconds: (Date.now() - ctx.operation.startedAt.getTime()) / 1000 };
      },
    },
  ],
};
