// Shared tenants' members on the shared n8n (migration 004): what rp9 knows
// that n8n does not say back — the tenant a user belongs to, its invitation
// link, and the workflows rp9 deactivated to suspend the tenant.
import type { Sql } from './sql.js';
import { fromJson, textOrNull, toDate } from './rows.js';
import { checkName, checkNonEmpty } from './validate.js';

export interface SharedMember {
  tenant: string;
  email: string;
  userId: string;
  projectId: string | null;
  acceptUrl: string | null;
  /** rp9 disabled the user (the tenant left git). */
  disabled: boolean;
  /** The workflow ids rp9 deactivated to suspend the tenant; null while not suspended. */
  suspendedWorkflows: string[] | null;
  updatedAt: Date;
}

export type SharedMemberUpdate = Partial<Omit<SharedMember, 'tenant' | 'updatedAt'>>;

export interface SharedMembersApi {
  get(tenant: string): Promise<SharedMember | undefined>;
  list(): Promise<SharedMember[]>;
  /** Creates the row (email and userId required then) or changes the given fields. */
  upsert(tenant: string, update: SharedMemberUpdate): Promise<SharedMember>;
  /** Forgets the member (after a purge deleted the user); true when there was one. */
  remove(tenant: string): Promise<boolean>;
}

interface Row {
  tenant: string;
  email: string;
  user_id: string;
  project_id: unknown;
  accept_url: unknown;
  disabled: boolean;
  suspended_workflows: unknown;
  updated_at: unknown;
}

const COLUMNS = 'tenant, email, user_id, project_id, accept_url, disabled, suspended_workflows, updated_at';

function toMember(row: Row): SharedMember {
  const suspended = fromJson<string[] | null>(row.suspended_workflows, null);
  return {
    tenant: row.tenant,
    email: row.email,
    userId: row.user_id,
    projectId: textOrNull(row.project_id),
    acceptUrl: textOrNull(row.accept_url),
    disabled: row.disabled === true,
    suspendedWorkflows: suspended === null ? null : [...suspended],
    updatedAt: toDate(row.updated_at),
  };
}

export function sharedMembersApi(sql: Sql): SharedMembersApi {
  async function get(tenant: string): Promise<SharedMember | undefined> {
    const rows = await sql.query<Row>(`select ${COLUMNS} from shared_members where tenant = $1`, [tenant]);
    return rows[0] ? toMember(rows[0]) : undefined;
  }
  return {
    get,
    async list() {
      return (await sql.query<Row>(`select ${COLUMNS} from shared_members order by tenant`)).map(toMember);
    },
    async upsert(tenant, update) {
      checkName('tenant', tenant);
      const current = await get(tenant);
      const next = {
        email: update.email ?? current?.email,
        userId: update.userId ?? current?.userId,
        projectId: update.projectId !== undefined ? update.projectId : current?.projectId ?? null,
        acceptUrl: update.acceptUrl !== undefined ? update.acceptUrl : current?.acceptUrl ?? null,
        disabled: update.disabled ?? current?.disabled ?? false,
        suspendedWorkflows: update.suspendedWorkflows !== undefined ? update.suspendedWorkflows : current?.suspendedWorkflows ?? null,
      };
      checkNonEmpty('email', next.email ?? '');
      checkNonEmpty('userId', next.userId ?? '');
      const rows = await sql.query<Row>(
        `insert into shared_members (tenant, email, user_id, project_id, accept_url, disabled, suspended_workflows, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7::jsonb, now())
         on conflict (tenant) do update set email = excluded.email, user_id = excluded.user_id, project_id = excluded.project_id,
           accept_url = excluded.accept_url, disabled = excluded.disabled, suspended_workflows = excluded.suspended_workflows, updated_at = now()
         returning ${COLUMNS}`,
        [tenant, next.email as string, next.userId as string, next.projectId, next.acceptUrl, next.disabled, next.suspendedWorkflows === null ? null : JSON.stringify(next.suspendedWorkflows)],
      );
      return toMember(rows[0] as Row);
    },
    async remove(tenant) {
      return (await sql.query<{ tenant: string }>('delete from shared_members where tenant = $1 returning tenant', [tenant])).length > 0;
    },
  };
}
