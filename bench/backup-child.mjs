// Child of backup.bench.mjs: one backup of a dedicated tenant (dist/, real
// edges) and then a restore of it into an empty database, in its own process
// so its peak RSS is the backup's. Prints one JSON line. The master key comes
// from BENCH_MASTER_KEY (hex) when the parent restores the backup afterwards;
// the tenant gets an n8n key of its own, kept in the backup as any dedicated
// tenant's is, so a sandbox can start on the restore.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [storeUrl, adminUrl, tenant, bucket, restoreUrl] = process.argv.slice(2);
const { openStore } = await import(join(root, 'dist/controller/store/index.js'));
const { backupRuntime } = await import(join(root, 'dist/controller/backups/runtime.js'));
const { backupInput } = await import(join(root, 'dist/controller/backups/naming.js'));
const { restoreDatabase } = await import(join(root, 'dist/controller/backups/restore-database.js'));
const { s3ObjectStore, s3ClientConfig } = await import(join(root, 'dist/edges/object-store/index.js'));
const { createLogger } = await import(join(root, 'dist/kernel/log/logger.js'));

const masterKey = process.env.BENCH_MASTER_KEY ? Buffer.from(process.env.BENCH_MASTER_KEY, 'hex') : randomBytes(32);
const store = await openStore({ databaseUrl: storeUrl, masterKey, notify: () => undefined });
await store.secrets.set(tenant, 'encryption-key', randomBytes(24).toString('base64url'));
const objects = s3ObjectStore({ bucket, client: s3ClientConfig(process.env) });
const { engine } = backupRuntime({ store, objects, tenantDatabaseAdminUrl: adminUrl, logger: createLogger({ stream: { write: () => true }, level: 'error', env: {} }), runner: 'bench' });
const input = backupInput(tenant, 'manual', new Date(), { mode: 'dedicated', n8nVersion: null });
const started = performance.now();
const op = await engine.start('backup', tenant, { ...input });
// The dump is timed alone (prepare + dump-database), then the rest (manifest, read-back verify, catalogue).
await engine.step(op.id);
const dumpStart = performance.now();
await engine.step(op.id);
const dumpSeconds = (performance.now() - dumpStart) / 1000;
const end = await engine.runToEnd(op.id);
const backupSeconds = (performance.now() - started) / 1000;
if (end.status !== 'done') throw new Error(`backup failed: ${end.error}`);
const rssAfterBackup = process.resourceUsage().maxRSS * 1024;
const record = await store.backups.get(input.backupId);
const restoreStart = performance.now();
await restoreDatabase(objects, masterKey, record, restoreUrl);
const restoreSeconds = (performance.now() - restoreStart) / 1000;
await store.close();
console.log(JSON.stringify({ backupId: input.backupId, dumpSeconds, backupSeconds, restoreSeconds, storedBytes: record.storedBytes, plainBytes: record.manifest.objects.database.plainBytes, peakRssBytes: rssAfterBackup }));
