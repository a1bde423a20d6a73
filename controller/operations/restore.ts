// The restore operation into a sandbox, top to bottom: check the backup (it
// belongs to the tenant, the tenant is in git, the sandbox name is free, the
// whole backup verifies, its n8n encryption key opens with the master key),
// give the sandbox the tenant's n8n key and an empty database of its own,
// restore the dump into it as the sandbox's role, bring up the sandbox stack
// (main + workers, route) with the same compile, plan and apply code as any
// dedicated tenant, and check it against the manifest: n8n healthy, workflow
// and credential counts and content hashes equal. A failure anywhere undoes
// it all: the sandbox is removed whole. The sandbox lives until its TTL; the
// operations loop removes it then (controller/sandbox/sandbox-sweep.ts).
import type { ObjectStore } from '../../edges/object-store/index.js';
import { unwrapN8nKey } from '../backups/envelope.js';
import { BackupError } from '../backups/errors.js';
import { credentialContent, summarizeExport, workflowContent, type ContentSummary } from '../backups/manifest.js';
import { restoreDatabase } from '../backups/restore-database.js';
import { withDatabase } from '../backups/drill-database.js';
import { readManifest, verifyBackup } from '../backups/verify.js';
import { mainContainerName } from '../compile/names.js';
import type { DesiredDatabase, DesiredTenant } from '../model.js';
import type { SandboxStack } from '../sandbox/sandbox-stack.js';
import type { BackupRecord, BackupsApi } from '../store/backups-repo.js';
import type { SecretsApi } from '../store/secrets-repo.js';
import type { OperationKind, StepContext } from './kind.js';
import { OperationError } from './kind.js';

export interface RestoreDeps {
  objects: ObjectStore;
  catalogue: BackupsApi;
  secrets: SecretsApi;
  masterKey(): Promise<Buffer>;
  /** Admin URL of the tenant database server. */
  adminUrl: string | undefined;
  /** The tenant in git compiled as a sandbox of that name (sandbox labels included); undefined when the tenant is not in git. */
  sandboxDesired(tenant: string, sandbox: string, expiresAt: string): DesiredTenant | undefined;
  stack(): SandboxStack;
  /** n8n's CLI export (decrypted) in a container. */
  exportItems(container: string, what: 'workflows' | 'credentials'): Promise<Record<string, unknown>[]>;
}

/** What `rp9 restore --sandbox` journals when it starts a restore. */
export interface RestoreInput {
  backupId: string;
  target: 'sandbox';
  sandbox: string;
  /** ISO time the sandbox is removed after. */
  expiresAt: string;
}

export interface IntegrityPart {
  count: number;
  sha256: string;
  manifestCount: number;
  manifestSha256: string;
  equal: boolean;
}

export interface RestoreIntegrity {
  healthy: boolean;
  workflows: IntegrityPart | null;
  credentials: IntegrityPart | null;
}

type Ctx = StepContext<RestoreDeps>;

function input(ctx: Ctx): RestoreInput & Record<string, unknown> {
  return ctx.state as RestoreInput & Record<string, unknown>;
}

async function backupOf(ctx: Ctx): Promise<BackupRecord> {
  const { backupId } = input(ctx);
  const record = await ctx.deps.catalogue.get(backupId);
  if (!record) throw new BackupError('backup.not-found', `no backup ${backupId} in the catalogue (rp9 backup list)`);
  if (record.tenant !== ctx.operation.tenant) throw new OperationError('restore.backup-of-other-tenant', `backup ${backupId} is a backup of ${record.tenant}, not of ${ctx.operation.tenant}`);
  return record;
}

function desired(ctx: Ctx): DesiredTenant {
  const { sandbox, expiresAt } = input(ctx);
  const tenant = ctx.deps.sandboxDesired(ctx.operation.tenant, sandbox, expiresAt);
  if (!tenant) throw new OperationError('restore.tenant-unknown', `tenant ${ctx.operation.tenant} is not in the config (tenants/${ctx.operation.tenant}.yaml); only tenants in git are restored`);
  return tenant;
}

function sandboxDatabase(ctx: Ctx): DesiredDatabase {
  const database = desired(ctx).resources.find((r): r is DesiredDatabase => r.kind === 'database');
  if (!database) throw new OperationError('restore.not-dedicated', `sandbox ${input(ctx).sandbox} compiled without a database`);
  return database;
}

function adminUrl(ctx: Ctx): string {
  if (!ctx.deps.adminUrl) throw new OperationError('restore.no-database-server', `restore ${ctx.operation.id}: no tenant database server is configured (RP9_TENANT_DATABASE_URL)`);
  return ctx.deps.adminUrl;
}

