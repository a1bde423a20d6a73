// The operations journal: multi-step work (promotion, upgrade, restore) whose
// progress survives a crash, so the controller can resume or roll back.
import { randomUUID } from 'node:crypto';
import { StoreError } from './errors.js';
import { applyTransition, initialSteps, type OperationTransition } from './operation-steps.js';
import type { Sql, SqlQuery } from './sql.js';
import { fromJson, textOrNull, toDate, toDateOrNull, toJson } from './rows.js';
import type { Operation, OperationStart, OperationStep } from './types.js';
import { checkName, checkNonEmpty, checkPositiveInt } from './validate.js';

export interface OperationsApi {
  /** Starts an operation with its first step running. Throws store.operation-in-progress when the tenant has an unfinished one. */
  start(input: OperationStart): Promise<Operation>;
  /** Marks the current step done and starts the next; the operation is done after the last. `state` merges shallowly. */
  advance(id: string, state?: Record<string, unknown>): Promise<Operation>;
  /** Marks the current step failed; the operation stays unfinished until rolled back or finished. With `atSteps`, only while the current step is one of them (else store.conflict), checked in the same transaction. */
  fail(id: string, error: string, state?: Record<string, unknown>, options?: { atSteps?: readonly string[] }): Promise<Operation>;
  /** Marks a done or failed step of a failed operation as rolled back. */
  rollBackStep(id: string, step: string, state?: Record<string, unknown>): Promise<Operation>;
  /** Closes a failed operation as `rolled-back` or `failed` (given up). */
  finish(id: string, outcome: 'rolled-back' | 'failed', state?: Record<string, unknown>): Promise<Operation>;
  get(id: string): Promise<Operation | undefined>;
  /** Operations not finished yet (running, or failed awaiting roll-back), oldest first. */
  listUnfinished(tenant?: string): Promise<Operation[]>;
  /** A tenant's operations, newest first. */
  list(tenant: string, limit?: number): Promise<Operation[]>;
  /** Operations of one kind across tenants, newest first. */
  listByKind(kind: string, limit?: number): Promise<Operation[]>;
  /** Each tenant's newest operation of one kind (finished or not), by tenant. */
  latestByKind(kind: string): Promise<Operation[]>;
}

interface Row {
  id: string;
  tenant: string;
  kind: string;
  status: Operation['status'];
  steps: unknown;
  current_step: unknown;
  state: unknown;
  error: unknown;
  started_at: unknown;
  updated_at: unknown;
  finished_at: unknown;
}

const COLUMNS = 'id, tenant, kind, status, steps, current_step, state, error, started_at, updated_at, finished_at';

