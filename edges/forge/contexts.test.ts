import { describe, expect, it } from 'vitest';
import { evaluateContexts, type CheckRunSignal, type StatusSignal } from './contexts.js';

const done = (name: string, conclusion: string): CheckRunSignal => ({ name, status: 'completed', conclusion });

describe('evaluateContexts', () => {
  it.each<{ name: string; required: string[]; statuses: StatusSignal[]; checks: CheckRunSignal[]; expected: { passed: string[]; pending: string[]; failing: string[] } }>([
    { name: 'nothing required', required: [], statuses: [], checks: [], expected: { passed: [], pending: [], failing: [] } },
    { name: 'missing context is pending', required: ['ci'], statuses: [], checks: [], expected: { passed: [], pending: ['ci'], failing: [] } },
    { name: 'status success', required: ['ci'], statuses: [{ context: 'ci', state: 'success' }], checks: [], expected: { passed: ['ci'], pending: [], failing: [] } },
    { name: 'status pending', required: ['ci'], statuses: [{ context: 'ci', state: 'pending' }], checks: [], expected: { passed: [], pending: ['ci'], failing: [] } },
    { name: 'status error fails', required: ['ci'], statuses: [{ context: 'ci', state: 'error' }], checks: [], expected: { passed: [], pending: [], failing: ['ci'] } },
    { name: 'context match ignores case', required: ['CI/Validate'], statuses: [{ context: 'ci/validate', state: 'success' }], checks: [], expected: { passed: ['CI/Validate'], pending: [], failing: [] } },
    { name: 'check run success', required: ['build'], statuses: [], checks: [done('build', 'success')], expected: { passed: ['build'], pending: [], failing: [] } },
    { name: 'check run skipped passes', required: ['build'], statuses: [], checks: [done('build', 'skipped')], expected: { passed: ['build'], pending: [], failing: [] } },
    { name: 'check run in progress', required: ['build'], statuses: [], checks: [{ name: 'build', status: 'in_progress', conclusion: null }], expected: { passed: [], pending: ['build'], failing: [] } },
    { name: 'check run timed out fails', required: ['build'], statuses: [], checks: [done('build', 'timed_out')], expected: { passed: [], pending: [], failing: ['build'] } },
    {
      name: 'a failure wins over a success with the same name',
      required: ['ci'],
      statuses: [{ context: 'ci', state: 'success' }],
      checks: [done('ci', 'failure')],
      expected: { passed: [], pending: [], failing: ['ci'] },
    },
    {
      name: 'mixed contexts are sorted into their buckets',
      required: ['a', 'b', 'c'],
      statuses: [{ context: 'a', state: 'success' }, { context: 'c', state: 'failure' }, { context: 'other', state: 'failure' }],
      checks: [],
      expected: { passed: ['a'], pending: ['b'], failing: ['c'] },
    },
  ])('$name', ({ required, statuses, checks, expected }) => {
    expect(evaluateContexts(required, statuses, checks)).toEqual(expected);
  });
});
