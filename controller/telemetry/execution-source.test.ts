import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { collectTenantMetrics } from './collect.js';
import { createSqlExecutionSource, readExecutionActivity } from './execution-source.js';
import { summarizeExecutions } from './executions.js';
import { calendarPeriod } from '../../kernel/billing/billing-period.js';
import { TelemetryError, type ExecutionQuery, type TelemetryTarget } from './types.js';

// n8n 1.123's tables, as far as the collector reads them (column types from its migrations).
const N8N_TABLES = `
  create table execution_entity (
    id serial primary key,
    finished boolean not null,
    mode varchar not null,
    "startedAt" timestamp(3) with time zone,
    "stoppedAt" timestamp(3) with time zone,
    "waitTill" timestamp(3) with time zone,
    status varchar not null,
    "workflowId" varchar(36) not null,
    "deletedAt" timestamp(3) with time zone,
    "createdAt" timestamp(3) with time zone not null default current_timestamp(3)
  );
  create table shared_workflow (
    "workflowId" varchar(36) not null,
    "projectId" varchar(36) not null,
    role text not null,
    primary key ("workflowId", "projectId")
  );`;

const NOW = new Date('2026-03-10T12:00:00Z');
const QUERY: ExecutionQuery = { now: NOW, windowStart: new Date('2026-03-10T11:55:00Z'), periodStart: calendarPeriod(NOW).start };
const WINDOW = { now: QUERY.now, windowStart: QUERY.windowStart };
const dedicated: TelemetryTarget = { tenant: 'acme', mode: 'dedicated', plan: 'pro' };

const adminUrl = inject('postgresUrl');
const tenantDb = `rp9_tel_${randomBytes(4).toString('hex')}`;
const sharedDb = `${tenantDb}_shared`;
const urlOf = (db: string) => adminUrl.replace(/\/[^/]*$/, `/${db}`);

type Row = [workflowId: string, createdAt: string, startedAt: string | null, stoppedAt: string | null, status: string];

