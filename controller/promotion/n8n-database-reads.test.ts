// The SQL reads a move makes of an n8n database, on the harness PostgreSQL
// with n8n 2.41.1's workflow and credential tables (fixtures): a shared
// instance with two personal projects (a project scope sees its own rows
// only) and a dedicated tenant's database (the instance scope sees every
// row), and the fingerprint's order-independence and sensitivity (pure).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { N8N_USER_PROJECT_TABLES, personalProjectSql } from '../telemetry/fixtures/n8n-schema.js';
import { N8N_2_CONTENT_TABLES } from './fixtures/n8n-2-content-tables.js';
import { fingerprintOf, readFingerprintRows, readWorkflowStates, type FingerprintRow, type RowScope } from './n8n-database-reads.js';

const rows: FingerprintRow[] = [
  { what: 'workflow', id: 'w1', sum: 'a' },
  { what: 'workflow', id: 'w2', sum: 'b' },
  { what: 'credential', id: 'c1', sum: 'c' },
];

describe('fingerprintOf', () => {
  it('does not depend on the order the database returns the rows in', () => {
    expect(fingerprintOf([...rows].reverse())).toBe(fingerprintOf(rows));
  });

  it.each([
    ['an item changed', [rows[0]!, { ...rows[1]!, sum: 'b2' }, rows[2]!]],
    ['an item removed', rows.slice(0, 2)],
    ['an item added', [...rows, { what: 'credential', id: 'c2', sum: 'd' } as FingerprintRow]],
    ['a workflow and a credential swapping ids', [rows[0]!, rows[1]!, { what: 'workflow', id: 'c1', sum: 'c' } as FingerprintRow]],
    ['no rows at all', []],
  ])('differs when %s', (_what, changed) => {
    expect(fingerprintOf(changed)).not.toBe(fingerprintOf(rows));
  });
});

const databases = scratchDatabases(inject('postgresUrl'), 'rp9_move_reads');
let url = '';

async function withClient<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const states = (scope: RowScope) => withClient((client) => readWorkflowStates(client, scope));
const print = async (scope: RowScope) => fingerprintOf(await withClient((client) => readFingerprintRows(client, scope)));

async function workflow(id: string, project: string | undefined, active: boolean): Promise<void> {
  await runSql(url, `insert into workflow_entity (id, name, active, nodes, connections, settings, "versionId") values ($1, $2, $3, '[]', '{}', '{"executionOrder":"v1"}', $4)`, [id, `wf ${id}`, active, `${id}-version-0000000000000000000000000`.slice(0, 36)]);
  if (project) await runSql(url, `insert into shared_workflow ("workflowId", "projectId", role) values ($1, $2, 'workflow:owner')`, [id, project]);
}

async function credential(id: string, project: string | undefined): Promise<void> {
  await runSql(url, `insert into credentials_entity (id, name, data, type) values ($1, $2, 'U2FsdGVkX1+encrypted', 'httpHeaderAuth')`, [id, `cred ${id}`]);
  if (project) await runSql(url, `insert into shared_credentials ("credentialsId", "projectId", role) values ($1, $2, 'credential:owner')`, [id, project]);
}

beforeAll(async () => {
  url = await databases.create();
  await runSql(url, N8N_USER_PROJECT_TABLES);
  await runSql(url, N8N_2_CONTENT_TABLES);
  for (const [email, project] of [['ops@acme.example', 'p-acme'], ['ops@other.example', 'p-other']] as const) {
    const { text, values } = personalProjectSql(email, project);
    await runSql(url, text, values);
  }
  await workflow('wA1', 'p-acme', true);
  await workflow('wA2', 'p-acme', false);
  await workflow('wB1', 'p-other', true);
  await credential('cA1', 'p-acme');
  await credential('cB1', 'p-other');
});

afterAll(async () => {
  await databases.dropAll();
});

describe('readWorkflowStates', () => {
  it('reads one project\'s workflows with their activation, sorted by id; the instance scope reads every workflow', async () => {
    expect(await states({ projectId: 'p-acme' })).toEqual([{ id: 'wA1', active: true }, { id: 'wA2', active: false }]);
    expect(await states({ projectId: 'p-none' })).toEqual([]);
    expect(await states('instance')).toEqual([{ id: 'wA1', active: true }, { id: 'wA2', active: false }, { id: 'wB1', active: true }]);
  });
});

describe('readFingerprintRows', () => {
  it('is stable, leaves activation out, and the instance scope changes with any row while a project scope ignores other projects', async () => {
    const acme = await print({ projectId: 'p-acme' });
    const instance = await print('instance');
    expect(acme).toMatch(/^[0-9a-f]{64}$/);
    expect(await print({ projectId: 'p-acme' })).toBe(acme);
    expect(instance).not.toBe(acme);

    // Activation is not content (the freeze deactivates before the export).
    await runSql(url, `update workflow_entity set active = false, "activeVersionId" = null where id = 'wA1'`);
    expect(await print({ projectId: 'p-acme' })).toBe(acme);
    expect(await print('instance')).toBe(instance);

    // Another project's change: the instance sees it, acme's project does not.
    await runSql(url, `update workflow_entity set name = 'renamed' where id = 'wB1'`);
    expect(await print({ projectId: 'p-acme' })).toBe(acme);
    const renamed = await print('instance');
    expect(renamed).not.toBe(instance);

    // Each kind of change in the scope's own rows.
    const changes: [string, string][] = [
      ['a node edited', `update workflow_entity set nodes = '[{"name":"Start"}]' where id = 'wA2'`],
      ['settings', `update workflow_entity set settings = '{"executionOrder":"v0"}' where id = 'wA2'`],
      ['static data', `update workflow_entity set "staticData" = '{"node:Start":{"seen":1}}' where id = 'wA2'`],
      ['pinned data', `update workflow_entity set "pinData" = '{"Start":[{"json":{}}]}' where id = 'wA2'`],
      ['a credential re-encrypted', `update credentials_entity set data = 'U2FsdGVkX1+rotated' where id = 'cA1'`],
      ['a credential renamed', `update credentials_entity set name = 'cred renamed' where id = 'cA1'`],
    ];
    let previous = { acme, instance: renamed };
    for (const [what, statement] of changes) {
      await runSql(url, statement);
      const now = { acme: await print({ projectId: 'p-acme' }), instance: await print('instance') };
      expect(now.acme, what).not.toBe(previous.acme);
      expect(now.instance, what).not.toBe(previous.instance);
      previous = now;
    }

    // Items added and removed: a credential without any project (an instance's own) counts for the instance only.
    await credential('cX', undefined);
    expect(await print({ projectId: 'p-acme' })).toBe(previous.acme);
    expect(await print('instance')).not.toBe(previous.instance);
    await runSql(url, `delete from credentials_entity where id = 'cX'`);
    expect(await print('instance')).toBe(previous.instance);
    await workflow('wA3', 'p-acme', false);
    expect(await print({ projectId: 'p-acme' })).not.toBe(previous.acme);
    expect(await print('instance')).not.toBe(previous.instance);
  });
});
