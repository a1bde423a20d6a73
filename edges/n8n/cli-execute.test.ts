import { describe, expect, it } from 'vitest';
import { judgeExecute, readExecuteOutput } from './cli-execute.js';

const run = (resultData: unknown) => JSON.stringify({ data: { startData: {}, resultData }, mode: 'cli', status: 'success' }, null, 2);

describe("n8n execute --rawOutput's run data", () => {
  it('counts the nodes that ran, with log lines around the JSON', () => {
    const out = `CLI command \`execute\` does not support queue mode. {mode: regular}\n${run({ runData: { Start: [{}], Set: [{}] } })}\nbye\n`;
    expect(readExecuteOutput(out)).toEqual({ nodesRun: 2 });
  });
  it('reports the error n8n recorded', () => {
    expect(readExecuteOutput(run({ runData: { Start: [{}] }, error: { message: 'boom' } }))).toEqual({ nodesRun: 1, error: 'boom' });
  });
  it.each(['', 'Execution was NOT successful', '{\n not json\n}', JSON.stringify({ data: {} }, null, 2)])('nothing usable in %j', (out) => {
    expect(readExecuteOutput(out)).toBeUndefined();
  });
});

describe('the verdict on one n8n execute', () => {
  const good = run({ runData: { Start: [{}], Set: [{}] } });
  it.each([
    ['a clean run', 0, good, { ok: true, detail: '2 node(s) ran', nodesRun: 2 }],
    ['a complete, successful run, then a segfault on the way out', 139, good, { ok: true, detail: '2 node(s) ran (the CLI then exited 139 on its way out)', nodesRun: 2 }],
    ['a segfault before any run data', 139, 'Starting...', { ok: false, detail: 'n8n execute exited 139: Starting...\nerr' }],
    ['a failed run with exit 1', 1, run({ runData: { Start: [{}] }, error: { message: 'boom' } }), { ok: false }],
    ['a failed run, then a segfault', 139, run({ runData: { Start: [{}] }, error: { message: 'boom' } }), { ok: false }],
    ['exit 0 and no run data', 0, 'Execution was NOT successful', { ok: false, detail: 'n8n execute printed no run data: Execution was NOT successful\nerr' }],
    ['exit 0 and an error in the run', 0, run({ runData: { Start: [{}] }, error: { message: 'boom' } }), { ok: false, detail: 'the execution failed: boom', nodesRun: 1 }],
    ['exit 0 and no node ran', 0, run({ runData: {} }), { ok: false, detail: 'the execution ran no node', nodesRun: 0 }],
  ])('%s', (_name, exitCode, stdout, expected) => {
    expect(judgeExecute(exitCode, stdout, 'err')).toMatchObject(expected);
  });
});