async function seed(db: string, rows: Row[], shares: [string, string, string][] = []): Promise<void> {
  const client = new pg.Client({ connectionString: urlOf(db) });
  await client.connect();
  try {
    await client.query(N8N_TABLES);
    for (const [workflowId, createdAt, startedAt, stoppedAt, status] of rows) {
      await client.query(
        `insert into execution_entity (finished, mode, "workflowId", "createdAt", "startedAt", "stoppedAt", status) values ($1, 'trigger', $2, $3, $4, $5, $6)`,
        [status === 'success', workflowId, createdAt, startedAt, stoppedAt, status],
      );
    }
    for (const [workflowId, projectId, role] of shares) {
      await client.query(`insert into shared_workflow ("workflowId", "projectId", role) values ($1, $2, $3)`, [workflowId, projectId, role]);
    }
  } finally {
    await client.end();
  }
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('SQL execution source (test PostgreSQL, n8n-shaped tables)', () => {
  beforeAll(async () => {
    await withAdmin(async (c) => {
      await c.query(`create database ${tenantDb}`);
      await c.query(`create database ${sharedDb}`);
    });
    await seed(tenantDb, [
      ['w1', '2026-03-10T11:56:00.000Z', '2026-03-10T11:56:00.500Z', '2026-03-10T11:56:05Z', 'success'], // waited 0.5 s
      ['w1', '2026-03-10T11:57:00Z', '2026-03-10T11:57:01Z', '2026-03-10T11:57:03Z', 'success'], // 1 s
      ['w1', '2026-03-10T11:58:00Z', '2026-03-10T11:58:02Z', null, 'running'], // 2 s, running
      ['w2', '2026-03-10T11:59:00Z', '2026-03-10T11:59:04Z', '2026-03-10T11:59:10Z', 'error'], // 4 s
      ['w2', '2026-03-10T11:59:30Z', null, null, 'new'], // queued for 30 s
      ['w1', '2026-03-10T11:50:00Z', '2026-03-10T11:50:01Z', null, 'running'], // running since before the window
      ['w1', '2026-03-08T00:00:00Z', '2026-03-08T00:00:01Z', null, 'running'], // left "running" by a crash 2 days ago
      ['w1', '2026-03-10T11:30:00Z', '2026-03-10T11:30:01Z', null, 'waiting'], // asleep in a Wait node
      ['w1', '2026-03-10T11:40:00Z', '2026-03-10T11:40:01Z', '2026-03-10T11:41:00Z', 'success'], // before the window
      ['w1', '2026-03-02T09:00:00Z', '2026-03-02T09:00:01Z', '2026-03-02T09:00:02Z', 'success'],
      ['w1', '2026-03-02T09:10:00Z', '2026-03-02T09:10:01Z', '2026-03-02T09:10:02Z', 'success'],
      ['w1', '2026-03-02T09:20:00Z', '2026-03-02T09:20:01Z', '2026-03-02T09:20:02Z', 'success'],
      ['w1', '2026-02-28T23:59:59.999Z', '2026-03-01T00:00:01Z', '2026-03-01T00:00:02Z', 'success'], // created last month
    ]);
    await seed(sharedDb, [
      ['wa', '2026-03-10T11:56:00Z', '2026-03-10T11:56:03Z', '2026-03-10T11:56:04Z', 'success'],
      ['wa', '2026-03-10T11:57:00Z', '2026-03-10T11:57:01Z', null, 'running'],
      ['wb', '2026-03-10T11:56:00Z', '2026-03-10T11:56:10Z', '2026-03-10T11:56:20Z', 'success'],
      ['wb', '2026-03-10T11:57:00Z', '2026-03-10T11:57:10Z', '2026-03-10T11:57:20Z', 'success'],
      ['wb', '2026-03-10T11:58:00Z', '2026-03-10T11:58:10Z', '2026-03-10T11:58:20Z', 'success'],
      ['wb', '2026-03-03T08:00:00Z', '2026-03-03T08:00:10Z', '2026-03-03T08:00:20Z', 'success'],
    ], [['wa', 'projA', 'workflow:owner'], ['wb', 'projB', 'workflow:owner'], ['wb', 'projA', 'workflow:editor']]);
  }, 60_000);

  afterAll(async () => {
    await withAdmin(async (c) => {
      await c.query(`drop database if exists ${tenantDb} with (force)`);
      await c.query(`drop database if exists ${sharedDb} with (force)`);
    });
  });

  it("computes a dedicated tenant's figures from its own database", async () => {
    const source = createSqlExecutionSource({ dedicatedDatabase: () => urlOf(tenantDb) });

    const activity = await source(dedicated, QUERY, AbortSignal.timeout(10_000));
    const summary = summarizeExecutions(activity, WINDOW);

    // Started in the window: 4 (waits 0.5, 1, 2, 4 s) plus one queued for 30 s.
    // Running: the one started in the window and the one from before it; not the
    // crash leftover (older than the 24 h lookback) nor the Wait-node one.
    // This month: all rows but the one created on Feb 28.
    // Finished among those 4: two successes and one error (the fourth still runs).
    expect(summary).toEqual({ executionsPerMinute: 4 / 5, executionsMonth: 12, concurrentExecutions: 2, queueWaitP95Seconds: 30, executionSuccessRatio: 2 / 3 });
    expect(activity.truncated).toBeUndefined();
  });

  it('attributes shared-instance executions to the project that owns the workflow', async () => {
    const projects: Record<string, string> = { hooli: 'projA', initech: 'projB' };
    const source = createSqlExecutionSource({ dedicatedDatabase: () => urlOf(tenantDb), sharedDatabase: urlOf(sharedDb), projectIdFor: (t) => projects[t] });

    const hooli = summarizeExecutions(await source({ tenant: 'hooli', mode: 'shared', plan: 'starter' }, QUERY, AbortSignal.timeout(10_000)), WINDOW);
    const initech = summarizeExecutions(await source({ tenant: 'initech', mode: 'shared', plan: 'starter' }, QUERY, AbortSignal.timeout(10_000)), WINDOW);

    expect(hooli).toEqual({ executionsPerMinute: 2 / 5, executionsMonth: 2, concurrentExecutions: 1, queueWaitP95Seconds: 3, executionSuccessRatio: 1 });
    expect(initech).toEqual({ executionsPerMinute: 3 / 5, executionsMonth: 4, concurrentExecutions: 0, queueWaitP95Seconds: 10, executionSuccessRatio: 1 });
  });

  it('refuses a shared tenant without a personal project, with its own code', async () => {
    const source = createSqlExecutionSource({ dedicatedDatabase: () => urlOf(tenantDb), sharedDatabase: urlOf(sharedDb), projectIdFor: () => undefined });

    const read = source({ tenant: 'hooli', mode: 'shared', plan: 'starter' }, QUERY, AbortSignal.timeout(10_000));

    await expect(read).rejects.toBeInstanceOf(TelemetryError);
    await expect(read).rejects.toMatchObject({ code: 'telemetry.no-project' });
  });

  it('reads rows with their ids, and back to startedSince when it is before the window', async () => {
    const source = createSqlExecutionSource({ dedicatedDatabase: () => urlOf(tenantDb) });
    const started = (rows: { startedAt: Date | null }[]) => rows.flatMap((r) => (r.startedAt ? [r.startedAt.toISOString()] : [])).sort();

    const plain = await source(dedicated, QUERY, AbortSignal.timeout(10_000));
    const back = await source(dedicated, { ...QUERY, startedSince: new Date('2026-03-10T11:40:00Z') }, AbortSignal.timeout(10_000));
    const later = await source(dedicated, { ...QUERY, startedSince: new Date('2026-03-10T11:58:00Z') }, AbortSignal.timeout(10_000));

    // Seeded in order: serial ids 1..13; the row started at 11:56:00.5 is the first one.
    expect(plain.rows.find((r) => r.startedAt?.toISOString() === '2026-03-10T11:56:00.500Z')?.id).toBe('1');
    expect(plain.rows.every((r) => typeof r.id === 'string' && /^\d+$/.test(r.id))).toBe(true);
    // The finished row started at 11:40:01 comes only with the read-back; a later startedSince changes nothing.
    expect(started(back.rows)).toEqual([...started(plain.rows), '2026-03-10T11:40:01.000Z'].sort());
    expect(started(later.rows)).toEqual(started(plain.rows));
    expect(summarizeExecutions(back, WINDOW)).toEqual(summarizeExecutions(plain, WINDOW));
  });

  it("counts each tenant's executions from its own billing period start: the same rows, three periods, three counts", async () => {
    // Arrange: three dedicated tenants read the same database; acme has no subscription (the calendar month,
    // from March 1st), globex's Stripe period began March 5th, hooli's (billed from the 20th) February 20th.
    const targets: TelemetryTarget[] = [
      { tenant: 'acme', mode: 'dedicated', plan: 'pro' },
      { tenant: 'globex', mode: 'dedicated', plan: 'pro', subscriptionPeriod: { start: new Date('2026-03-05T00:00:00Z'), end: new Date('2026-04-05T00:00:00Z') } },
      { tenant: 'hooli', mode: 'dedicated', plan: 'pro', subscriptionPeriod: { start: new Date('2026-02-20T00:00:00Z'), end: new Date('2026-03-20T00:00:00Z') } },
    ];
    const sources = { executions: createSqlExecutionSource({ dedicatedDatabase: () => urlOf(tenantDb) }) };

    // Act
    const result = await collectTenantMetrics(targets, sources, { now: NOW, timeoutMs: 10_000, windowMs: 5 * 60_000 });

    // Assert: created since March 1st 12 rows, since March 5th 9, since February 20th all 13.
    expect(result.errors).toEqual([]);
    expect(result.samples.map((s) => [s.tenant, s.executionsMonth, s.billingPeriod?.start.toISOString(), s.billingPeriod?.source])).toEqual([
      ['acme', 12, '2026-03-01T00:00:00.000Z', 'calendar'],
      ['globex', 9, '2026-03-05T00:00:00.000Z', 'stripe'],
      ['hooli', 13, '2026-02-20T00:00:00.000Z', 'stripe'],
    ]);
  });

  it('caps the rows it reads and says so', async () => {
    const client = new pg.Client({ connectionString: urlOf(tenantDb) });
    await client.connect();
    try {
      const activity = await readExecutionActivity(client, { kind: 'all' }, QUERY, { maxRows: 3 });

      expect(activity.rows).toHaveLength(3);
      expect(activity.truncated).toBe(true);
      // Newest first: the queued one, then the two latest starts.
      expect(activity.rows.map((r) => r.createdAt.toISOString())).toEqual(['2026-03-10T11:59:30.000Z', '2026-03-10T11:59:00.000Z', '2026-03-10T11:58:00.000Z']);
      expect(activity.periodCount).toBe(12);
    } finally {
      await client.end();
    }
  });

  it('gives up when its signal aborts, and when a statement runs past its timeout', async () => {
    const locker = new pg.Client({ connectionString: urlOf(tenantDb) });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table execution_entity in access exclusive mode');
    try {
      const aborted = createSqlExecutionSource({ dedicatedDatabase: () => urlOf(tenantDb) });
      const slow = createSqlExecutionSource({ dedicatedDatabase: () => urlOf(tenantDb), statementTimeoutMs: 300 });

      await expect(aborted(dedicated, QUERY, AbortSignal.timeout(300))).rejects.toThrow(/Connection terminated|aborted/i);
      await expect(slow(dedicated, QUERY, AbortSignal.timeout(10_000))).rejects.toThrow(/statement timeout/);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
  });
});
