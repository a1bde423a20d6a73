// Restores a backup's database dump into an empty database: the whole backup
// is verified first (nothing is restored from bad data), then the dump is
// streamed again, decrypted, into pg_restore (as `role` when given: a
// sandbox's n8n connects as its own role and must own the tables).
import type { ObjectStore } from '../../edges/object-store/index.js';
import { unwrapDataKey } from './envelope.js';
import { BackupError } from './errors.js';
import { readDecrypted } from './objects.js';
import { pgRestore } from './pg-dump.js';
import { readManifest, verifyBackup } from './verify.js';

export async function restoreDatabase(objects: ObjectStore, masterKey: Buffer, backup: { id: string; prefix: string; manifestSha256: string }, targetUrl: string, options: { role?: string } = {}): Promise<{ plainBytes: number }> {
  await verifyBackup(objects, masterKey, backup);
  const manifest = await readManifest(objects, backup);
  const database = manifest.objects.database;
  if (!database) throw new BackupError('backup.object-missing', `backup ${backup.id} has no database object (it is a backup of a shared tenant)`);
  const dataKey = unwrapDataKey(manifest.encryption.wrappedDataKey, masterKey, backup.id);
  const restore = pgRestore(targetUrl, options);
  try {
    const read = await readDecrypted(objects, backup.id, 'database', database, dataKey, restore.stdin);
    await restore.done;
    return read;
  } catch (error) {
    restore.kill();
    throw (await restore.done.then(() => undefined, (e: unknown) => e)) ?? error;
  }
}
