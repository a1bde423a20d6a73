// Shards of tenants joined by index give the one-thread result exactly: the claim sim/parallel.ts rests on.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplePlatform } from '../bots/core/fixtures.js';
import { simulatedContext } from './context.js';
import { generateTraces } from './generate.js';
import { joinShards, shardIndices, shardSource } from './shards.js';
import { simulateAll, type PolicyName, type SimulationResult } from './simulate.js';
import { readTraceDir, writeTraceDir } from './trace-files.js';
import type { DemandSource } from './trace.js';

const platform = examplePlatform(new URL('../', import.meta.url));
const plans = Object.entries(platform.spec.plans).map(([name, p]) => ({ name, cpu: p.cpu, memoryMb: p.memoryMb, workers: p.workers, concurrentExecutions: p.concurrentExecutions }));
const policies: PolicyName[] = ['rp9', 'naive'];
const delays = { mergeDelayMinutes: 5, reviewDelayMinutes: Number.POSITIVE_INFINITY, applyDelayMinutes: 2, sloSeconds: 5 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rp9-shards-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(source: DemandSource): Promise<SimulationResult[]> {
  return simulateAll({ platform, source, context: simulatedContext(platform), ...delays }, policies);
}

async function sharded(source: DemandSource, count: number): Promise<SimulationResult[]> {
  const indices = shardIndices(source.tenants.length, count);
  const parts = await Promise.all(indices.map((shard) => run(shardSource(source.shard!(shard)))));
  return policies.map((_, k) => joinShards(parts.map((part) => part[k]!), indices, source.tenants.length));
}

describe('shardIndices', () => {
  it.each([
    { tenants: 5, count: 2, expected: [[0, 2, 4], [1, 3]] },
    { tenants: 3, count: 1, expected: [[0, 1, 2]] },
    { tenants: 2, count: 4, expected: [[0], [1]] },
    { tenants: 1, count: 2, expected: [[0]] },
  ])('$tenants tenants in $count shards → $expected', ({ tenants, count, expected }) => {
    expect(shardIndices(tenants, count)).toEqual(expected);
  });
});

describe('shards joined by tenant index', () => {
  it('a generated fleet in three shards gives the one-thread result exactly', async () => {
    const source = generateTraces({ tenants: 14, days: 3, seed: 5, plans });

    const [whole, joined] = await Promise.all([run(source), sharded(source, 3)]);

    expect(joined).toEqual(whole);
    expect(whole[0]!.totals.prsOpened + whole[1]!.totals.prsOpened).toBeGreaterThan(0);
  });

  it('a trace directory in two shards gives the one-thread result exactly', async () => {
    await writeTraceDir(generateTraces({ tenants: 6, days: 1, seed: 9, plans }), join(dir, 'traces'));
    const allocations = Object.fromEntries(plans.map((p) => [p.name, p]));
    const source = await readTraceDir(join(dir, 'traces'), allocations, 'pro');

    const [whole, joined] = await Promise.all([run(source), sharded(source, 2)]);

    expect(joined).toEqual(whole);
  });
});
