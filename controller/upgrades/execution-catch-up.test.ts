// The swap's execution catch-up on real PostgreSQL, between n8n 1.123.81's
// execution tables (green) and 2.41.1's (blue, after its migrations): what
// green wrote after the copy lands on blue with its ids, blue's stale copies
// of unfinished executions are replaced, blue's own rows are never
// overwritten, and a re-run ends the same.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { queryRows as rows, runSql, scratchDatabases } from '../../test/harness/scratch-databases.js';
import { OperationError } from '../operations/kind.js';
import { copyExecutionsSince, runningExecutions } from './execution-catch-up.js';
import { executionsSql, N8N_1_EXECUTION_TABLES, N8N_2_EXECUTION_TABLES } from './fixtures/n8n-execution-schemas.js';

const adminUrl = inject('postgresUrl');
const databases = scratchDatabases(adminUrl, 'rp9_catchup');
afterAll(() => databases.dropAll());


/** Green with executions 1..copied at the copy, and blue made from them (2.x's schema); then green goes on to 1..total. */
async function colours(copied: number, total: number): Promise<{ green: string; blue: string }> {
  const green = await databases.create();
  const blue = await databases.create();
  await runSql(green, `${N8N_1_EXECUTION_TABLES} insert into workflow_entity (id, name) values ('w1', 'hook'); ${executionsSql(1, copied)}`);
  await runSql(blue, `${N8N_2_EXECUTION_TABLES} insert into workflow_entity (id, name) values ('w1', 'hook'); ${executionsSql(1, copied)}`);
  if (total > copied) await runSql(green, executionsSql(copied + 1, total - copied));
  return { green, blue };
}

const ENTITY = 'select id, status, finished, mode, "workflowId", "storedAt", "jsonSizeBytes"::int as size from execution_entity order by id';
const DATA = 'select "executionId", data, "workflowData"::text as wd from execution_data order by 1';
const METADATA = 'select id, "executionId", key, value from execution_metadata order by id';

