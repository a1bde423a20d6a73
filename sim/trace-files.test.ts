import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimError } from './errors.js';
import { generateTraces } from './generate.js';
import { readTraceDir, writeTraceDir } from './trace-files.js';
import { emptyDemand } from './trace.js';

const plans = { starter: { cpu: 1, memoryMb: 1024, workers: 1 }, pro: { cpu: 2, memoryMb: 2048, workers: 2 } };
const HEADER = 'time,tenant,executions_per_min,queue_wait_p95_s,cpu_percent,mem_percent';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-traces-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function traceDir(name: string, files: Record<string, string>): Promise<string> {
  const path = join(dir, name);
  await rm(path, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(path, { recursive: true }));
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text);
  return path;
}

describe('readTraceDir', () => {
  it('reads CSV and JSONL, converts cpu % and mem % to demand with the recorded allocation, holds gaps', async () => {
    const path = await traceDir('ok', {
      'a.csv': `${HEADER}\n2026-11-02T00:00:00Z,a,4,0,50,25\n2026-11-02T00:02:00Z,a,8,,10,10\n`,
      'b.jsonl': '{"time":"2026-11-02T00:01:00Z","tenant":"b","executions_per_min":1,"queue_wait_p95_s":0,"cpu_percent":100,"mem_percent":50}\n',
      'tenants.jsonl': '{"tenant":"a","plan":"starter","serviceSeconds":3}\n',
    });
    const source = await readTraceDir(path, plans, 'pro');
    expect(source.start.toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(source.minutes).toBe(3);
    expect(source.tenants.map((t) => [t.name, t.plan, t.serviceSeconds])).toEqual([['a', 'starter', 3], ['b', 'pro', 10]]);
    const d = emptyDemand();
    // a on starter: (1 + 1 worker) × 1 core = 2 cores, 2 × 1024 MB.
    source.demand(0, 0, d);
    expect(d).toEqual({ executionsPerMinute: 4, cpuCores: 1, memoryMb: 512 });
    source.demand(0, 1, d); // a gap: the row before it
    expect(d).toEqual({ executionsPerMinute: 4, cpuCores: 1, memoryMb: 512 });
    // b before its first row: no demand; then pro: 3 × 2 cores, 3 × 2048 MB.
    source.demand(1, 0, d);
    expect(d).toEqual({ executionsPerMinute: 0, cpuCores: 0, memoryMb: 0 });
    source.demand(1, 1, d);
    expect(d).toEqual({ executionsPerMinute: 1, cpuCores: 6, memoryMb: 3072 });
  });

  it.each([
    { name: 'a missing column', files: { 'a.csv': 'time,tenant,executions_per_min\n' }, code: 'simulate.trace-header', where: 'a.csv:1' },
    { name: 'a negative figure', files: { 'a.csv': `${HEADER}\n2026-11-02T00:00:00Z,a,-1,0,1,1\n` }, code: 'simulate.trace-field', where: 'a.csv:2: executions_per_min' },
    { name: 'a time off the minute', files: { 'a.csv': `${HEADER}\n2026-11-02T00:00:30Z,a,1,0,1,1\n` }, code: 'simulate.trace-time', where: 'a.csv:2: time' },
    { name: 'a bad time', files: { 'a.jsonl': '{"time":"yesterday","tenant":"a","executions_per_min":1,"cpu_percent":1,"mem_percent":1}\n' }, code: 'simulate.trace-time', where: 'a.jsonl:1: time' },
    { name: 'a duplicate row', files: { 'a.csv': `${HEADER}\n2026-11-02T00:00:00Z,a,1,0,1,1\n2026-11-02T00:00:00Z,a,2,0,1,1\n` }, code: 'simulate.trace-duplicate', where: 'a.csv:3: time' },
    { name: 'an unknown plan', files: { 'a.csv': `${HEADER}\n2026-11-02T00:00:00Z,a,1,0,1,1\n`, 'tenants.jsonl': '{"tenant":"a","plan":"gold"}\n' }, code: 'simulate.unknown-plan', where: 'tenants.jsonl:1: plan' },
    { name: 'no rows', files: { 'notes.txt': 'x' }, code: 'simulate.traces-empty', where: '' },
  ] as { name: string; files: Record<string, string>; code: string; where: string }[])('refuses $name with file, line and field', async ({ name, files, code, where }) => {
    const path = await traceDir(name.replaceAll(' ', '-'), files);
    const error = await readTraceDir(path, plans, 'pro').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimError);
    expect((error as SimError).code).toBe(code);
    expect((error as SimError).where()).toContain(where);
  });
});

describe('writeTraceDir', () => {
  it('writes what readTraceDir reads back', async () => {
    const source = generateTraces({ tenants: 3, days: 0.05, seed: 3, plans: [{ name: 'pro', ...plans.pro, concurrentExecutions: 10 }] });
    const path = join(dir, 'written');
    await writeTraceDir(source, path);
    const read = await readTraceDir(path, plans, 'pro');
    expect(read.minutes).toBe(source.minutes);
    expect(read.tenants.map((t) => t.name)).toEqual(source.tenants.map((t) => t.name));
    const a = emptyDemand();
    const b = emptyDemand();
    for (let i = 0; i < 3; i++) {
      for (const minute of [0, 35, source.minutes - 1]) {
        source.demand(i, minute, a);
        read.demand(i, minute, b);
        expect(b.executionsPerMinute).toBeCloseTo(a.executionsPerMinute, 2);
        expect(b.cpuCores).toBeCloseTo(a.cpuCores, 1);
        expect(b.memoryMb).toBeCloseTo(a.memoryMb, -1);
      }
    }
  });
});