function compare(actual: ContentSummary, expected: ContentSummary | null): IntegrityPart | null {
  if (!expected) return null;
  return { count: actual.count, sha256: actual.sha256, manifestCount: expected.count, manifestSha256: expected.sha256, equal: actual.count === expected.count && actual.sha256 === expected.sha256 };
}

async function removeSandbox(ctx: Ctx): Promise<void> {
  await ctx.deps.stack().remove(input(ctx).sandbox);
}

export const restoreKind: OperationKind<RestoreDeps> = {
  name: 'restore',
  deadlineSeconds: 6 * 3600,
  steps: [
    {
      name: 'check-backup',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        const { sandbox, backupId } = input(ctx);
        const record = await backupOf(ctx);
        const host = desired(ctx).resources.find((r) => r.kind === 'route')?.hosts[0];
        if (record.location !== ctx.deps.objects.description) throw new OperationError('restore.location-mismatch', `backup ${backupId} is in ${record.location}, the configured backup store is ${ctx.deps.objects.description}`);
        ctx.progress({ phase: 'verify' });
        const masterKey = await ctx.deps.masterKey();
        await verifyBackup(ctx.deps.objects, masterKey, record);
        const manifest = await readManifest(ctx.deps.objects, record);
        if (!manifest.objects.database) throw new OperationError('restore.not-dedicated', `backup ${backupId} holds no database (a shared tenant's backup); a sandbox restores a dedicated tenant's database`);
        if (!manifest.encryption.wrappedN8nKey) throw new OperationError('restore.no-encryption-key', `backup ${backupId} does not hold the tenant's n8n encryption key (taken before rp9 kept it); its credentials cannot be read by a sandbox`);
        unwrapN8nKey(manifest.encryption.wrappedN8nKey, masterKey, backupId);
        if (await ctx.deps.stack().inUse(sandbox)) throw new OperationError('restore.name-in-use', `sandbox ${sandbox} already exists (a container, volume, database, route or secret has its name); remove it or wait for its TTL`);
        return { host, url: `https://${host}/` };
      },
    },
    {
      name: 'create-database',
      timeoutSeconds: 120,
      async run(ctx) {
        const { sandbox, backupId } = input(ctx);
        const manifest = await readManifest(ctx.deps.objects, await backupOf(ctx));
        // The sandbox runs with the tenant's n8n key: n8n 2.x cannot read its own database under another.
        await ctx.deps.secrets.set(sandbox, 'encryption-key', unwrapN8nKey(String(manifest.encryption.wrappedN8nKey), await ctx.deps.masterKey(), backupId));
        await ctx.deps.stack().freshDatabase(sandboxDatabase(ctx));
      },
      undo: removeSandbox,
    },
    {
      name: 'restore-database',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        // Idempotent: a re-run after a crash starts from an empty database again.
        const database = sandboxDatabase(ctx);
        await ctx.deps.stack().freshDatabase(database);
        ctx.progress({ phase: 'restore' });
        const read = await restoreDatabase(ctx.deps.objects, await ctx.deps.masterKey(), await backupOf(ctx), withDatabase(adminUrl(ctx), database.database), { role: database.role });
        return { restoredBytes: read.plainBytes };
      },
    },
    {
      name: 'start-stack',
      timeoutSeconds: 30 * 60,
      async run(ctx) {
        ctx.progress({ phase: 'start' });
        await ctx.deps.stack().apply(desired(ctx));
      },
      undo: removeSandbox,
    },
    {
      name: 'check-integrity',
      timeoutSeconds: 15 * 60,
      async run(ctx) {
        ctx.progress({ phase: 'check' });
        const { sandbox, backupId } = input(ctx);
        const manifest = await readManifest(ctx.deps.objects, await backupOf(ctx));
        const main = mainContainerName(sandbox);
        const workflows = summarizeExport(await ctx.deps.exportItems(main, 'workflows'), workflowContent);
        const credentials = summarizeExport(await ctx.deps.exportItems(main, 'credentials'), credentialContent);
        // Healthy: start-stack waited for the containers' readiness before it wrote the route.
        const integrity: RestoreIntegrity = { healthy: true, workflows: compare(workflows, manifest.workflows), credentials: compare(credentials, manifest.credentials) };
        const wrong = (['workflows', 'credentials'] as const).filter((what) => integrity[what] && !integrity[what]?.equal);
        if (wrong.length > 0) {
          const detail = wrong.map((what) => `${what} ${integrity[what]?.count} (sha256 ${integrity[what]?.sha256.slice(0, 12)}) vs manifest ${integrity[what]?.manifestCount} (${integrity[what]?.manifestSha256.slice(0, 12)})`).join('; ');
          throw new OperationError('restore.integrity-mismatch', `sandbox ${sandbox} from backup ${backupId} differs from the manifest: ${detail}`);
        }
        return { integrity, rtoSeconds: (Date.now() - ctx.operation.startedAt.getTime()) / 1000 };
      },
    },
  ],
};