export function operationsApi(sql: Sql): OperationsApi {
  const transition = (id: string, t: OperationTransition) => sql.transaction((tx) => transitionIn(tx, id, t));
  return {
    async start(input) {
      checkName('tenant', input.tenant);
      checkNonEmpty('operation kind', input.kind);
      const id = input.id ?? randomUUID();
      checkNonEmpty('operation id', id);
      const [clock] = await sql.query<{ now: unknown }>('select now() as now');
      const steps = initialSteps(input.steps, toDate(clock?.now));
      try {
        const [row] = await sql.query<Row>(
          `insert into operations (id, tenant, kind, status, steps, current_step, state)
           values ($1, $2, $3, 'running', ($4::text)::jsonb, 0, ($5::text)::jsonb) returning ${COLUMNS}`,
          [id, input.tenant, input.kind, toJson(steps), toJson(input.state ?? {})],
        );
        if (!row) throw new Error('insert into operations returned no row');
        return toOperation(row);
      } catch (error) {
        if (error instanceof StoreError && error.sqlState === '23505') throw await conflict(sql, input, id);
        throw error;
      }
    },
    advance: (id, state) => transition(id, { kind: 'advance', ...(state ? { state } : {}) }),
    fail: (id, error, state, options) => transition(id, { kind: 'fail', error, ...(state ? { state } : {}), ...(options?.atSteps ? { atSteps: options.atSteps } : {}) }),
    rollBackStep: (id, step, state) => transition(id, { kind: 'roll-back-step', step, ...(state ? { state } : {}) }),
    finish: (id, outcome, state) => transition(id, { kind: 'finish', outcome, ...(state ? { state } : {}) }),
    async get(id) {
      const rows = await sql.query<Row>(`select ${COLUMNS} from operations where id = $1`, [id]);
      return rows[0] ? toOperation(rows[0]) : undefined;
    },
    async listUnfinished(tenant) {
      const rows = tenant === undefined
        ? await sql.query<Row>(`select ${COLUMNS} from operations where finished_at is null order by started_at, id`)
        : await sql.query<Row>(`select ${COLUMNS} from operations where finished_at is null and tenant = $1 order by started_at, id`, [tenant]);
      return rows.map(toOperation);
    },
    async list(tenant, limit = 20) {
      checkPositiveInt('limit', limit, 1000);
      const rows = await sql.query<Row>(`select ${COLUMNS} from operations where tenant = $1 order by started_at desc, id limit $2`, [tenant, limit]);
      return rows.map(toOperation);
    },
    async listByKind(kind, limit = 100) {
      checkPositiveInt('limit', limit, 10_000);
      const rows = await sql.query<Row>(`select ${COLUMNS} from operations where kind = $1 order by started_at desc, id limit $2`, [kind, limit]);
      return rows.map(toOperation);
    },
    async latestByKind(kind) {
      const rows = await sql.query<Row>(`select distinct on (tenant) ${COLUMNS} from operations where kind = $1 order by tenant, started_at desc, id`, [kind]);
      return rows.map(toOperation);
    },
  };
}

async function transitionIn(tx: SqlQuery, id: string, transition: OperationTransition): Promise<Operation> {
  const [row] = await tx.query<Row & { now: unknown }>(`select ${COLUMNS}, now() as now from operations where id = $1 for update`, [id]);
  if (!row) throw new StoreError('store.not-found', `no operation with id ${id}`);
  const next = applyTransition(toOperation(row), transition, toDate(row.now));
  const [updated] = await tx.query<Row>(
    `update operations set status = $2, steps = ($3::text)::jsonb, current_step = $4, state = ($5::text)::jsonb, error = $6,
       updated_at = now(), finished_at = $7 where id = $1 returning ${COLUMNS}`,
    [id, next.status, toJson(next.steps), next.currentStep, toJson(next.state), next.error, next.finishedAt],
  );
  if (!updated) throw new Error(`operation ${id} vanished inside its transaction`);
  return toOperation(updated);
}

async function conflict(sql: Sql, input: OperationStart, id: string): Promise<StoreError> {
  const existing = await sql.query<{ id: string; kind: string; status: string }>(
    'select id, kind, status from operations where (tenant = $1 and finished_at is null) or id = $2 limit 1',
    [input.tenant, id],
  );
  const other = existing[0];
  if (other?.id === id) return new StoreError('store.conflict', `an operation with id ${id} already exists`);
  return new StoreError(
    'store.operation-in-progress',
    `tenant ${input.tenant} already has an unfinished ${other?.kind ?? 'operation'} (${other?.id ?? 'unknown id'}, ${other?.status ?? 'running'}); finish or roll it back before starting a ${input.kind}`,
  );
}

function toOperation(row: Row): Operation {
  const steps = fromJson<(Omit<OperationStep, 'startedAt' | 'finishedAt'> & { startedAt: string | null; finishedAt: string | null })[]>(row.steps, []);
  return {
    id: row.id,
    tenant: row.tenant,
    kind: row.kind,
    status: row.status,
    steps: steps.map((s) => ({ ...s, startedAt: toDateOrNull(s.startedAt), finishedAt: toDateOrNull(s.finishedAt) })),
    currentStep: Number(row.current_step),
    state: fromJson<Record<string, unknown>>(row.state, {}),
    error: textOrNull(row.error),
    startedAt: toDate(row.started_at),
    updatedAt: toDate(row.updated_at),
    finishedAt: toDateOrNull(row.finished_at),
  };
}
