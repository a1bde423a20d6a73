// Reads a backup's workflows or credentials export back into memory, after
// the whole backup verified: the decrypted credentials are handed to n8n's
// import (which encrypts them with the target's own key) and nowhere else.
import { Writable } from 'node:stream';
import type { ObjectStore } from '../../edges/object-store/index.js';
import { unwrapDataKey } from './envelope.js';
import { BackupError } from './errors.js';
import { readDecrypted } from './objects.js';
import { readManifest, verifyBackup } from './verify.js';

export async function readExport(objects: ObjectStore, masterKey: Buffer, backup: { id: string; prefix: string; manifestSha256: string }, what: 'workflows' | 'credentials'): Promise<Record<string, unknown>[]> {
  await verifyBackup(objects, masterKey, backup);
  const manifest = await readManifest(objects, backup);
  const object = manifest.objects[what];
  if (!object) throw new BackupError('backup.object-missing', `backup ${backup.id} has no ${what} export (it was taken without n8n)`);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await readDecrypted(objects, backup.id, what, object, unwrapDataKey(manifest.encryption.wrappedDataKey, masterKey, backup.id), sink);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[];
}
