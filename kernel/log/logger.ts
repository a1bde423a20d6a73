// Structured JSON logs: one line per event on a given stream, secrets redacted.
// Line shape: {timestamp, level, msg, correlation_id?, tenant?, tenant_id?, ...fields}; lines
// about one tenant in a reconcile pass also carry tenant_correlation_id.
import { randomUUID } from 'node:crypto';
import { redact } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** True when a line at `level` would be written (skip building costly fields otherwise). */
  enabled(level: LogLevel): boolean;
  /** A logger that adds `fields` (typically correlation_id and tenant) to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Where lines go; default process.stdout. */
  stream?: { write(chunk: string): unknown };
  /** Overrides RP9_LOG_LEVEL. */
  level?: LogLevel;
  /** Read for RP9_LOG_LEVEL; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Fields on every line. */
  fields?: LogFields;
  /** Default: the wall clock. */
  now?: () => Date;
}

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RESERVED = new Set(['timestamp', 'level', 'msg']);

/** 'INFO', 'warn', ' Debug ' → the level; anything else → undefined. */
export function parseLogLevel(text: string | undefined): LogLevel | undefined {
  const normalized = text?.trim().toLowerCase();
  if (normalized === 'warning') return 'warn';
  return LOG_LEVELS.find((level) => level === normalized);
}

/** A fresh id to tie together the lines of one request or one reconcile. */
export function newCorrelationId(): string {
  return randomUUID();
}

/** The id of one tenant's part of a reconcile pass: `<reconcile id>/<tenant>` (grep either half). */
export function tenantCorrelationId(reconcileId: string, tenant: string): string {
  return `${reconcileId}/${tenant}`;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const fromEnv = env.RP9_LOG_LEVEL;
  const level = options.level ?? parseLogLevel(fromEnv) ?? 'info';
  const sink: Sink = { stream: options.stream ?? process.stdout, level, now: options.now ?? (() => new Date()) };
  const logger = makeLogger(sink, options.fields ?? {});
  if (options.level === undefined && fromEnv !== undefined && fromEnv !== '' && parseLogLevel(fromEnv) === undefined) {
    logger.warn('unknown RP9_LOG_LEVEL, using info', { code: 'log.bad-level', value: fromEnv, allowed: LOG_LEVELS });
  }
  return logger;
}

/** A logger that writes nothing (for tests and library defaults). */
export function silentLogger(): Logger {
  return createLogger({ stream: { write: () => true }, level: 'error', env: {} });
}

interface Sink {
  stream: { write(chunk: string): unknown };
  level: LogLevel;
  now: () => Date;
}

function makeLogger(sink: Sink, bound: LogFields): Logger {
  const enabled = (level: LogLevel): boolean => RANK[level] >= RANK[sink.level];
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (!enabled(level)) return;
    sink.stream.write(formatLine(sink.now(), level, msg, { ...bound, ...fields }) + '\n');
  };
  return {
    level: sink.level,
    enabled,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => makeLogger(sink, { ...bound, ...fields }),
  };
}

/** One JSON line (no newline). Pure: exported for tests and for tools that re-emit lines. */
export function formatLine(at: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const line: Record<string, unknown> = { timestamp: at.toISOString(), level: level.toUpperCase(), msg: String(msg) };
  const { correlation_id: correlationId, tenant, ...rest } = fields;
  if (correlationId !== undefined) line.correlation_id = correlationId;
  // tenant_id: the seed's field name (Loki queries, docs/observability.md); tenant stays for existing consumers.
  if (tenant !== undefined) Object.assign(line, { tenant, tenant_id: tenant });
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    line[RESERVED.has(key) ? `field_${key}` : key] = value;
  }
  return JSON.stringify(redact(line));
}
