// The export a promotion carries from the shared n8n to the dedicated one:
// workflows and decrypted credentials, sealed (AES-256-GCM under the master
// key, bound to the operation id) in a 0600 file, so the credentials are in
// clear only in memory. The journal holds the file's path, never its content.
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { decryptSecret, encryptSecret } from '../secrets/cipher.js';
import { OperationError } from '../operations/kind.js';

export interface TenantExport {
  workflows: Record<string, unknown>[];
  credentials: Record<string, unknown>[];
}

export function sealedExportPath(dir: string, operationId: string): string {
  return join(dir, `promotion-${operationId}.sealed`);
}

export async function writeSealedExport(dir: string, operationId: string, masterKey: Buffer, data: TenantExport): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = sealedExportPath(dir, operationId);
  const sealed = encryptSecret(JSON.stringify(data), masterKey, `promotion/${operationId}`);
  await writeFile(`${path}.partial`, sealed, { mode: 0o600 });
  await rename(`${path}.partial`, path);
  return path;
}

export async function readSealedExport(path: string, operationId: string, masterKey: Buffer): Promise<TenantExport> {
  let sealed: string;
  try {
    sealed = await readFile(path, 'utf8');
  } catch (error) {
    throw new OperationError('promotion.export-missing', `promotion ${operationId}: the sealed export ${path} is gone (${(error as NodeJS.ErrnoException).code ?? String(error)}); the export step must run again`);
  }
  try {
    return JSON.parse(decryptSecret(sealed, masterKey, `promotion/${operationId}`)) as TenantExport;
  } catch (error) {
    throw new OperationError('promotion.export-unreadable', `promotion ${operationId}: the sealed export ${path} does not open with this master key: ${(error as Error).message}`);
  }
}

export async function removeSealedExport(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.partial`, { force: true });
}
