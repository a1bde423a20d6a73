// The manifest of one backup: what it holds and how to check it. Stored in
// clear next to the data (`manifest.json`) and in the catalogue; it holds
// hashes, counts and the wrapped data key, never a secret in clear.
import { createHash } from 'node:crypto';
import { BackupError } from './errors.js';
import type { StoredObject } from './objects.js';

export const MANIFEST_FORMAT = 'rp9.backup/v1';

export interface ContentSummary {
  count: number;
  /** sha256 over the sorted per-item hashes: equal sets of items give equal hashes. */
  sha256: string;
  items: { id: string; name: string; sha256: string }[];
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  id: string;
  tenant: string;
  kind: string;
  mode: 'dedicated' | 'shared';
  createdAt: string;
  n8nVersion: string | null;
  operationId: string;
  /** wrappedN8nKey: the dedicated tenant's n8n encryption key, wrapped by the master key (envelope.ts); absent for shared tenants. */
  encryption: { algorithm: 'AES-256-GCM'; compression: 'gzip'; wrappedDataKey: string; wrappedN8nKey?: string };
  /** database (dedicated), workflows, credentials: each an encrypted object under the backup's prefix. */
  objects: Record<string, StoredObject>;
  workflows: ContentSummary | null;
  credentials: ContentSummary | null;
  /** Row counts of the main n8n tables at dump time (dedicated). */
  tables: Record<string, number>;
}

export function manifestBytes(manifest: BackupManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parses and checks a manifest read back from a store; backup.manifest-invalid names what is wrong. */
export function parseManifest(bytes: Buffer, backupId: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new BackupError('backup.manifest-invalid', `backup ${backupId}: manifest.json is not JSON: ${(error as Error).message}`);
  }
  const m = value as Partial<BackupManifest>;
  const bad = (field: string) => new BackupError('backup.manifest-invalid', `backup ${backupId}: manifest.json field ${field} is missing or invalid`);
  if (m?.format !== MANIFEST_FORMAT) throw bad('format');
  if (m.id !== backupId) throw bad(`id (it says ${JSON.stringify(m.id)})`);
  if (typeof m.tenant !== 'string') throw bad('tenant');
  if (typeof m.encryption?.wrappedDataKey !== 'string') throw bad('encryption.wrappedDataKey');
  if (m.encryption.wrappedN8nKey !== undefined && typeof m.encryption.wrappedN8nKey !== 'string') throw bad('encryption.wrappedN8nKey');
  if (!m.objects || typeof m.objects !== 'object') throw bad('objects');
  for (const [name, o] of Object.entries(m.objects)) {
    if (typeof o?.key !== 'string' || typeof o.storedSha256 !== 'string' || typeof o.plainSha256 !== 'string' || typeof o.storedBytes !== 'number') throw bad(`objects.${name}`);
  }
  return m as BackupManifest;
}

/** Counts and content hashes of an n8n export (an array of workflows or credentials with `id` and `name`). */
export function summarizeExport(items: readonly Record<string, unknown>[], fields: (item: Record<string, unknown>) => unknown): ContentSummary {
  const summary = items
    .map((item) => ({ id: String(item.id ?? ''), name: String(item.name ?? ''), sha256: sha256(canonicalJson(fields(item))) }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { count: summary.length, sha256: sha256(summary.map((s) => `${s.id}:${s.sha256}`).join('\n')), items: summary };
}

/** JSON with object keys sorted, so equal content hashes equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The parts of a workflow that make it the same workflow on another instance (ids, nodes, connections, settings). */
export function workflowContent(item: Record<string, unknown>): unknown {
  return { id: item.id, name: item.name, nodes: item.nodes, connections: item.connections, settings: item.settings ?? null, staticData: item.staticData ?? null, pinData: item.pinData ?? null };
}

/** The parts of a credential that make it the same credential (its decrypted data included). */
export function credentialContent(item: Record<string, unknown>): unknown {
  return { id: item.id, name: item.name, type: item.type, data: item.data };
}
