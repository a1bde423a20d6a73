// Reading and writing trace directories (docs/simulate.md#trace-format):
// `*.csv` and `*.jsonl` rows of time, tenant, executions_per_min,
// queue_wait_p95_s, cpu_percent, mem_percent; an optional `tenants.jsonl`
// says each tenant's plan, mode, service time and recorded allocation.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SimError } from './errors.js';
import { queueMinute } from './queueing.js';
import { waitP95 } from './queueing.js';
import { EXECUTIONS_PER_WORKER, MINUTE_MS, emptyDemand, recordedCores, recordedMemoryMb, type DemandSource, type RecordedAllocation, type TenantMeta, type TenantMode } from './trace.js';

export const TRACE_COLUMNS = ['time', 'tenant', 'executions_per_min', 'queue_wait_p95_s', 'cpu_percent', 'mem_percent'] as const;
export const TENANTS_FILE = 'tenants.jsonl';
export const DEFAULT_SERVICE_SECONDS = 10;

type Column = (typeof TRACE_COLUMNS)[number];

interface Row {
  time: number;
  tenant: string;
  executionsPerMinute: number;
  cpuPercent: number;
  memPercent: number;
  file: string;
  line: number;
}

export interface PlanAllocations {
  [plan: string]: RecordedAllocation;
}

function numberField(raw: unknown, field: Column, file: string, line: number, optional = false): number {
  if (optional && (raw === undefined || raw === '' || raw === null)) return Number.NaN;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < 0) throw new SimError('simulate.trace-field', `must be a number ≥ 0 (got ${JSON.stringify(raw ?? null)})`, file, line, field);
  return value;
}

function timeField(raw: unknown, file: string, line: number): number {
  const time = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(time)) throw new SimError('simulate.trace-time', `must be an ISO 8601 time like 2026-11-02T00:00:00Z (got ${JSON.stringify(raw ?? null)})`, file, line, 'time');
  if (time % MINUTE_MS !== 0) throw new SimError('simulate.trace-time', `must fall on a whole minute (got ${String(raw)})`, file, line, 'time');
  return time;
}

function rowOf(record: Record<string, unknown>, file: string, line: number): Row {
  const tenant = record.tenant;
  if (typeof tenant !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(tenant)) {
    throw new SimError('simulate.trace-field', `must be a tenant name (lowercase letters, digits, dashes; got ${JSON.stringify(tenant ?? null)})`, file, line, 'tenant');
  }
  numberField(record.queue_wait_p95_s, 'queue_wait_p95_s', file, line, true);
  return {
    time: timeField(record.time, file, line),
    tenant,
    executionsPerMinute: numberField(record.executions_per_min, 'executions_per_min', file, line),
    cpuPercent: numberField(record.cpu_percent, 'cpu_percent', file, line),
    memPercent: numberField(record.mem_percent, 'mem_percent', file, line),
    file,
    line,
  };
}

function parseCsv(text: string, file: string): Row[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const index = new Map(header.map((name, i) => [name, i]));
  for (const column of TRACE_COLUMNS) {
    if (!index.has(column)) throw new SimError('simulate.trace-header', `the header lacks column "${column}" (needs ${TRACE_COLUMNS.join(',')})`, file, 1);
  }
  const rows: Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const record: Record<string, unknown> = {};
    for (const column of TRACE_COLUMNS) record[column] = cells[index.get(column)!]?.trim();
    rows.push(rowOf(record, file, i + 1));
  }
  return rows;
}

function parseJsonLines(text: string, file: string, each: (record: Record<string, unknown>, line: number) => void): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new SimError('simulate.trace-field', `not JSON: ${(error as Error).message}`, file, i + 1);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new SimError('simulate.trace-field', 'each line must be a JSON object', file, i + 1);
    each(record as Record<string, unknown>, i + 1);
  }
}

function metaOf(record: Record<string, unknown>, plans: PlanAllocations, defaultPlan: string, file: string, line: number): TenantMeta {
  const name = record.tenant;
  if (typeof name !== 'string' || name === '') throw new SimError('simulate.tenant-meta', 'must name the tenant', file, line, 'tenant');
  const plan = record.plan ?? defaultPlan;
  if (typeof plan !== 'string' || !plans[plan]) throw new SimError('simulate.unknown-plan', `plan ${JSON.stringify(plan)} is not in platform.yaml (plans: ${Object.keys(plans).join(', ')})`, file, line, 'plan');
  const mode = record.mode ?? 'dedicated';
  if (mode !== 'shared' && mode !== 'dedicated') throw new SimError('simulate.tenant-meta', `must be shared or dedicated (got ${JSON.stringify(mode)})`, file, line, 'mode');
  const positive = (field: string, fallback: number, whole: boolean): number => {
    const value = record[field] ?? fallback;
    if (typeof value !== 'number' || !(value > 0) || (whole && !Number.isInteger(value))) {
      throw new SimError('simulate.tenant-meta', `must be a ${whole ? 'whole ' : ''}number > 0 (got ${JSON.stringify(value)})`, file, line, field);
    }
    return value;
  };
  const allocation = plans[plan]!;
  return {
    name,
    plan,
    mode: mode as TenantMode,
    serviceSeconds: positive('serviceSeconds', DEFAULT_SERVICE_SECONDS, false),
    recorded: { cpu: positive('cpu', allocation.cpu, false), memoryMb: positive('memoryMb', allocation.memoryMb, true), workers: positive('workers', allocation.workers, true) },
  };
}

