// The swap catch-up's pure decisions: which items changed since the copy, which
// execution columns are copied between n8n 1.x's schema and 2.x's, batches.
import { describe, expect, it } from 'vitest';
import { OperationError } from '../operations/kind.js';
import { batches, blueCopies, copyColumns, itemChanges, type ColumnInfo, type ExecutionStamp, type ItemHashes } from './catch-up-plan.js';

describe('itemChanges', () => {
  it.each<{ name: string; atCopy: ItemHashes; now: ItemHashes; changed: string[]; deleted: string[] }>([
    { name: 'nothing changed', atCopy: { a: '1', b: '2' }, now: { a: '1', b: '2' }, changed: [], deleted: [] },
    { name: 'an edit', atCopy: { a: '1', b: '2' }, now: { a: '1', b: '3' }, changed: ['b'], deleted: [] },
    { name: 'an addition', atCopy: { a: '1' }, now: { a: '1', c: '9' }, changed: ['c'], deleted: [] },
    { name: 'a deletion', atCopy: { a: '1', b: '2' }, now: { a: '1' }, changed: [], deleted: ['b'] },
    { name: 'all at once, in id order', atCopy: { z: '1', b: '2', d: '4' }, now: { z: '0', c: '3', d: '4' }, changed: ['c', 'z'], deleted: ['b'] },
    { name: 'everything new (empty at the copy)', atCopy: {}, now: { b: '1', a: '2' }, changed: ['a', 'b'], deleted: [] },
  ])('$name', ({ atCopy, now, changed, deleted }) => {
    expect(itemChanges(atCopy, now)).toEqual({ changed, deleted });
  });
});

const stamp = (id: number, status: string, over: Partial<ExecutionStamp> = {}): ExecutionStamp => ({ id, workflowId: 'w1', mode: 'webhook', createdAt: '1000', status, stoppedAt: status === 'success' ? '2000' : null, ...over });

describe('blueCopies', () => {
  it.each<{ name: string; blue: ExecutionStamp[]; green: ExecutionStamp[]; replace: number[] }>([
    { name: 'a copy equal to green\'s is left (a re-run replaces nothing)', blue: [stamp(1, 'success')], green: [stamp(1, 'success')], replace: [] },
    { name: 'running at the copy, finished on green', blue: [stamp(2, 'running')], green: [stamp(2, 'success')], replace: [2] },
    { name: 'waiting on both: green may have gone on (a second Wait node)', blue: [stamp(3, 'waiting')], green: [stamp(3, 'waiting')], replace: [3] },
    { name: 'caught running by the dump, marked crashed by blue\'s start, finished on green', blue: [stamp(43, 'crashed', { stoppedAt: '5000' })], green: [stamp(43, 'success')], replace: [43] },
    { name: 'crashed on both, at the same moment: left', blue: [stamp(7, 'crashed', { stoppedAt: '5000' })], green: [stamp(7, 'crashed', { stoppedAt: '5000' })], replace: [] },
    { name: 'blue\'s own row with green\'s id (another creation time): never replaced', blue: [stamp(8, 'success', { createdAt: '9000' })], green: [stamp(8, 'success', { stoppedAt: '2500' })], replace: [] },
    { name: 'blue\'s own row of another mode: never replaced', blue: [stamp(9, 'running', { mode: 'trigger' })], green: [stamp(9, 'success')], replace: [] },
    { name: 'another workflow under the same id: never replaced', blue: [stamp(10, 'running', { workflowId: 'w2' })], green: [stamp(10, 'success')], replace: [] },
    { name: 'no row on green: left', blue: [stamp(11, 'running')], green: [], replace: [] },
    { name: 'several, in id order', blue: [stamp(5, 'new'), stamp(2, 'running'), stamp(4, 'success')], green: [stamp(2, 'success'), stamp(4, 'success'), stamp(5, 'error')], replace: [2, 5] },
  ])('$name', ({ blue, green, replace }) => {
    expect(blueCopies(blue, green).replace).toEqual(replace);
  });

  it('blueCopies also names the copies already equal to green\'s (not replaced, not copied, not skipped), in id order', () => {
    const blue = [stamp(4, 'success'), stamp(2, 'running'), stamp(3, 'success'), stamp(8, 'success', { createdAt: '9000' })];
    const green = [stamp(2, 'success'), stamp(3, 'success'), stamp(4, 'success'), stamp(8, 'success')];
    expect(blueCopies(blue, green)).toEqual({ replace: [2], unchanged: [3, 4] });
  });
});

const col = (name: string, required = false): ColumnInfo => ({ name, required });

describe('copyColumns', () => {
  it.each([
    {
      name: 'n8n 1.123 → 2.41 execution_entity: the shared columns in blue\'s order; the new ones left to their defaults',
      green: [col('id'), col('finished', true), col('status', true), col('workflowId', true), col('createdAt')],
      blue: [col('id'), col('finished', true), col('status', true), col('workflowId', true), col('createdAt'), col('storedAt'), col('jsonSizeBytes'), col('workflowVersionId')],
      columns: ['id', 'finished', 'status', 'workflowId', 'createdAt'],
    },
    { name: 'a column green has and blue dropped is left out', green: [col('id'), col('old')], blue: [col('id')], columns: ['id'] },
    { name: 'blue\'s order wins', green: [col('b'), col('a')], blue: [col('a'), col('b')], columns: ['a', 'b'] },
  ])('$name', ({ green, blue, columns }) => {
    expect(copyColumns('execution_entity', green, blue)).toEqual(columns);
  });

  it.each([
    { name: 'a required column only blue has', green: [col('id')], blue: [col('id'), col('mustHave', true)], message: "blue's execution_data requires mustHave, which green's has not" },
    { name: 'no table on green', green: [], blue: [col('id')], message: 'green has no table execution_data' },
    { name: 'no table on blue', green: [col('id')], blue: [], message: 'blue has no table execution_data' },
  ])('refuses $name (upgrade.catch-up-schema)', ({ green, blue, message }) => {
    const error = (() => {
      try {
        copyColumns('execution_data', green, blue);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OperationError);
    expect(error).toMatchObject({ code: 'upgrade.catch-up-schema' });
    expect((error as Error).message).toContain(message);
  });
});

describe('batches', () => {
  it.each([
    { ids: [], size: 2, out: [] },
    { ids: [1, 2, 3], size: 2, out: [[1, 2], [3]] },
    { ids: [1, 2], size: 5, out: [[1, 2]] },
  ])('$ids by $size', ({ ids, size, out }) => {
    expect(batches(ids, size)).toEqual(out);
  });

  it('refuses a size below 1', () => {
    expect(() => batches([1], 0)).toThrow(RangeError);
  });
});
