import { describe, expect, it } from 'vitest';
import { createLogger, formatLine, newCorrelationId, parseLogLevel, type LoggerOptions } from './logger.js';
import { redact, redactString, REDACTED } from './redact.js';

function capture(options: Omit<LoggerOptions, 'stream'> = {}) {
  const chunks: string[] = [];
  const logger = createLogger({ env: {}, now: () => new Date('2025-08-15T14:30:00.000Z'), ...options, stream: { write: (c: string) => chunks.push(c) } });
  const lines = () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, chunks, lines };
}

describe('createLogger', () => {
  it('writes one JSON line per event with the envelope first', () => {
    const { logger, chunks } = capture();

    logger.info('Tenant promotion completed', { tenant: 'acme', duration_ms: 8500, correlation_id: 'req-1' });

    expect(chunks).toEqual([
      '{"timestamp":"2025-08-15T14:30:00.000Z","level":"INFO","msg":"Tenant promotion completed","correlation_id":"req-1","tenant":"acme","tenant_id":"acme","duration_ms":8500}\n',
    ]);
  });

  it('child loggers carry correlation_id and tenant on every line', () => {
    const { logger, lines } = capture();

    const child = logger.child({ correlation_id: 'c-42', tenant: 'acme' });
    child.warn('slow', { step: 'observe' });
    child.child({ tenant: 'globex' }).info('switched');

    expect(lines()).toEqual([
      { timestamp: '2025-08-15T14:30:00.000Z', level: 'WARN', msg: 'slow', correlation_id: 'c-42', tenant: 'acme', tenant_id: 'acme', step: 'observe' },
      { timestamp: '2025-08-15T14:30:00.000Z', level: 'INFO', msg: 'switched', correlation_id: 'c-42', tenant: 'globex', tenant_id: 'globex' },
    ]);
  });

  it('filters by RP9_LOG_LEVEL', () => {
    const { logger, lines } = capture({ env: { RP9_LOG_LEVEL: 'WARN' } });

    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    expect(lines().map((l) => l.msg)).toEqual(['w', 'e']);
    expect(logger.enabled('info')).toBe(false);
    expect(logger.level).toBe('warn');
  });

  it('falls back to info on an unknown RP9_LOG_LEVEL and says so', () => {
    const { logger, lines } = capture({ env: { RP9_LOG_LEVEL: 'chatty' } });

    logger.debug('hidden');

    expect(logger.level).toBe('info');
    expect(lines()).toEqual([expect.objectContaining({ level: 'WARN', code: 'log.bad-level', value: 'chatty' })]);
  });

  it('an explicit level beats the environment', () => {
    const { logger, lines } = capture({ env: { RP9_LOG_LEVEL: 'error' }, level: 'debug' });

    logger.debug('visible');

    expect(lines().map((l) => l.msg)).toEqual(['visible']);
  });

  it('redacts secret-named keys at any depth and scrubs connection strings', () => {
    const { logger, chunks } = capture();

    logger.info('connecting', {
      database: { url: 'postgres://rp9:hunter2@db:5432/rp9', password: 'hunter2', nested: [{ apiKey: 'k-123', ok: 1 }] },
      headers: { Authorization: 'Bearer abcdefghijklmnop', 'x-hub-signature-256': 'sha256=deadbeef' },
      webhookSecret: 's3cr3t',
      GITHUB_TOKEN: 'ghp_xxxxxxxxxxxxxxxxxxxx',
    });

    const text = chunks.join('');
    for (const secret of ['hunter2', 'k-123', 'abcdefghijklmnop', 'deadbeef', 's3cr3t', 'ghp_']) expect(text).not.toContain(secret);
    const line = JSON.parse(text) as Record<string, any>;
    expect(line.database).toEqual({ url: `postgres://rp9:${REDACTED}@db:5432/rp9`, password: REDACTED, nested: [{ apiKey: REDACTED, ok: 1 }] });
    expect(line.headers).toEqual({ Authorization: REDACTED, 'x-hub-signature-256': REDACTED });
  });

  it('serializes errors with their code and survives cycles and bigints', () => {
    const error = Object.assign(new Error('connect to postgres://u:pw@h/db failed'), { code: 'store.unreachable' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;

    const line = JSON.parse(formatLine(new Date(0), 'error', 'boom', { err: error, cyclic, big: 10n, when: new Date(1000) }));

    expect(line.err).toMatchObject({ name: 'Error', message: `connect to postgres://u:${REDACTED}@h/db failed`, code: 'store.unreachable' });
    expect(line.err.stack).not.toContain(':pw@');
    expect(line.cyclic).toEqual({ name: 'loop', self: '[Circular]' });
    expect(line.big).toBe('10');
    expect(line.when).toBe('1970-01-01T00:00:01.000Z');
  });

  it('does not let fields overwrite the envelope', () => {
    const line = JSON.parse(formatLine(new Date(0), 'info', 'real', { msg: 'fake', level: 'DEBUG' }));

    expect(line).toMatchObject({ msg: 'real', level: 'INFO', field_msg: 'fake', field_level: 'DEBUG' });
  });
});

describe('redact', () => {
  it('keeps ordinary values and the same object seen twice (not a cycle)', () => {
    const shared = { a: 1 };

    expect(redact({ x: shared, y: shared, list: [1, 'two', null] })).toEqual({ x: { a: 1 }, y: { a: 1 }, list: [1, 'two', null] });
  });

  it('scrubs bearer tokens in free text', () => {
    expect(redactString('sent Authorization: Bearer eyJhbGciOi.payload.sig')).toBe(`sent Authorization: Bearer ${REDACTED}`);
  });
});

describe('parseLogLevel / newCorrelationId', () => {
  it('parses levels case-insensitively', () => {
    expect([parseLogLevel('DEBUG'), parseLogLevel(' warning '), parseLogLevel('nope'), parseLogLevel(undefined)]).toEqual(['debug', 'warn', undefined, undefined]);
  });

  it('correlation ids are unique uuids', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newCorrelationId()));

    expect(ids.size).toBe(100);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
