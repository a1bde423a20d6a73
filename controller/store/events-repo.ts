// The audit/event log: what happened, to which tenant, who did it, at which commit.
import type { Sql, SqlParam } from './sql.js';
import { fromJson, textOrNull, toDate, toJson } from './rows.js';
import type { EventInput, EventQuery, EventType, StoreEvent } from './types.js';
import { checkName, checkNonEmpty, checkOneOf, checkPositiveInt, checkReason, invalid } from './validate.js';

export const EVENT_TYPES: readonly EventType[] = ['Normal', 'Warning'];
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

export interface EventsApi {
  record(event: EventInput): Promise<StoreEvent>;
  /** Newest first. */
  recent(query?: EventQuery): Promise<StoreEvent[]>;
}

interface Row {
  id: unknown;
  time: unknown;
  tenant: unknown;
  type: EventType;
  reason: string;
  message: string;
  actor: string;
  commit: unknown;
  correlation_id: unknown;
  data: unknown;
}

const COLUMNS = 'id, time, tenant, type, reason, message, actor, commit, correlation_id, data';

export function eventsApi(sql: Sql): EventsApi {
  return {
    async record(event) {
      checkEvent(event);
      const [row] = await sql.query<Row>(
        `insert into events (tenant, type, reason, message, actor, commit, correlation_id, data)
         values ($1, $2, $3, $4, $5, $6, $7, ($8::text)::jsonb) returning ${COLUMNS}`,
        [event.tenant ?? null, event.type, event.reason, event.message, event.actor, event.commit ?? null, event.correlationId ?? null, toJson(event.data)],
      );
      if (!row) throw new Error('insert into events returned no row');
      return toEvent(row);
    },
    async recent(query = {}) {
      const limit = query.limit ?? DEFAULT_LIMIT;
      checkPositiveInt('limit', limit, MAX_LIMIT);
      const where: string[] = [];
      const params: SqlParam[] = [];
      if (query.tenant === null) where.push('tenant is null');
      if (typeof query.tenant === 'string') {
        params.push(query.tenant);
        where.push(`tenant = $${params.length}`);
      }
      if (query.correlationId !== undefined) {
        params.push(query.correlationId);
        where.push(`correlation_id = $${params.length}`);
      }
      if (query.since !== undefined) {
        params.push(query.since);
        where.push(`time >= $${params.length}`);
      }
      params.push(limit);
      const rows = await sql.query<Row>(
        `select ${COLUMNS} from events ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
        params,
      );
      return rows.map(toEvent);
    },
  };
}

function checkEvent(event: EventInput): void {
  if (event.tenant !== undefined && event.tenant !== null) checkName('event tenant', event.tenant);
  checkOneOf('event type', event.type, EVENT_TYPES);
  checkReason('event reason', event.reason);
  checkNonEmpty('event actor', event.actor);
  if (typeof event.message !== 'string') throw invalid('event message must be a string');
}

function toEvent(row: Row): StoreEvent {
  return {
    id: Number(row.id),
    time: toDate(row.time),
    tenant: textOrNull(row.tenant),
    type: row.type,
    reason: row.reason,
    message: row.message,
    actor: row.actor,
    commit: textOrNull(row.commit),
    correlationId: textOrNull(row.correlation_id),
    data: fromJson<Record<string, unknown>>(row.data, {}),
  };
}
