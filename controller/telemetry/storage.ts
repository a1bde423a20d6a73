// Storage figures of a tenant, pure: the bytes its data takes. A dedicated
// tenant's is its own database (pg_database_size) plus its Docker volumes
// (what `docker system df -v` shows, read from the engine's /system/df); a
// shared tenant's is its project's share of the shared n8n database
// (storage-source.ts). How each is measured: docs/metrics.md#storage.
import { LABEL, MANAGED_BY } from '../model.js';

/** One volume as the engine's /system/df lists it (the fields rp9 reads). */
export interface DfVolume {
  Name: string;
  Labels?: Record<string, string> | null;
  UsageData?: { Size?: number; RefCount?: number } | null;
}

/** What one storage read gives: the database's bytes, and for a dedicated tenant its volumes'. */
export interface StorageReading {
  databaseBytes: number;
  /** undefined for a shared tenant (no volume of its own) or when the engine did not size a volume. */
  volumeBytes?: number;
}

/**
 * Bytes of each tenant's volumes in `environment`, found by rp9's owner
 * labels. A volume the engine could not size (`UsageData.Size` -1, or a
 * driver that does not report it) makes its tenant's figure unknown rather
 * than too low.
 */
export function volumeBytesByTenant(volumes: readonly DfVolume[], environment: string): Map<string, number | undefined> {
  const byTenant = new Map<string, number | undefined>();
  for (const volume of volumes) {
    const labels = volume.Labels ?? {};
    if (labels[LABEL.managedBy] !== MANAGED_BY || labels[LABEL.environment] !== environment) continue;
    const tenant = labels[LABEL.tenant];
    if (!tenant) continue;
    const size = volume.UsageData?.Size;
    const known = typeof size === 'number' && Number.isFinite(size) && size >= 0;
    const before = byTenant.has(tenant) ? byTenant.get(tenant) : 0;
    byTenant.set(tenant, known && before !== undefined ? before + size : undefined);
  }
  return byTenant;
}

/** The tenant's storage in bytes: database plus volumes (a shared tenant has none). */
export function storageBytesOf(reading: StorageReading): number {
  return reading.databaseBytes + (reading.volumeBytes ?? 0);
}
