// Leader election: one row per lease, its expiry compared with the database
// clock, so two controllers on one PostgreSQL never both lead and a dead
// leader's lease runs out for the standby to take.
import type { Sql } from './sql.js';
import { toDate } from './rows.js';
import type { Lease, LeaseResult } from './types.js';
import { checkNonEmpty, checkPositiveInt } from './validate.js';

const MAX_TTL_MS = 24 * 60 * 60 * 1000;

export interface LeaseApi {
  /** Takes the lease when it is free, expired or already ours (then extends it). */
  tryAcquire(name: string, holder: string, ttlMs: number): Promise<LeaseResult>;
  /** Extends our lease if it has not expired; leader false when it expired or someone else holds it (step down). */
  renew(name: string, holder: string, ttlMs: number): Promise<LeaseResult>;
  /** Gives the lease up so a standby takes it at once; true when we held it. */
  release(name: string, holder: string): Promise<boolean>;
  /** The unexpired lease, if any. */
  get(name: string): Promise<Lease | undefined>;
}

interface Row {
  name: string;
  holder: string;
  acquired_at: unknown;
  renewed_at: unknown;
  expires_at: unknown;
}

const COLUMNS = 'name, holder, acquired_at, renewed_at, expires_at';

export function leaseApi(sql: Sql): LeaseApi {
  const current = async (name: string): Promise<Lease | undefined> => {
    const rows = await sql.query<Row>(`select ${COLUMNS} from leases where name = $1 and expires_at > now()`, [name]);
    return rows[0] ? toLease(rows[0]) : undefined;
  };
  const result = async (name: string, holder: string, mine: Row | undefined): Promise<LeaseResult> => {
    if (mine) return { leader: true, holder, expiresAt: toDate(mine.expires_at) };
    const other = await current(name);
    return { leader: false, holder: other?.holder, expiresAt: other?.expiresAt };
  };
  const check = (name: string, holder: string, ttlMs?: number) => {
    checkNonEmpty('lease name', name);
    checkNonEmpty('lease holder', holder);
    if (ttlMs !== undefined) checkPositiveInt('lease ttlMs', ttlMs, MAX_TTL_MS);
  };
  return {
    async tryAcquire(name, holder, ttlMs) {
      check(name, holder, ttlMs);
      const rows = await sql.query<Row>(
        `insert into leases (name, holder, acquired_at, renewed_at, expires_at)
         values ($1, $2, now(), now(), now() + $3::integer * interval '1 millisecond')
         on conflict (name) do update set
           holder = excluded.holder,
           acquired_at = case when leases.holder = excluded.holder and leases.expires_at > now() then leases.acquired_at else now() end,
           renewed_at = now(),
           expires_at = excluded.expires_at
         where leases.holder = excluded.holder or leases.expires_at <= now()
         returning ${COLUMNS}`,
        [name, holder, ttlMs],
      );
      return result(name, holder, rows[0]);
    },
    async renew(name, holder, ttlMs) {
      check(name, holder, ttlMs);
      const rows = await sql.query<Row>(
        `update leases set renewed_at = now(), expires_at = now() + $3::integer * interval '1 millisecond'
         where name = $1 and holder = $2 and expires_at > now() returning ${COLUMNS}`,
        [name, holder, ttlMs],
      );
      return result(name, holder, rows[0]);
    },
    async release(name, holder) {
      check(name, holder);
      const rows = await sql.query<Row>(`delete from leases where name = $1 and holder = $2 returning ${COLUMNS}`, [name, holder]);
      return rows.length > 0;
    },
    get: (name) => current(name),
  };
}

function toLease(row: Row): Lease {
  return { name: row.name, holder: row.holder, acquiredAt: toDate(row.acquired_at), renewedAt: toDate(row.renewed_at), expiresAt: toDate(row.expires_at) };
}
