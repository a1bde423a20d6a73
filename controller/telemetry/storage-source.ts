// The collector's storage edge. A dedicated tenant: `pg_database_size` of its
// live database, plus the size of its Docker volumes from the engine's
// /system/df (the figures of `docker system df -v`), one df read shared by
// every tenant of a pass and kept for `volumeMaxAgeMs` (the engine walks each
// volume to size it, so it is not read every minute). A shared tenant: the
// bytes its personal project's rows take in the shared n8n database (see
// readProjectStorageBytes).
import type Docker from 'dockerode';
import type pg from 'pg';
import { clientConfig, tableName, withClient, type ConnectionTarget } from './pg-connection.js';
import { volumeBytesByTenant, type DfVolume, type StorageReading } from './storage.js';
import { TelemetryError, type TelemetryTarget } from './types.js';

/** Bytes of the tenant's own database, as PostgreSQL counts them (tables, indexes, TOAST, free space). */
export async function readDatabaseBytes(client: pg.ClientBase): Promise<number> {
  const result = await client.query<{ bytes: string }>('select pg_database_size(current_database()) as bytes');
  return Number(result.rows[0]?.bytes ?? 0);
}

/**
 * A shared tenant's share of the shared n8n database: the stored bytes
 * (`pg_column_size`, so compressed and TOASTed values count as stored) of
 * the rows of the workflows its project owns (`shared_workflow`, role
 * `workflow:owner`): their `workflow_entity` rows, their `workflow_history`
 * versions (when the table exists), their executions' `execution_entity`
 * rows and `execution_data` (the run data and the workflow snapshot, which
 * is where the bytes are). Indexes and free space are not apportioned.
 */
export async function readProjectStorageBytes(client: pg.ClientBase, projectId: string, tablePrefix = ''): Promise<number> {
  const t = (name: string) => tableName(tablePrefix, name);
  const history = await client.query<{ found: string | null }>('select to_regclass($1)::text as found', [`${tablePrefix}workflow_history`]);
  const historyPart = history.rows[0]?.found
    ? `+ coalesce((select sum(pg_column_size(h.*)) from ${t('workflow_history')} h join owned o on o.id = h."workflowId"), 0)`
    : '';
  const result = await client.query<{ bytes: string }>(
    `with owned as (select s."workflowId" as id from ${t('shared_workflow')} s where s.role = 'workflow:owner' and s."projectId" = $1)
     select coalesce((select sum(pg_column_size(w.*)) from ${t('workflow_entity')} w join owned o on o.id = w.id), 0)
          ${historyPart}
          + coalesce((select sum(pg_column_size(e.*)) from ${t('execution_entity')} e join owned o on o.id = e."workflowId"), 0)
          + coalesce((select sum(pg_column_size(d.data) + pg_column_size(d."workflowData"))
                        from ${t('execution_data')} d join ${t('execution_entity')} e on e.id = d."executionId" join owned o on o.id = e."workflowId"), 0)
          as bytes`,
    [projectId],
  );
  return Number(result.rows[0]?.bytes ?? 0);
}

/** Every rp9 volume's size in one engine call (`GET /system/df?type=volume`). */
export async function readDfVolumes(docker: Docker, signal: AbortSignal): Promise<DfVolume[]> {
  const data = await new Promise<{ Volumes?: DfVolume[] | null }>((resolve, reject) => {
    docker.modem.dial(
      { path: '/system/df?', method: 'GET', options: { type: 'volume' }, abortSignal: signal, statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' } } as Parameters<Docker['modem']['dial']>[0],
      (err: unknown, result: unknown) => (err ? reject(err) : resolve(result as { Volumes?: DfVolume[] | null })),
    );
  });
  return data.Volumes ?? [];
}

export type VolumeSizes = (signal: AbortSignal) => Promise<Map<string, number | undefined>>;

/**
 * The sizes of rp9's volumes in `environment` by tenant, from one df read
 * that serves for `maxAgeMs` (the engine walks every volume to size it, so it
 * is not asked every pass) and for every tenant asking meanwhile. A failed
 * read is forgotten, so the next asker tries again.
 */
export function createVolumeSizes(docker: Docker, options: { maxAgeMs?: number; clock?: () => number } = {}): (environment: string) => VolumeSizes {
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const clock = options.clock ?? Date.now;
  let cached: { at: number; environment: string; sizes: Promise<Map<string, number | undefined>> } | undefined;
  return (environment) => (signal) => {
    if (cached && cached.environment === environment && clock() - cached.at < maxAgeMs) return cached.sizes;
    const sizes = readDfVolumes(docker, signal).then((list) => volumeBytesByTenant(list, environment));
    const entry = { at: clock(), environment, sizes };
    cached = entry;
    sizes.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return sizes;
  };
}

export interface StorageSourceOptions {
  /** Connection to a dedicated tenant's live n8n database. */
  dedicatedDatabase(tenant: string): ConnectionTarget;
  /** The shared instance's database; without it shared tenants have no storage figure. */
  sharedDatabase?: ConnectionTarget;
  projectIdFor?(tenant: string): string | undefined | Promise<string | undefined>;
  /** The tenants' volume sizes (createVolumeSizes); without it dedicated tenants count their database only. */
  volumes?: VolumeSizes;
  statementTimeoutMs?: number;
  tablePrefix?: string;
}

export type StorageSource = (target: TelemetryTarget, signal: AbortSignal) => Promise<StorageReading>;

/** The `storage` edge for TelemetrySources, one short connection per tenant read. */
export function createStorageSource(options: StorageSourceOptions): StorageSource {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const volumes: VolumeSizes = options.volumes ?? (() => Promise.resolve(new Map()));

  return async function storage(target, signal) {
    if (target.mode === 'dedicated') {
      const config = clientConfig(options.dedicatedDatabase(target.tenant), statementTimeoutMs);
      const [databaseBytes, byTenant] = await Promise.all([withClient(config, signal, readDatabaseBytes), volumes(signal)]);
      if (byTenant.has(target.tenant) && byTenant.get(target.tenant) === undefined) {
        throw new TelemetryError('telemetry.storage-failed', `tenant ${target.tenant}: the Docker engine did not size its volume`);
      }
      return { databaseBytes, volumeBytes: byTenant.get(target.tenant) ?? 0 };
    }
    if (!options.sharedDatabase) throw new TelemetryError('telemetry.no-project', `shared tenant ${target.tenant}: no shared database configured`);
    const projectId = await options.projectIdFor?.(target.tenant);
    if (!projectId) throw new TelemetryError('telemetry.no-project', `shared tenant ${target.tenant} has no personal project on the shared instance`);
    const config = clientConfig(options.sharedDatabase, statementTimeoutMs);
    const databaseBytes = await withClient(config, signal, (client) => readProjectStorageBytes(client, projectId, options.tablePrefix));
    return { databaseBytes };
  };
}