describe('copyExecutionsSince', () => {
  it('copies green\'s executions above the mark into blue with their ids (entity, data, metadata), new 2.x columns at their defaults, sequences past them; a re-run ends the same', async () => {
    const { green, blue } = await colours(3, 7);

    const first = await copyExecutionsSince(green, blue, 3);

    expect(first).toEqual({ executions: 4, replaced: 0, skipped: 0, alreadyOnBlue: 0 });
    expect(await rows(blue, ENTITY)).toEqual([1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, status: 'success', finished: true, mode: 'webhook', workflowId: 'w1', storedAt: 'db', size: 0 })));
    expect(await rows(blue, DATA)).toEqual(await rows(green, DATA));
    expect(await rows(blue, METADATA)).toEqual(await rows(green, METADATA));
    expect(await rows(blue, `select nextval(pg_get_serial_sequence('execution_entity', 'id'))::int as e, nextval(pg_get_serial_sequence('execution_metadata', 'id'))::int as m`)).toEqual([{ e: 8, m: 8 }]);

    // kill -9 after the commit, before the journal: the re-run copies nothing new and changes nothing.
    const before = [await rows(blue, ENTITY), await rows(blue, DATA), await rows(blue, METADATA)];
    const again = await copyExecutionsSince(green, blue, 3);
    expect(again).toEqual({ executions: 0, replaced: 0, skipped: 0, alreadyOnBlue: 4 });
    expect([await rows(blue, ENTITY), await rows(blue, DATA), await rows(blue, METADATA)]).toEqual(before);
  });

  it('replaces blue\'s copies of executions that were not over at the copy (running, waiting) with green\'s outcome', async () => {
    const { green, blue } = await colours(2, 2);
    // At the copy, execution 2 was running and 3 waiting (a Wait node); green finished 2 and still waits on 3.
    await runSql(blue, `update execution_entity set status = 'running', finished = false where id = 2; ${executionsSql(3, 1, 'waiting')}`);
    await runSql(green, `${executionsSql(3, 1, 'waiting')} update execution_data set data = '[{"run":"finished on green"}]' where "executionId" = 2`);

    const result = await copyExecutionsSince(green, blue, 3);

    expect(result).toEqual({ executions: 2, replaced: 2, skipped: 0, alreadyOnBlue: 0 });
    expect(await rows(blue, 'select id, status from execution_entity order by id')).toEqual([{ id: 1, status: 'success' }, { id: 2, status: 'success' }, { id: 3, status: 'waiting' }]);
    expect(await rows(blue, 'select data from execution_data where "executionId" = 2')).toEqual([{ data: '[{"run":"finished on green"}]' }]);
    expect(await rows(blue, METADATA)).toEqual(await rows(green, METADATA));
  });

  it('replaces blue\'s copy of an execution the dump caught running above the mark that blue\'s start marked crashed, with green\'s outcome', async () => {
    // The mark is read before the dump: green started execution 3 in between, so the dump carried it running; blue's
    // main marked it crashed when it started; green finished it.
    const { green, blue } = await colours(3, 4);
    await runSql(blue, `update execution_entity set status = 'crashed', finished = false, "stoppedAt" = now() + interval '1 second' where id = 3`);

    const result = await copyExecutionsSince(green, blue, 2);

    expect(result).toEqual({ executions: 2, replaced: 1, skipped: 0, alreadyOnBlue: 0 });
    const outcome = 'select id, status, finished, "stoppedAt"::text as stopped from execution_entity order by id';
    expect(await rows(blue, outcome)).toEqual(await rows(green, outcome));
    expect(await rows(blue, DATA)).toEqual(await rows(green, DATA));
    // A re-run (kill -9 before the journal) replaces nothing more.
    expect(await copyExecutionsSince(green, blue, 2)).toEqual({ executions: 0, replaced: 0, skipped: 0, alreadyOnBlue: 2 });
  });

  it('counts a finished execution the dump carried above the mark as already on blue, not skipped, and copies nothing of it', async () => {
    // The mark is read before the dump: executions 3 and 4 finished between the two, so the dump carried them as green has them.
    const { green, blue } = await colours(4, 5);

    expect(await copyExecutionsSince(green, blue, 2)).toEqual({ executions: 1, replaced: 0, skipped: 0, alreadyOnBlue: 2 });
    expect(await rows(blue, ENTITY)).toHaveLength(5);
  });

  it('never overwrites a row blue made itself, and skips an execution whose workflow blue does not hold (with its data and metadata)', async () => {
    const { green, blue } = await colours(1, 1);
    // Blue ran execution 2 itself before the swap; green made its own 2 and 3, and 3 is of a workflow blue does not hold.
    await runSql(blue, `insert into execution_entity (id, finished, mode, status, "workflowId") values (2, true, 'trigger', 'success', 'w1')`);
    await runSql(green, `insert into workflow_entity (id, name) values ('w9', 'only on green'); ${executionsSql(2, 1)}
      insert into execution_entity (id, finished, mode, status, "workflowId") values (3, true, 'webhook', 'success', 'w9');
      insert into execution_data ("executionId", "workflowData", data) values (3, '{}', '[]');
      insert into execution_metadata ("executionId", key, value) values (3, 'k', 'v')`);

    const result = await copyExecutionsSince(green, blue, 1);

    expect(result).toEqual({ executions: 0, replaced: 0, skipped: 2, alreadyOnBlue: 0 });
    expect(await rows(blue, 'select id, mode from execution_entity order by id')).toEqual([{ id: 1, mode: 'webhook' }, { id: 2, mode: 'trigger' }]);
    expect(await rows(blue, 'select "executionId" from execution_data order by 1')).toEqual([{ executionId: 1 }]);
    expect(await rows(blue, 'select "executionId" from execution_metadata order by 1')).toEqual([{ executionId: 1 }]);
  });

  it('refuses a blue schema that requires a column green has not (upgrade.catch-up-schema) and writes nothing', async () => {
    const { green, blue } = await colours(1, 3);
    await runSql(blue, `alter table execution_data add column "mustHave" text not null default 'x'; alter table execution_data alter column "mustHave" drop default`);

    const failure = await copyExecutionsSince(green, blue, 1).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(OperationError);
    expect(failure).toMatchObject({ code: 'upgrade.catch-up-schema' });
    expect(await rows(blue, 'select id from execution_entity order by id')).toEqual([{ id: 1 }]);
  });
});

describe('runningExecutions', () => {
  it('counts green\'s executions queued or running (not waiting, not deleted)', async () => {
    const { green } = await colours(1, 1);
    await runSql(green, `${executionsSql(2, 2, 'running')} ${executionsSql(4, 1, 'new')} ${executionsSql(5, 1, 'waiting')}
      update execution_entity set "deletedAt" = now() where id = 3`);

    expect(await runningExecutions(green, ['new', 'running'])).toBe(2);
  });

  it('leaves out the modes it is told to (the editor\'s manual runs, which executed on a main the hold killed)', async () => {
    const { green } = await colours(1, 1);
    await runSql(green, `${executionsSql(2, 2, 'running')} update execution_entity set mode = 'manual' where id = 3`);

    expect(await runningExecutions(green, ['new', 'running'])).toBe(2);
    expect(await runningExecutions(green, ['new', 'running'], ['manual'])).toBe(1);
  });
});
