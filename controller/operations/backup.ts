// The backup operation, top to bottom: make a data key, dump the tenant's
// database, export its workflows and credentials from n8n, write the
// manifest, read everything back to verify it, and only then catalogue it.
// Each stream is gzipped and encrypted (AES-256-GCM) under the backup's own
// data key, wrapped by the master key. The objects live under
// `tenants/<tenant>/backups/<UTC time>-<kind>/`; undoing `prepare` deletes them.
import { Readable } from 'node:stream';
import type { Metrics } from '../../kernel/metrics/registry.js';
import type { ObjectStore } from '../../edges/object-store/index.js';
import { newDataKey, unwrapDataKey, wrapDataKey, wrapN8nKey } from '../backups/envelope.js';
import { BackupError } from '../backups/errors.js';
import { credentialContent, manifestBytes, MANIFEST_FORMAT, sha256, summarizeExport, workflowContent, type BackupManifest, type ContentSummary } from '../backups/manifest.js';
import { objectAad, putEncrypted, type StoredObject } from '../backups/objects.js';
import { pgDump } from '../backups/pg-dump.js';
import { countTables } from '../backups/table-counts.js';
import { verifyBackup } from '../backups/verify.js';
import type { BackupsApi } from '../store/backups-repo.js';
import type { Operation } from '../store/types.js';
import type { OperationKind, StepContext } from './kind.js';

export type BackupKindName = 'daily' | 'weekly' | 'monthly' | 'manual' | 'pre-migration' | 'pre-upgrade' | 'pre-restore';
export const BACKUP_KINDS: readonly BackupKindName[] = ['daily', 'weekly', 'monthly', 'manual', 'pre-migration', 'pre-upgrade', 'pre-restore'];

/** Exports a tenant's workflows or credentials (decrypted) as n8n's CLI prints them. */
export interface N8nExporter {
  exportItems(tenant: string, what: 'workflows' | 'credentials', options: { mode: 'dedicated' | 'shared'; projectId?: string }): Promise<Record<string, unknown>[]>;
}

export interface BackupDeps {
  objects: ObjectStore;
  catalogue: BackupsApi;
  masterKey(): Promise<Buffer>;
  /** URL of a dedicated tenant's live database (a role that may dump it); undefined when none is configured. */
  databaseUrl(tenant: string): string | undefined | Promise<string | undefined>;
  /** A dedicated tenant's n8n encryption key (the secret store's), kept wrapped in the manifest so a restore needs only the master key. */
  n8nEncryptionKey?(tenant: string): Promise<string | undefined>;
  /** Absent: workflows and credentials are not exported (the manifest says so). */
  n8n?: N8nExporter;
  metrics?: Pick<Metrics, 'backups' | 'backupLastSuccess' | 'backupBytes'>;
}

/** What `rp9 backup create` and the scheduler journal when they start a backup. */
export interface BackupInput {
  backupId: string;
  backupKind: BackupKindName;
  mode: 'dedicated' | 'shared';
  createdAt: string;
  prefix: string;
  n8nVersion: string | null;
  /** ISO time the backup is kept until at least, or null for retention by kind. */
  keepUntil: string | null;
  projectId?: string;
}

type Ctx = StepContext<BackupDeps>;

function input(ctx: Ctx): BackupInput & Record<string, unknown> {
  return ctx.state as BackupInput & Record<string, unknown>;
}

async function dataKey(ctx: Ctx): Promise<Buffer> {
  const wrapped = ctx.state.wrappedDataKey;
  if (typeof wrapped !== 'string') throw new BackupError('backup.invalid-input', `operation ${ctx.operation.id}: no data key journaled`);
  return unwrapDataKey(wrapped, await ctx.deps.masterKey(), input(ctx).backupId);
}

