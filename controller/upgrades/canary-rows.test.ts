// The canary's removal on a real PostgreSQL database shaped like the parts of
// n8n 2.x that name a workflow: a table that cascades (sharing), one whose
// foreign key restricts (the published version), one that sets null
// (insights metadata), and ones without a foreign key (the publication
// outbox, executions, webhooks). Everything naming the canary goes; the
// tenant's own workflow and its rows stay.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { newestExecution, removeWorkflowRows } from './canary-rows.js';
import pg from 'pg';

const databases = scratchDatabases(inject('postgresUrl'), 'rp9_canary');
afterAll(() => databases.dropAll());

const SCHEMA = `create table workflow_entity (id varchar(36) primary key, name text);
  create table shared_workflow ("workflowId" varchar(36) references workflow_entity(id) on delete cascade, "projectId" text);
  create table workflow_published_version ("workflowId" varchar(36) primary key references workflow_entity(id) on delete restrict, "publishedVersionId" text);
  create table insights_metadata ("metaId" serial primary key, "workflowId" varchar(36) references workflow_entity(id) on delete set null);
  create table workflow_publication_outbox (id serial primary key, "workflowId" varchar(36) not null, status text);
  create table execution_entity (id serial primary key, "workflowId" varchar(36), status text, mode text);
  create table webhook_entity ("workflowId" varchar(36), "webhookPath" text);`;

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('removeWorkflowRows', () => {
  it('removes the canary from every table naming it, the restricting one included, and leaves the tenant\'s workflow', async () => {
    const url = await databases.create();
    await runSql(url, SCHEMA);
    for (const id of ['rp9smoke0000abcd', 'tenantwf00000001']) {
      await runSql(url, `insert into workflow_entity values ($1, 'w')`, [id]);
      await runSql(url, `insert into shared_workflow values ($1, 'p')`, [id]);
      await runSql(url, `insert into workflow_published_version values ($1, 'v1')`, [id]);
      await runSql(url, `insert into insights_metadata ("workflowId") values ($1)`, [id]);
      await runSql(url, `insert into workflow_publication_outbox ("workflowId", status) values ($1, 'completed')`, [id]);
      await runSql(url, `insert into execution_entity ("workflowId", status, mode) values ($1, 'success', 'webhook')`, [id]);
      await runSql(url, `insert into webhook_entity values ($1, 'p')`, [id]);
    }

    expect(await newestExecution(url, 'rp9smoke0000abcd')).toEqual({ id: '1', status: 'success', mode: 'webhook' });
    const removed = await removeWorkflowRows(url, 'rp9smoke0000abcd');

    expect(removed).toEqual({ insights_metadata: 1, workflow_publication_outbox: 1, execution_entity: 1, webhook_entity: 1, workflow_published_version: 1, workflow_entity: 1 });
    for (const table of ['shared_workflow', 'workflow_published_version', 'insights_metadata', 'workflow_publication_outbox', 'execution_entity', 'webhook_entity']) {
      expect(await count(url, `select count(*) as n from ${table} where "workflowId" = 'rp9smoke0000abcd'`)).toBe(0);
      expect(await count(url, `select count(*) as n from ${table} where "workflowId" = 'tenantwf00000001'`)).toBe(1);
    }
    expect(await count(url, `select count(*) as n from insights_metadata where "workflowId" is null`)).toBe(0);
    expect(await removeWorkflowRows(url, 'rp9smoke0000abcd')).toMatchObject({ workflow_entity: 0 });
  });

  it('works on a 1.x-shaped database without the 2.x tables', async () => {
    const url = await databases.create();
    await runSql(url, `create table workflow_entity (id varchar(36) primary key, name text);
      create table execution_entity (id serial primary key, "workflowId" varchar(36) references workflow_entity(id) on delete cascade, status text, mode text);
      create table webhook_entity ("workflowId" varchar(36), "webhookPath" text);
      insert into workflow_entity values ('rp9smoke0000abcd', 'canary');
      insert into execution_entity ("workflowId", status, mode) values ('rp9smoke0000abcd', 'success', 'webhook');`);

    expect(await removeWorkflowRows(url, 'rp9smoke0000abcd')).toEqual({ execution_entity: 1, webhook_entity: 0, workflow_entity: 1 });
  });
});
