import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestImage, TEST_IMAGE } from '../../test/harness/test-image.js';
import { LABEL, MANAGED_BY } from '../model.js';
import { collectTenantMetrics } from './collect.js';
import { createContainerUsageSource } from './docker-source.js';
import { createSqlExecutionSource } from './execution-source.js';
import { calendarPeriod } from '../../kernel/billing/billing-period.js';
import type { TelemetryTarget } from './types.js';
import { runSql } from '../../test/harness/scratch-databases.js';

// The whole pass over the real edges: the test dockerd and the test PostgreSQL.
const docker = new Docker({ socketPath: inject('dockerSocket') });
const adminUrl = inject('postgresUrl');
const suffix = randomBytes(3).toString('hex');
const prefix = `rp9-col${suffix}`;
const environment = `${prefix}-env`;
const databases: Record<string, string> = { acme: `rp9_col_${suffix}_acme`, stuck: `rp9_col_${suffix}_stuck` };
const urlOf = (db: string) => adminUrl.replace(/\/[^/]*$/, `/${db}`);
const MiB = 1024 * 1024;
let locker: pg.Client | undefined;
let seededAt = 0;
let busyPid = 0;
const BUSY_CORES = 0.5;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU seconds a host process has used so far (utime + stime of /proc/<pid>/stat), with the time read. */
function cpuSecondsOf(pid: number): { cpu: number; at: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, at: performance.now() };
}
const createdAgo = [62_000, 44_000, 26_000];

describe('collectTenantMetrics over dockerd and PostgreSQL', () => {
  beforeAll(async () => {
    await ensureTestImage(docker);
    // The main idles on 1 core; the worker is a busy loop capped at half a core:
    // a known load whose real CPU time the test reads from the kernel.
    for (const role of ['main', 'worker']) {
      const container = await docker.createContainer({
        name: `${prefix}-acme-${role}`,
        Image: TEST_IMAGE,
        ...(role === 'worker' ? { Entrypoint: ['/bin/sh', '-c', 'while :; do :; done'] } : {}),
        Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.environment]: environment, [LABEL.tenant]: 'acme', [LABEL.role]: role },
        HostConfig: { Init: role === 'main', NanoCpus: role === 'main' ? 1_000_000_000 : BUSY_CORES * 1_000_000_000, Memory: 128 * MiB, MemorySwap: 128 * MiB },
      });
      await container.start();
      if (role === 'worker') busyPid = (await container.inspect()).State.Pid;
    }
    for (const db of Object.values(databases)) {
      await runSql(adminUrl, `create database ${db}`);
      await runSql(urlOf(db), `create table execution_entity (id serial primary key, "createdAt" timestamp(3) with time zone not null,
        "startedAt" timestamp(3) with time zone, "stoppedAt" timestamp(3) with time zone, status varchar not null, "workflowId" varchar(36) not null)`);
    }
    const now = Date.now();
    seededAt = now;
    const iso = (agoMs: number) => new Date(now - agoMs).toISOString();
    // Three executions started in the last minute (waits 2, 4 and 6 s), one still running.
    for (const [created, started, stopped, status] of [[62_000, 60_000, 59_000, 'success'], [44_000, 40_000, 39_000, 'success'], [26_000, 20_000, null, 'running']] as const) {
      await runSql(urlOf(databases.acme!), `insert into execution_entity ("createdAt", "startedAt", "stoppedAt", status, "workflowId") values ($1, $2, $3, $4, 'w1')`,
        [iso(created), iso(started), stopped === null ? null : iso(stopped), status]);
    }
    // Holds the stuck tenant's table so every read of it blocks.
    locker = new pg.Client({ connectionString: urlOf(databases.stuck!) });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table execution_entity in access exclusive mode');
  }, 120_000);

  afterAll(async () => {
    await locker?.query('rollback').catch(() => undefined);
    await locker?.end();
    const containers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    for (const db of Object.values(databases)) await runSql(adminUrl, `drop database if exists ${db} with (force)`);
  });

  it('measures each tenant, and a tenant whose database blocks times out alone', async () => {
    const targets: TelemetryTarget[] = [
      { tenant: 'stuck', mode: 'dedicated', plan: 'starter' },
      { tenant: 'acme', mode: 'dedicated', plan: 'pro' },
    ];
    // The busy loop's cores, measured by the kernel over the same Docker read the collector makes.
    const containerUsage = createContainerUsageSource(docker, environment);
    let busyCores = Number.NaN;
    const sources = {
      containerUsage: async (tenant: string, signal: AbortSignal) => {
        const before = cpuSecondsOf(busyPid);
        const usage = await containerUsage(tenant, signal);
        const after = cpuSecondsOf(busyPid);
        if (tenant === 'acme') busyCores = (after.cpu - before.cpu) / ((after.at - before.at) / 1000);
        return usage;
      },
      executions: createSqlExecutionSource({ dedicatedDatabase: (tenant: string) => urlOf(databases[tenant]!) }),
    };

    const now = new Date(seededAt);
    const thisMonth = createdAgo.filter((ago) => seededAt - ago >= calendarPeriod(now).start.getTime()).length;

    const result = await collectTenantMetrics(targets, sources, { now, timeoutMs: 5_000, concurrency: 2, windowMs: 60_000 });

    expect(result.errors).toEqual([{ tenant: 'stuck', code: 'telemetry.timeout', message: 'tenant stuck: executions did not answer within 5000 ms' }]);
    const [stuck, acme] = result.samples;
    // No containers: it holds no memory; its executions are unknown, not zero.
    expect(stuck).toEqual({ tenant: 'stuck', mode: 'dedicated', plan: 'starter', memBytes: 0 });
    expect(acme).toMatchObject({ tenant: 'acme', executionsPerMinute: 3, executionsMonth: thisMonth, concurrentExecutions: 1, queueWaitP95Seconds: 6 });
    expect(acme!.memBytes).toBeGreaterThan(0);
    expect(acme!.memPercent).toBeCloseTo((acme!.memBytes! / (256 * MiB)) * 100, 9);
    // Cores used over the 1.5 cores allocated; the idle main adds next to nothing.
    // The busy loop must have run for the comparison to mean anything (a very loaded machine starves it).
    expect(busyCores).toBeGreaterThan(0.05);
    const expected = (busyCores / (1 + BUSY_CORES)) * 100;
    expect(acme!.cpuPercent).toBeGreaterThan(expected * 0.65);
    expect(acme!.cpuPercent).toBeLessThan(expected * 1.5 + 1);
  });
});
