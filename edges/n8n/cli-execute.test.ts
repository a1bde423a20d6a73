import { describe, expect, it } from 'vitest';
import { readExecuteOutput } from './cli-execute.js';

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
