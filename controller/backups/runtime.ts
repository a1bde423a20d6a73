// Assembly of the backup, verify and restore edges from settings: the object
// store (S3 when platform.yaml names a bucket, else <state-dir>/backups), the
// tenant database URL, n8n's CLI in the tenant's main container (or the shared
// n8n's, by the tenant's personal project), and the engine with the kinds.
import { join } from 'node:path';
import type Docker from 'dockerode';
import pg from 'pg';
import type { Platform } from '../../config/types.js';
import { exportItems } from '../../edges/n8n/cli-export.js';
import { fsObjectStore, s3ClientConfig, s3ObjectStore, type ObjectStore } from '../../edges/object-store/index.js';
import type { Logger } from '../../kernel/log/logger.js';
import type { Metrics } from '../../kernel/metrics/registry.js';
import { backupKind, type BackupDeps, type N8nExporter } from '../operations/backup.js';
import { drillKind, type DrillDeps } from '../operations/drill.js';
import { restoreKind, type RestoreDeps } from '../operations/restore.js';
import { restoreInPlaceKind, type InPlaceDeps } from '../operations/restore-in-place.js';
import { createOperationEngine, type OperationEngine } from '../operations/engine.js';
import { bindKind, type BoundKind, type OperationProgress } from '../operations/kind.js';
import type { Store } from '../store/index.js';
import { liveStackOf, type LiveJournal } from '../upgrades/live-stack.js';
import { readPersonalProjects } from '../telemetry/personal-projects.js';
import { BackupError } from './errors.js';

export function objectStoreFor(platform: Platform, env: NodeJS.ProcessEnv, stateDir: string): ObjectStore {
  const bucket = platform.spec.backups?.bucket;
  if (bucket) return s3ObjectStore({ bucket, client: s3ClientConfig(env) });
  return fsObjectStore(join(stateDir, 'backups'));
}

/** The URL of a dedicated tenant's live database (green's or blue's, `liveStackOf`) on the tenant database server (its admin role dumps it). */
export async function tenantDatabaseUrl(adminUrl: string | undefined, operations: LiveJournal, tenant: string): Promise<string | undefined> {
  if (!adminUrl) return undefined;
  const url = new URL(adminUrl);
  url.pathname = `/${(await liveStackOf(operations, tenant)).database}`;
  return url.toString();
}

export interface N8nExporterOptions {
  docker: Docker;
  /** The journal, for a dedicated tenant's live main container (green's or blue's). */
  operations: LiveJournal;
  /** The shared n8n's container and database, for shared tenants. */
  sharedContainer?: string;
  sharedDatabaseUrl?: string;
  /** A tenant's owner email (its personal project in the shared n8n). */
  emailOf(tenant: string): string | undefined;
}

export function cliExporter(options: N8nExporterOptions): N8nExporter {
  return {
    async exportItems(tenant, what, { mode, projectId }) {
      if (mode === 'dedicated') return exportItems(options.docker, (await liveStackOf(options.operations, tenant)).mainContainer, what);
      if (!options.sharedContainer) throw new BackupError('backup.export-failed', `tenant ${tenant} is shared: set RP9_SHARED_N8N_CONTAINER to the shared n8n's container to export its workflows`);
      const project = projectId ?? (await personalProject(options, tenant));
      return exportItems(options.docker, options.sharedContainer, what, { projectId: project });
    },
  };
}

async function personalProject(options: N8nExporterOptions, tenant: string): Promise<string> {
  const email = options.emailOf(tenant);
  if (!options.sharedDatabaseUrl || !email) throw new BackupError('backup.export-failed', `tenant ${tenant} is shared: its personal project needs RP9_SHARED_N8N_DATABASE_URL and metadata.email`);
  const client = new pg.Client({ connectionString: options.sharedDatabaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const [row] = await readPersonalProjects(client, [email.toLowerCase()]);
    if (!row) throw new BackupError('backup.export-failed', `tenant ${tenant}: no personal project of ${email} in the shared n8n`);
    return row.projectId;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface BackupRuntimeOptions {
  store: Store;
  objects: ObjectStore;
  tenantDatabaseAdminUrl: string | undefined;
  n8n?: N8nExporter;
  logger: Logger;
  runner: string;
  metrics?: Metrics;
  onProgress?(update: OperationProgress): void;
  /** Restores into sandboxes (controller/sandbox/sandbox-runtime.ts); absent: this engine knows no restore kind. */
  restore?: RestoreDeps;
  /** The in-place restore's own edges (sandbox-runtime.ts); its backup edges are this runtime's. */
  inPlace?: Omit<InPlaceDeps, keyof BackupDeps>;
  /** Which verified backup a drill picks (default Math.random). */
  random?(): number;
  /** A drill's smoke execution and its failure notice; with `restore`, the engine knows the drill kind. */
  drill?: Pick<DrillDeps, 'executeWorkflow' | 'notify'>;
  /** More kinds on the same engine (the controller's upgrades and promotion). */
  extraKinds?: Record<string, BoundKind>;
}

/** The engine with the backup kind, and (given their edges) the restore, in-place restore and drill kinds bound. */
export function backupRuntime(options: BackupRuntimeOptions): { engine: OperationEngine; deps: BackupDeps } {
  const deps: BackupDeps = {
    objects: options.objects,
    catalogue: options.store.backups,
    masterKey: () => options.store.masterKey(),
    databaseUrl: (tenant) => tenantDatabaseUrl(options.tenantDatabaseAdminUrl, options.store.operations, tenant),
    n8nEncryptionKey: async (tenant) => (await options.store.secrets.get(tenant, 'encryption-key'))?.reveal(),
    ...(options.n8n ? { n8n: options.n8n } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  // A drill restores into a sandbox: it needs the restore kind's edges and a way to execute a workflow there.
  const drillDeps: DrillDeps | undefined = options.restore && options.drill
    ? {
        ...options.restore,
        ...options.drill,
        events: options.store.events,
        status: options.store.status,
        random: options.random ?? Math.random,
        ...(options.metrics ? { metrics: options.metrics } : {}),
      }
    : undefined;
  const engine = createOperationEngine({
    operations: options.store.operations,
    kinds: { backup: bindKind(backupKind, deps), ...(drillDeps ? { drill: bindKind(drillKind, drillDeps) } : {}), ...(options.restore ? { restore: bindKind(restoreKind, options.restore) } : {}),
      ...(options.inPlace ? { 'restore-in-place': bindKind(restoreInPlaceKind, { ...deps, ...options.inPlace }) } : {}),
      ...options.extraKinds,
    },
    logger: options.logger,
    runner: options.runner,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { engine, deps };
}

/** An object store that follows the config in force: the bucket of the last good platform.yaml, or <state-dir>/backups. */
export function followingObjectStore(platform: () => Platform | undefined, env: NodeJS.ProcessEnv, stateDir: string): ObjectStore {
  let cached: { bucket: string | undefined; store: ObjectStore } | undefined;
  const current = (): ObjectStore => {
    const p = platform();
    const bucket = p?.spec.backups?.bucket;
    if (!cached || cached.bucket !== bucket) cached = { bucket, store: p ? objectStoreFor(p, env, stateDir) : fsObjectStore(join(stateDir, 'backups')) };
    return cached.store;
  };
  return {
    get description() {
      return current().description;
    },
    put: (key, body, options) => current().put(key, body, options),
    get: (key) => current().get(key),
    head: (key) => current().head(key),
    list: (prefix) => current().list(prefix),
    delete: (keys) => current().delete(keys),
  };
}
