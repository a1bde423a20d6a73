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
//
// A shared tenant's backup holds no database: its workflows and credentials
// exported from the shared n8n by its personal project, the credentials
// decrypted inside the backup's own encryption (so the master key alone reads
// them). The sandbox then starts on an empty database with a fresh n8n key of
// its own, and the `import-export` step imports the export into it with the
// promotion's edge (controller/promotion/n8n-sides.ts: an owner with the
// tenant's email, CLI import with ids kept, which encrypts the credentials
// under the sandbox's key) and activates the workflows that were active in
// the backup through the public API.
import type { ObjectStore } from '../../edges/object-store/index.js';
import { unwrapN8nKey } from '../backups/envelope.js';
import { BackupError } from '../backups/errors.js';
import { credentialContent, summarizeExport, workflowContent, type BackupManifest, type ContentSummary } from '../backups/manifest.js';
import { restoreDatabase } from '../backups/restore-database.js';
import { withDatabase } from '../backups/drill-database.js';
import { readExport } from '../backups/read-export.js';
import { readManifest, verifyBackup } from '../backups/verify.js';
import { mainContainerName } from '../compile/names.js';
import type { DesiredDatabase, DesiredTenant } from '../model.js';
import type { SandboxStack } from '../sandbox/sandbox-stack.js';
import type { BackupRecord, BackupsApi } from '../store/backups-repo.js';
import type { SecretsApi } from '../store/secrets-repo.js';
import type { OperationKind, StepContext } from './kind.js';
import { OperationError } from './kind.js';
import type { DedicatedN8n } from './promotion.js';

/** The sandbox's own n8n as a shared tenant's restore fills it: the promotion's dedicated side, addressed by the sandbox's name. */
export type SandboxN8n = Pick<DedicatedN8n, 'ensureOwner' | 'importItems' | 'setActive'>;

/** What a backup restores from: a database dump (dedicated tenant), or only the n8n export (shared tenant). */
export type RestoreSource = 'database' | 'export';

export function restoreSource(manifest: Pick<BackupManifest, 'objects'>): RestoreSource {
  return manifest.objects.database ? 'database' : 'export';
}

/** Ids of the workflows an export marks active, sorted. */
export function activeWorkflowIds(workflows: readonly Record<string, unknown>[]): string[] {
  return workflows.filter((w) => w.active === true).map((w) => String(w.id)).sort();
}

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
  /** Imports a shared tenant's export into a sandbox; absent: shared tenants' backups are refused (restore.no-importer). */
  sandboxN8n?: SandboxN8n;
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
        const source = restoreSource(manifest);
        // What the backup itself forbids comes first (no Docker needed to say it); then whether the name is free.
        if (source === 'export') {
          if (!manifest.objects.workflows) throw new OperationError('restore.nothing-to-restore', `backup ${backupId} holds neither a database nor a workflows export (taken without n8n); there is nothing to restore`);
          if (!ctx.deps.sandboxN8n) throw new OperationError('restore.no-importer', `backup ${backupId} is a shared tenant's export; this restore has no way to import it into a sandbox`);
        } else {
          if (!manifest.encryption.wrappedN8nKey) throw new OperationError('restore.no-encryption-key', `backup ${backupId} does not hold the tenant's n8n encryption key (taken before rp9 kept it); its credentials cannot be read by a sandbox`);
          unwrapN8nKey(manifest.encryption.wrappedN8nKey, masterKey, backupId);
        }
        if (await ctx.deps.stack().inUse(sandbox)) throw new OperationError('restore.name-in-use', `sandbox ${sandbox} already exists (a container, volume, database, route or secret has its name); remove it or wait for its TTL`);
        return { host, url: `https://${host}/`, source };
      },
    },
    {
      name: 'create-database',
      timeoutSeconds: 120,
      async run(ctx) {
        const { sandbox, backupId } = input(ctx);
        const manifest = await readManifest(ctx.deps.objects, await backupOf(ctx));
        // An export's sandbox gets a fresh n8n key (apply creates it): the import encrypts the credentials under it.
        if (restoreSource(manifest) === 'database') {
          // The sandbox runs with the tenant's n8n key: n8n 2.x cannot read its own database under another.
          await ctx.deps.secrets.set(sandbox, 'encryption-key', unwrapN8nKey(String(manifest.encryption.wrappedN8nKey), await ctx.deps.masterKey(), backupId));
        }
        await ctx.deps.stack().freshDatabase(sandboxDatabase(ctx));
      },
      undo: removeSandbox,
    },
    {
      name: 'restore-database',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        // An export's sandbox starts on the empty database create-database made; n8n migrates it at start.
        if (ctx.state.source === 'export') return;
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
      // Re-running overwrites (the CLI import keeps ids): no duplicates after a crash.
      name: 'import-export',
      timeoutSeconds: 15 * 60,
      async run(ctx) {
        if (ctx.state.source !== 'export') return;
        const importer = ctx.deps.sandboxN8n;
        const { sandbox, backupId } = input(ctx);
        if (!importer) throw new OperationError('restore.no-importer', `backup ${backupId} is a shared tenant's export; this restore has no way to import it into a sandbox`);
        ctx.progress({ phase: 'import' });
        const record = await backupOf(ctx);
        const masterKey = await ctx.deps.masterKey();
        const manifest = await readManifest(ctx.deps.objects, record);
        const workflows = await readExport(ctx.deps.objects, masterKey, record, 'workflows');
        const credentials = manifest.objects.credentials ? await readExport(ctx.deps.objects, masterKey, record, 'credentials') : [];
        await importer.ensureOwner(sandbox);
        // Credentials first: the workflows' nodes refer to them by id.
        await importer.importItems(sandbox, 'credentials', credentials);
        await importer.importItems(sandbox, 'workflows', workflows);
        // The import leaves every workflow inactive; the public API activates what was active when the backup was taken.
        const activated = activeWorkflowIds(workflows);
        for (const id of activated) await importer.setActive(sandbox, id, true);
        return { imported: { workflows: workflows.length, credentials: credentials.length }, activated };
      },
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
