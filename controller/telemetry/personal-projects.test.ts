import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../test/harness/processes.js';
import { createSqlExecutionSource } from './execution-source.js';
import { calendarPeriod } from '../../kernel/billing/billing-period.js';
import { N8N_USER_PROJECT_TABLES, personalProjectSql } from './fixtures/n8n-schema.js';
import { readPersonalProjects, resolveSharedProjects } from './personal-projects.js';
import { projectIdOf, type ProjectOwner } from './project-attribution.js';
import type { ExecutionQuery } from './types.js';

const adminUrl = inject('postgresUrl');
const database = `rp9_pp_${randomBytes(4).toString('hex')}`;
const sharedUrl = adminUrl.replace(/\/[^/]*$/, `/${database}`);

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await withClient(adminUrl, (c) => c.query(`create database ${database}`));
  await withClient(sharedUrl, async (c) => {
    await c.query(N8N_USER_PROJECT_TABLES);
    for (const [email, projectId] of [['devops@hooli.xyz', 'pHooli'], ['it@initech.test', 'pInitech'], ['owner@shared.test', 'pOwner']]) {
      const { text, values } = personalProjectSql(email as string, projectId as string);
      await c.query(text, values);
    }
    // A team project the Hooli user is a member of: not personal, never theirs for telemetry.
    await c.query(`insert into project (id, name, type) values ('pTeam', 'Team', 'team')`);
    await c.query(`insert into project_relation ("projectId", "userId", role) select 'pTeam', id, 'project:admin' from "user" where email = 'devops@hooli.xyz'`);
    // The owner shares a project with Initech's user as an editor: not a personal owner.
    await c.query(`insert into project_relation ("projectId", "userId", role) select 'pOwner', id, 'project:editor' from "user" where email = 'it@initech.test'`);
    // Workflows: Hooli owns wH, Initech owns wI (shared with Hooli as editor).
    await c.query(`insert into shared_workflow ("workflowId", "projectId", role) values ('wH', 'pHooli', 'workflow:owner'), ('wI', 'pInitech', 'workflow:owner'), ('wI', 'pHooli', 'workflow:editor')`);
    for (const [workflowId, createdAt] of [['wH', '2026-03-10T11:56:00Z'], ['wH', '2026-03-10T11:57:00Z'], ['wI', '2026-03-10T11:58:00Z']]) {
      await c.query(`insert into execution_entity (finished, mode, "workflowId", "createdAt", "startedAt", "stoppedAt", status) values (true, 'trigger', $1, $2, $2, $2, 'success')`, [workflowId, createdAt]);
    }
  });
});

afterAll(async () => {
  await withClient(adminUrl, (c) => c.query(`drop database if exists ${database} with (force)`));
});

describe('readPersonalProjects (test PostgreSQL, n8n 1.123 tables)', () => {
  it('finds the personal project of each email in one statement, and only personal ownership', async () => {
    await withClient(sharedUrl, async (client) => {
      // Arrange: count the statements the read sends.
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      let statements = 0;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        statements += 1;
        return query(...args);
      };

      // Act
      const rows = await readPersonalProjects(client, ['devops@hooli.xyz', 'it@initech.test', 'nobody@nowhere.test']);

      // Assert
      expect(rows).toEqual([
        { email: 'devops@hooli.xyz', projectId: 'pHooli' },
        { email: 'it@initech.test', projectId: 'pInitech' },
      ]);
      expect(statements).toBe(1);
    });
  });

  it('sends nothing for no emails', async () => {
    const client = new pg.Client({ connectionString: sharedUrl }); // never connected: a query would fail

    await expect(readPersonalProjects(client, [])).resolves.toEqual([]);
  });

  it('reads tables with n8n\'s DB_TABLE_PREFIX, and refuses a prefix that is not a plain name', async () => {
    await withClient(sharedUrl, async (client) => {
      await expect(readPersonalProjects(client, ['devops@hooli.xyz'], { tablePrefix: 'n8n_' })).rejects.toThrow(/relation "n8n_user" does not exist/);
      await expect(readPersonalProjects(client, ['devops@hooli.xyz'], { tablePrefix: 'x"; drop' })).rejects.toThrow(RangeError);
    });
  });
});