/** A stored object is reused after a crash only when the store still has it whole. */
async function alreadyStored(ctx: Ctx, name: string): Promise<StoredObject | undefined> {
  const object = (ctx.state.objects as Record<string, StoredObject> | undefined)?.[name];
  if (!object) return undefined;
  const head = await ctx.deps.objects.head(object.key);
  return head?.bytes === object.storedBytes ? object : undefined;
}

function withObject(ctx: Ctx, name: string, object: StoredObject): Record<string, StoredObject> {
  return { ...((ctx.state.objects as Record<string, StoredObject> | undefined) ?? {}), [name]: object };
}

async function exportStream(ctx: Ctx, what: 'workflows' | 'credentials'): Promise<{ object?: StoredObject; summary: ContentSummary } | undefined> {
  const { n8n } = ctx.deps;
  if (!n8n) return undefined;
  const { backupId, prefix, mode, projectId } = input(ctx);
  const items = await n8n.exportItems(ctx.operation.tenant, what, { mode, ...(projectId ? { projectId } : {}) });
  const summary = summarizeExport(items, what === 'workflows' ? workflowContent : credentialContent);
  const existing = await alreadyStored(ctx, what);
  if (existing) return { object: existing, summary };
  const body = Readable.from([Buffer.from(JSON.stringify(items))]);
  const object = await putEncrypted(ctx.deps.objects, `${prefix}${what}.json.gz.enc`, body, { dataKey: await dataKey(ctx), aad: objectAad(backupId, what) }, { signal: ctx.signal });
  return { object, summary };
}