/** Reads every trace file of `dir` into a source; errors name file, line and field. */
export async function readTraceDir(dir: string, plans: PlanAllocations, defaultPlan: string): Promise<DemandSource> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw new SimError('simulate.traces-unreadable', `cannot read the trace directory: ${(error as Error).message}`, dir);
  }
  const metas = new Map<string, TenantMeta>();
  if (names.includes(TENANTS_FILE)) {
    const file = join(dir, TENANTS_FILE);
    parseJsonLines(await readFile(file, 'utf8'), file, (record, line) => {
      const meta = metaOf(record, plans, defaultPlan, file, line);
      if (metas.has(meta.name)) throw new SimError('simulate.tenant-meta', `tenant "${meta.name}" is described twice`, file, line, 'tenant');
      metas.set(meta.name, meta);
    });
  }
  const rows: Row[] = [];
  for (const name of names) {
    if (name === TENANTS_FILE) continue;
    const file = join(dir, name);
    if (name.endsWith('.csv')) rows.push(...parseCsv(await readFile(file, 'utf8'), file));
    else if (name.endsWith('.jsonl')) parseJsonLines(await readFile(file, 'utf8'), file, (record, line) => rows.push(rowOf(record, file, line)));
  }
  if (rows.length === 0) throw new SimError('simulate.traces-empty', 'no trace rows (*.csv or *.jsonl besides tenants.jsonl)', dir);

  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    if (row.time < first) first = row.time;
    if (row.time > last) last = row.time;
  }
  const minutes = (last - first) / MINUTE_MS + 1;
  const names2 = [...new Set(rows.map((row) => row.tenant))].sort();
  const tenants = names2.map((name) => metas.get(name) ?? metaOf({ tenant: name }, plans, defaultPlan, dir, 0));
  const indexOf = new Map(tenants.map((tenant, i) => [tenant.name, i]));
  const epm = tenants.map(() => new Float64Array(minutes).fill(Number.NaN));
  const cores = tenants.map(() => new Float64Array(minutes));
  const memory = tenants.map(() => new Float64Array(minutes));
  for (const row of rows) {
    const i = indexOf.get(row.tenant)!;
    const minute = (row.time - first) / MINUTE_MS;
    if (!Number.isNaN(epm[i]![minute]!)) throw new SimError('simulate.trace-duplicate', `tenant "${row.tenant}" has a second row for ${new Date(row.time).toISOString()}`, row.file, row.line, 'time');
    const recorded = tenants[i]!.recorded;
    epm[i]![minute] = row.executionsPerMinute;
    cores[i]![minute] = (row.cpuPercent / 100) * recordedCores(recorded);
    memory[i]![minute] = (row.memPercent / 100) * recordedMemoryMb(recorded);
  }
  // A missing minute repeats the row before it (as Prometheus' lookback does); before the first row, no demand.
  for (let i = 0; i < tenants.length; i++) {
    const e = epm[i]!;
    const c = cores[i]!;
    const m = memory[i]!;
    for (let t = 0; t < minutes; t++) {
      if (!Number.isNaN(e[t]!)) continue;
      e[t] = t > 0 ? e[t - 1]! : 0;
      c[t] = t > 0 ? c[t - 1]! : 0;
      m[t] = t > 0 ? m[t - 1]! : 0;
    }
  }
  return {
    start: new Date(first),
    minutes,
    tenants,
    demand(index, minute, out) {
      out.executionsPerMinute = epm[index]![minute]!;
      out.cpuCores = cores[index]![minute]!;
      out.memoryMb = memory[index]![minute]!;
    },
    shard(indices) {
      const start = new Date(first);
      return { kind: 'columns', start, minutes, tenants: indices.map((i) => tenants[i]!), executionsPerMinute: indices.map((i) => epm[i]!), cpuCores: indices.map((i) => cores[i]!), memoryMb: indices.map((i) => memory[i]!) };
    },
  };
}

function round(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/**
 * Writes a source as a trace directory: one CSV per tenant and tenants.jsonl.
 * queue_wait_p95_s is the model's figure under the recorded allocation.
 */
export async function writeTraceDir(source: DemandSource, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const demand = emptyDemand();
  const metaLines = source.tenants.map((t) => JSON.stringify({ tenant: t.name, plan: t.plan, mode: t.mode, serviceSeconds: Number(t.serviceSeconds.toFixed(3)), cpu: t.recorded.cpu, memoryMb: t.recorded.memoryMb, workers: t.recorded.workers }));
  await writeFile(join(dir, TENANTS_FILE), `${metaLines.join('\n')}\n`);
  for (let i = 0; i < source.tenants.length; i++) {
    const meta = source.tenants[i]!;
    const lines = [TRACE_COLUMNS.join(',')];
    let backlog = 0;
    const servers = meta.recorded.workers * EXECUTIONS_PER_WORKER;
    for (let minute = 0; minute < source.minutes; minute++) {
      source.demand(i, minute, demand);
      const cores = recordedCores(meta.recorded);
      const slow = Math.max(1, demand.cpuCores / cores);
      const step = queueMinute({ executionsPerMinute: demand.executionsPerMinute, servers, serviceSeconds: meta.serviceSeconds * slow, backlog });
      backlog = step.backlog;
      const time = new Date(source.start.getTime() + minute * MINUTE_MS).toISOString().replace('.000Z', 'Z');
      const cpu = (demand.cpuCores / cores) * 100;
      const mem = (demand.memoryMb / recordedMemoryMb(meta.recorded)) * 100;
      lines.push(`${time},${meta.name},${round(demand.executionsPerMinute, 3)},${round(waitP95(step.shape), 2)},${round(cpu, 2)},${round(mem, 2)}`);
    }
    await writeFile(join(dir, `${meta.name}.csv`), `${lines.join('\n')}\n`);
  }
}