describe('resolveSharedProjects + the SQL execution source', () => {
  const NOW = new Date('2026-03-10T12:00:00Z');
  const QUERY: ExecutionQuery = { now: NOW, windowStart: new Date('2026-03-10T11:55:00Z'), periodStart: calendarPeriod(NOW).start };
  const owners: ProjectOwner[] = [
    { tenant: 'hooli', email: 'DevOps@Hooli.xyz' },
    { tenant: 'initech', email: 'it@initech.test' },
    { tenant: 'soylent', email: 'nobody@soylent.test' },
    { tenant: 'vandelay', email: 'nobody@vandelay.test', label: 'pOwner' },
  ];

  it("attributes shared tenants' executions by their owner email, with the label as override", async () => {
    // Arrange
    const projects = await resolveSharedProjects(owners, { sharedDatabase: sharedUrl, signal: AbortSignal.timeout(10_000) });
    const source = createSqlExecutionSource({ dedicatedDatabase: () => sharedUrl, sharedDatabase: sharedUrl, projectIdFor: (tenant) => projectIdOf(projects, tenant) });
    const read = (tenant: string) => source({ tenant, mode: 'shared', plan: 'starter' }, QUERY, AbortSignal.timeout(10_000));

    // Act
    const [hooli, initech, vandelay] = await Promise.all([read('hooli'), read('initech'), read('vandelay')]);

    // Assert: Hooli's two executions of wH, not Initech's wI shared with it as editor.
    expect(hooli.periodCount).toBe(2);
    expect(initech.periodCount).toBe(1);
    expect(vandelay.periodCount).toBe(0);
    expect(projects.get('vandelay')).toEqual({ kind: 'project', projectId: 'pOwner', via: 'label' });
    await expect(read('soylent')).rejects.toMatchObject({ code: 'telemetry.no-project', message: expect.stringContaining('nobody@soylent.test') });
  });

  it('reports an unreachable database on the tenants that needed the lookup, and still attributes the labelled ones', async () => {
    const closed = `postgres://rp9:rp9@127.0.0.1:${await freePort()}/n8n`;

    const projects = await resolveSharedProjects(owners, { sharedDatabase: closed, signal: AbortSignal.timeout(10_000) });

    expect(projects.get('hooli')).toMatchObject({ kind: 'unattributed', code: 'telemetry.project-lookup-failed', message: expect.stringMatching(/ECONNREFUSED/) });
    expect(projects.get('vandelay')).toEqual({ kind: 'project', projectId: 'pOwner', via: 'label' });
  });

  it('gives up when its signal aborts, and says so', async () => {
    await withClient(sharedUrl, async (locker) => {
      await locker.query('begin');
      await locker.query('lock table "user" in access exclusive mode');
      try {
        const projects = await resolveSharedProjects(owners, { sharedDatabase: sharedUrl, signal: AbortSignal.timeout(300) });

        expect(projects.get('hooli')).toMatchObject({ kind: 'unattributed', code: 'telemetry.project-lookup-failed', message: expect.stringMatching(/timeout|aborted/i) });
      } finally {
        await locker.query('rollback');
      }
    });
  });

  it('opens no connection when every shared tenant has the label', async () => {
    // Arrange: a listener that counts connection attempts.
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const labelled: ProjectOwner[] = [{ tenant: 'vandelay', email: 'x@vandelay.test', label: 'pOwner' }];

      // Act
      const projects = await resolveSharedProjects(labelled, { sharedDatabase: `postgres://rp9:rp9@127.0.0.1:${port}/n8n`, signal: AbortSignal.timeout(10_000) });
      const unlabelled = await resolveSharedProjects(owners.slice(0, 1), { sharedDatabase: `postgres://rp9:rp9@127.0.0.1:${port}/n8n`, signal: AbortSignal.timeout(10_000) });

      // Assert: the second call, which needs the lookup, is the only one that connects.
      expect(projects.get('vandelay')).toEqual({ kind: 'project', projectId: 'pOwner', via: 'label' });
      expect(unlabelled.get('hooli')).toMatchObject({ kind: 'unattributed', code: 'telemetry.project-lookup-failed' });
      expect(connections).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