export const backupKind: OperationKind<BackupDeps> = {
  name: 'backup',
  deadlineSeconds: 6 * 3600,
  steps: [
    {
      name: 'prepare',
      timeoutSeconds: 30,
      async run(ctx) {
        if (typeof ctx.state.wrappedDataKey === 'string') return;
        const { backupId, mode } = input(ctx);
        const masterKey = await ctx.deps.masterKey();
        const n8nKey = mode === 'dedicated' ? await ctx.deps.n8nEncryptionKey?.(ctx.operation.tenant) : undefined;
        return { wrappedDataKey: wrapDataKey(newDataKey(), masterKey, backupId), ...(n8nKey ? { wrappedN8nKey: wrapN8nKey(n8nKey, masterKey, backupId) } : {}) };
      },
      async undo(ctx) {
        const keys = await ctx.deps.objects.list(input(ctx).prefix);
        await ctx.deps.objects.delete(keys);
      },
    },
    {
      name: 'dump-database',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        const { backupId, prefix, mode } = input(ctx);
        if (mode !== 'dedicated') return;
        if (await alreadyStored(ctx, 'database')) return;
        const url = await ctx.deps.databaseUrl(ctx.operation.tenant);
        if (!url) throw new BackupError('backup.dump-failed', `backup ${backupId}: no tenant database server is configured (RP9_TENANT_DATABASE_URL)`);
        const tables = await countTables(url);
        const dump = pgDump(url);
        ctx.signal.addEventListener('abort', () => dump.kill(), { once: true });
        ctx.progress({ phase: 'dump', bytes: 0 });
        let object: StoredObject;
        try {
          object = await putEncrypted(ctx.deps.objects, `${prefix}database.dump.gz.enc`, dump.stdout, { dataKey: await dataKey(ctx), aad: objectAad(backupId, 'database') }, {
            signal: ctx.signal,
            onBytes: (bytes) => ctx.progress({ phase: 'dump', bytes }),
          });
          await dump.done;
        } catch (error) {
          dump.kill();
          await ctx.deps.objects.delete([`${prefix}database.dump.gz.enc`]).catch(() => undefined);
          throw (await dump.done.then(() => undefined, (e: unknown) => e)) ?? error;
        }
        return { objects: withObject(ctx, 'database', object), tables };
      },
    },
    {
      name: 'export-n8n',
      timeoutSeconds: 15 * 60,
      async run(ctx) {
        ctx.progress({ phase: 'export' });
        const workflows = await exportStream(ctx, 'workflows');
        if (!workflows) return { workflows: null, credentials: null };
        const credentials = await exportStream(ctx, 'credentials');
        let objects = withObject(ctx, 'workflows', workflows.object as StoredObject);
        if (credentials?.object) objects = { ...objects, credentials: credentials.object };
        return { objects, workflows: workflows.summary, credentials: credentials?.summary ?? null };
      },
    },
    {
      name: 'write-manifest',
      timeoutSeconds: 60,
      async run(ctx) {
        const manifest = buildManifest(ctx.operation, ctx.state);
        const bytes = manifestBytes(manifest);
        await ctx.deps.objects.put(`${input(ctx).prefix}manifest.json`, Readable.from([bytes]), { signal: ctx.signal, contentType: 'application/json' });
        return { manifestSha256: sha256(bytes) };
      },
    },
    {
      name: 'verify',
      timeoutSeconds: 5 * 3600,
      async run(ctx) {
        ctx.progress({ phase: 'verify' });
        const { backupId, prefix } = input(ctx);
        await verifyBackup(ctx.deps.objects, await ctx.deps.masterKey(), { id: backupId, prefix, manifestSha256: String(ctx.state.manifestSha256) });
        return { verifiedAt: new Date().toISOString() };
      },
    },
    {
      name: 'catalogue',
      timeoutSeconds: 30,
      async run(ctx) {
        const s = input(ctx);
        const objects = (ctx.state.objects as Record<string, StoredObject> | undefined) ?? {};
        await ctx.deps.catalogue.record({
          id: s.backupId,
          tenant: ctx.operation.tenant,
          kind: s.backupKind,
          status: 'verified',
          location: ctx.deps.objects.description,
          prefix: s.prefix,
          createdAt: new Date(s.createdAt),
          verifiedAt: new Date(String(ctx.state.verifiedAt)),
          keepUntil: s.keepUntil ? new Date(s.keepUntil) : null,
          storedBytes: Object.values(objects).reduce((sum, o) => sum + o.storedBytes, 0),
          manifestSha256: String(ctx.state.manifestSha256),
          manifest: buildManifest(ctx.operation, ctx.state) as unknown as Record<string, unknown>,
          operationId: ctx.operation.id,
        });
      },
      async undo(ctx) {
        await ctx.deps.catalogue.delete(input(ctx).backupId);
      },
    },
  ],
  onFinished(op, deps) {
    const s = op.state as unknown as BackupInput & { objects?: Record<string, StoredObject> };
    const labels = { tenant: op.tenant, type: s.backupKind };
    deps.metrics?.backups.inc({ ...labels, status: op.status === 'done' ? 'success' : 'failed' });
    if (op.status !== 'done') return;
    deps.metrics?.backupLastSuccess.set(labels, (op.finishedAt ?? new Date()).getTime() / 1000);
    deps.metrics?.backupBytes.set(labels, Object.values(s.objects ?? {}).reduce((sum, o) => sum + o.storedBytes, 0));
  },
};

export function buildManifest(op: Operation, state: Readonly<Record<string, unknown>>): BackupManifest {
  const s = state as unknown as BackupInput & { wrappedDataKey: string; wrappedN8nKey?: string; objects?: Record<string, StoredObject>; workflows?: ContentSummary | null; credentials?: ContentSummary | null; tables?: Record<string, number> };
  return {
    format: MANIFEST_FORMAT,
    id: s.backupId,
    tenant: op.tenant,
    kind: s.backupKind,
    mode: s.mode,
    createdAt: s.createdAt,
    n8nVersion: s.n8nVersion,
    operationId: op.id,
    encryption: { algorithm: 'AES-256-GCM', compression: 'gzip', wrappedDataKey: s.wrappedDataKey, ...(s.wrappedN8nKey ? { wrappedN8nKey: s.wrappedN8nKey } : {}) },
    objects: s.objects ?? {},
    workflows: s.workflows ?? null,
    credentials: s.credentials ?? null,
    tables: s.tables ?? {},
  };
}
