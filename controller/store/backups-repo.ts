// The backup catalogue: complete backups, newest first. A row is written once,
// whole, when its backup is complete; pruning deletes it with its objects.
import type { Sql } from './sql.js';
import { fromJson, toDate, toDateOrNull } from './rows.js';
import { checkName, checkNonEmpty, checkPositiveInt } from './validate.js';

export interface BackupRecord {
  id: string;
  tenant: string;
  /** daily | weekly | monthly | manual | pre-migration | pre-upgrade | pre-restore */
  kind: string;
  status: 'completed' | 'verified';
  /** Where the objects are: `s3://bucket` or `file:///…`. */
  location: string;
  prefix: string;
  createdAt: Date;
  completedAt: Date;
  verifiedAt: Date | null;
  /** Kept at least until then (manual --keep, pre-* backups); null: retention by kind. */
  keepUntil: Date | null;
  storedBytes: number;
  manifestSha256: string;
  manifest: Record<string, unknown>;
  operationId: string | null;
}

export type BackupInsert = Omit<BackupRecord, 'completedAt'>;

export interface BackupsApi {
  /** Inserts a complete backup; a second insert of the same id is a no-op (idempotent step). */
  record(entry: BackupInsert): Promise<BackupRecord>;
  get(id: string): Promise<BackupRecord | undefined>;
  /** Newest first; one tenant's or all. */
  list(tenant?: string, limit?: number): Promise<BackupRecord[]>;
  markVerified(id: string): Promise<void>;
  delete(id: string): Promise<void>;
}

interface Row {
  id: string;
  tenant: string;
  kind: string;
  status: BackupRecord['status'];
  location: string;
  prefix: string;
  created_at: unknown;
  completed_at: unknown;
  verified_at: unknown;
  keep_until: unknown;
  stored_bytes: unknown;
  manifest_sha256: string;
  manifest: unknown;
  operation_id: string | null;
}

const COLUMNS = 'id, tenant, kind, status, location, prefix, created_at, completed_at, verified_at, keep_until, stored_bytes, manifest_sha256, manifest, operation_id';

export function backupsApi(sql: Sql): BackupsApi {
  const get = async (id: string) => {
    const rows = await sql.query<Row>(`select ${COLUMNS} from backups where id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  };
  return {
    async record(entry) {
      checkName('tenant', entry.tenant);
      checkNonEmpty('backup id', entry.id);
      await sql.query(
        `insert into backups (id, tenant, kind, status, location, prefix, created_at, verified_at, keep_until, stored_bytes, manifest_sha256, manifest, operation_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ($12::text)::jsonb, $13) on conflict (id) do nothing`,
        [entry.id, entry.tenant, entry.kind, entry.status, entry.location, entry.prefix, entry.createdAt, entry.verifiedAt, entry.keepUntil, entry.storedBytes, entry.manifestSha256, JSON.stringify(entry.manifest), entry.operationId],
      );
      const row = await get(entry.id);
      if (!row) throw new Error(`backup ${entry.id} vanished after its insert`);
      return row;
    },
    get,
    async list(tenant, limit = 1000) {
      checkPositiveInt('limit', limit, 100_000);
      const rows = tenant === undefined
        ? await sql.query<Row>(`select ${COLUMNS} from backups order by created_at desc, id limit $1`, [limit])
        : await sql.query<Row>(`select ${COLUMNS} from backups where tenant = $1 order by created_at desc, id limit $2`, [tenant, limit]);
      return rows.map(toRecord);
    },
    async markVerified(id) {
      await sql.query(`update backups set status = 'verified', verified_at = now() where id = $1`, [id]);
    },
    async delete(id) {
      await sql.query('delete from backups where id = $1', [id]);
    },
  };
}

function toRecord(row: Row): BackupRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    kind: row.kind,
    status: row.status,
    location: row.location,
    prefix: row.prefix,
    createdAt: toDate(row.created_at),
    completedAt: toDate(row.completed_at),
    verifiedAt: toDateOrNull(row.verified_at),
    keepUntil: toDateOrNull(row.keep_until),
    storedBytes: Number(row.stored_bytes),
    manifestSha256: row.manifest_sha256,
    manifest: fromJson<Record<string, unknown>>(row.manifest, {}),
    operationId: row.operation_id,
  };
}
