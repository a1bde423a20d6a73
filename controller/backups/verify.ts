// `rp9 backup verify`: download every object of a backup, decrypt it, and
// check sizes and hashes against its manifest, and the manifest against the
// catalogue. Nothing is written anywhere.
import type { ObjectStore } from '../../edges/object-store/index.js';
import { unwrapDataKey } from './envelope.js';
import { BackupError } from './errors.js';
import { parseManifest, sha256, type BackupManifest } from './manifest.js';
import { readDecrypted } from './objects.js';

export interface VerifyResult {
  id: string;
  ok: true;
  objects: { name: string; plainBytes: number; storedBytes: number }[];
  workflows: number | null;
  credentials: number | null;
}

export async function readManifest(objects: ObjectStore, backup: { id: string; prefix: string; manifestSha256: string }): Promise<BackupManifest> {
  const key = `${backup.prefix}manifest.json`;
  let bytes: Buffer;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await objects.get(key)) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  } catch (error) {
    if ((error as { code?: string }).code === 'objects.missing') throw new BackupError('backup.object-missing', `backup ${backup.id}: object manifest.json (${objects.description}/${key}) is missing`);
    throw error;
  }
  const actual = sha256(bytes);
  if (actual !== backup.manifestSha256) {
    throw new BackupError('backup.hash-mismatch', `backup ${backup.id}: object manifest.json (${objects.description}/${key}) has sha256 ${actual}, the catalogue recorded ${backup.manifestSha256}`);
  }
  return parseManifest(bytes, backup.id);
}

export async function verifyBackup(objects: ObjectStore, masterKey: Buffer, backup: { id: string; prefix: string; manifestSha256: string }): Promise<VerifyResult> {
  const manifest = await readManifest(objects, backup);
  const dataKey = unwrapDataKey(manifest.encryption.wrappedDataKey, masterKey, backup.id);
  const out: VerifyResult['objects'] = [];
  for (const [name, object] of Object.entries(manifest.objects)) {
    const read = await readDecrypted(objects, backup.id, name, object, dataKey);
    out.push({ name, plainBytes: read.plainBytes, storedBytes: object.storedBytes });
  }
  return { id: backup.id, ok: true, objects: out, workflows: manifest.workflows?.count ?? null, credentials: manifest.credentials?.count ?? null };
}
