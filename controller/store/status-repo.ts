// Tenant status: phase, conditions and what was last observed and applied.
import type { TenantPhase } from '../model.js';
import { setCondition } from './conditions.js';
import type { Sql, SqlQuery } from './sql.js';
import { fromJson, textOrNull, toDate, toJson } from './rows.js';
import type { Condition, TenantStatus, TenantStatusUpdate } from './types.js';
import { checkName, checkOneOf } from './validate.js';

export const TENANT_PHASES: readonly TenantPhase[] = ['provisioning', 'active', 'suspended', 'migrating', 'failed'];

export interface StatusApi {
  get(tenant: string): Promise<TenantStatus | undefined>;
  /** Every tenant with a status, by name. */
  list(): Promise<TenantStatus[]>;
  /** Creates the row (phase `provisioning` unless given) or changes the given fields; conditions merge with setCondition. */
  update(tenant: string, update: TenantStatusUpdate): Promise<TenantStatus>;
  /** Removes a tenant's status (it left git and was deleted); true when there was one. */
  remove(tenant: string): Promise<boolean>;
}

interface Row {
  tenant: string;
  phase: TenantPhase;
  conditions: unknown;
  observed_commit: unknown;
  observed_generation: unknown;
  applied_spec_hash: unknown;
  applied_commit: unknown;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = 'tenant, phase, conditions, observed_commit, observed_generation, applied_spec_hash, applied_commit, created_at, updated_at';

export function statusApi(sql: Sql): StatusApi {
  return {
    async get(tenant) {
      const rows = await sql.query<Row>(`select ${COLUMNS} from tenant_status where tenant = $1`, [tenant]);
      return rows[0] ? toStatus(rows[0]) : undefined;
    },
    async list() {
      const rows = await sql.query<Row>(`select ${COLUMNS} from tenant_status order by tenant`);
      return rows.map(toStatus);
    },
    async update(tenant, update) {
      checkName('tenant', tenant);
      if (update.phase !== undefined) checkOneOf('phase', update.phase, TENANT_PHASES);
      return sql.transaction((tx) => updateIn(tx, tenant, update));
    },
    async remove(tenant) {
      const rows = await sql.query<{ tenant: string }>('delete from tenant_status where tenant = $1 returning tenant', [tenant]);
      return rows.length > 0;
    },
  };
}

async function updateIn(tx: SqlQuery, tenant: string, update: TenantStatusUpdate): Promise<TenantStatus> {
  await tx.query(`insert into tenant_status (tenant, phase) values ($1, $2) on conflict (tenant) do nothing`, [tenant, update.phase ?? 'provisioning']);
  const [locked] = await tx.query<Row & { now: unknown }>(`select ${COLUMNS}, now() as now from tenant_status where tenant = $1 for update`, [tenant]);
  if (!locked) throw new Error(`tenant_status row for ${tenant} vanished inside its transaction`);
  const current = toStatus(locked);
  const now = toDate(locked.now);
  let conditions = current.conditions;
  for (const input of update.conditions ?? []) conditions = setCondition(conditions, input, now);
  const next = {
    phase: update.phase ?? current.phase,
    observedCommit: pick(update, 'observedCommit', current),
    observedGeneration: pick(update, 'observedGeneration', current),
    appliedSpecHash: pick(update, 'appliedSpecHash', current),
    appliedCommit: pick(update, 'appliedCommit', current),
  };
  const [row] = await tx.query<Row>(
    `update tenant_status set phase = $2, conditions = ($3::text)::jsonb, observed_commit = $4, observed_generation = $5,
       applied_spec_hash = $6, applied_commit = $7, updated_at = now()
     where tenant = $1 returning ${COLUMNS}`,
    [tenant, next.phase, toJson(conditions), next.observedCommit, next.observedGeneration, next.appliedSpecHash, next.appliedCommit],
  );
  if (!row) throw new Error(`tenant_status row for ${tenant} vanished inside its transaction`);
  return toStatus(row);
}

type NullableField = 'observedCommit' | 'observedGeneration' | 'appliedSpecHash' | 'appliedCommit';

function pick(update: TenantStatusUpdate, field: NullableField, current: TenantStatus): string | null {
  return update[field] === undefined ? current[field] : update[field];
}

function toStatus(row: Row): TenantStatus {
  const stored = fromJson<(Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime: string })[]>(row.conditions, []);
  return {
    tenant: row.tenant,
    phase: row.phase,
    conditions: stored.map((c) => ({ ...c, lastTransitionTime: toDate(c.lastTransitionTime) })),
    observedCommit: textOrNull(row.observed_commit),
    observedGeneration: textOrNull(row.observed_generation),
    appliedSpecHash: textOrNull(row.applied_spec_hash),
    appliedCommit: textOrNull(row.applied_commit),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
